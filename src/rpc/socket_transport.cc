#include <sys/socket.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstring>
#include <deque>
#include <vector>

#include "rpc/frame.h"
#include "rpc/frame_buffer.h"
#include "rpc/transport.h"

// GCC 12 reports a false -Wmismatched-new-delete on asio awaitable frames (GCC bug 109224).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace periscope::rpc::internal {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::redirect_error;
using asio::use_awaitable;

std::string PeerName(const Socket& socket) {
  boost::system::error_code ec;
  auto ep = socket.remote_endpoint(ec);
  if (ec) return {};
  if (ep.protocol().family() == AF_INET || ep.protocol().family() == AF_INET6) {
    asio::ip::tcp::endpoint tcp;
    if (ep.size() > tcp.capacity()) return {};
    std::memcpy(tcp.data(), ep.data(), ep.size());
    tcp.resize(ep.size());
    return tcp.address().to_string() + ":" + std::to_string(tcp.port());
  }
  return "unix";
}

// A socket with a queue of frames written in batches by one writer coroutine. Strand-only.
class SocketTransport : public Transport, public std::enable_shared_from_this<SocketTransport> {
 public:
  explicit SocketTransport(Socket socket) : socket_(std::move(socket)), peer_(PeerName(socket_)) {}

  asio::any_io_executor executor() override { return socket_.get_executor(); }
  std::string peer() const override { return peer_; }

  Result<std::optional<std::string_view>> NextFrame(size_t max_frame_size) override {
    return in_.Next(max_frame_size);
  }

  awaitable<Status> WaitForFrame(size_t max_frame_size) override {
    auto self = shared_from_this();
    while (!in_.Ready(max_frame_size)) {
      boost::system::error_code ec;
      if (in_.pending_is_large()) {
        // A big frame goes straight into the large-frame buffer, not through the read buffer.
        std::span<char> rest = in_.TakeLarge();
        WatchRetained();
        co_await asio::async_read(socket_, asio::buffer(rest.data(), rest.size()),
                                  redirect_error(use_awaitable, ec));
        if (ec) co_return ReadError(ec, /*mid_frame=*/true);
        in_.CommitLarge();
        break;
      }
      std::span<char> room = in_.Prepare();
      size_t n = co_await socket_.async_read_some(asio::buffer(room.data(), room.size()),
                                                  redirect_error(use_awaitable, ec));
      if (ec) co_return ReadError(ec, in_.buffered() > 0);
      in_.Commit(n);
    }
    co_return Status::Ok();
  }

  std::string TakeSpareString(size_t bytes) override {
    if (bytes == 0 || spare_.capacity() < bytes || spare_.capacity() / 2 > bytes) return {};
    spare_used_ = true;
    return std::move(spare_);
  }

  void Send(std::string head, std::string payload) override {
    if (close_after_flush_ || !socket_.is_open()) return;
    if (!payload.empty() && payload.size() < kSeparatePayloadBytes) {
      head.append(payload);
      payload.clear();
    }
    queue_.push_back({std::move(head), std::move(payload)});
    if (!writing_) {
      writing_ = true;
      asio::co_spawn(socket_.get_executor(), WriteLoop(shared_from_this()), asio::detached);
    }
  }

  void CloseAfterFlush() override {
    close_after_flush_ = true;
    if (!writing_) Close();
  }

  void Close() override {
    boost::system::error_code ec;
    if (!socket_.is_open()) return;
    socket_.shutdown(Socket::shutdown_both, ec);
    socket_.close(ec);
    trim_timer_.cancel();
  }

 private:
  // While the transport keeps a large-frame buffer or a spare string, a timer frees each once a
  // whole period passed without using it: one timer wait per period, none per frame.
  void WatchRetained() {
    if (trim_armed_ || !socket_.is_open()) return;
    trim_armed_ = true;
    trim_timer_.expires_after(kRetainIdlePeriod);
    trim_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      auto self = weak.lock();
      if (!self) return;
      self->trim_armed_ = false;
      if (ec || !self->socket_.is_open()) return;
      bool retained = self->in_.Tick();
      if (!self->spare_used_) self->spare_ = std::string();
      self->spare_used_ = false;
      if (retained || self->spare_.capacity() > 0) self->WatchRetained();
    });
  }

  // Keeps the biggest large payload of a written batch (up to the retain limit) as the spare
  // string: the next large payload read is decoded into it instead of a new allocation.
  void KeepSpare(std::vector<FramePieces>& batch) {
    std::string* best = nullptr;
    for (FramePieces& f : batch) {
      const size_t capacity = f.payload.capacity();
      if (capacity >= kLargeFrameBytes && capacity <= FrameBuffer::kDefaultRetainLimit &&
          capacity > (best ? best->capacity() : spare_.capacity())) {
        best = &f.payload;
      }
    }
    if (best == nullptr) return;
    spare_ = std::move(*best);
    spare_.clear();
    WatchRetained();
  }

  awaitable<void> WriteLoop(std::shared_ptr<SocketTransport> self) {
    (void)self;  // keeps the transport alive while writing
    std::vector<FramePieces>& batch = batch_;
    std::vector<asio::const_buffer>& buffers = buffers_;
    while (!queue_.empty()) {
      batch.clear();
      buffers.clear();
      // Everything queued, in order, in one gather write (asio writes up to 64 buffers per
      // system call).
      size_t pieces = 0;
      while (!queue_.empty()) {
        const size_t n = queue_.front().payload.empty() ? 1 : 2;
        if (pieces + n > kMaxBuffersPerWrite) break;
        pieces += n;
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      // Buffers only once the batch no longer moves (short heads live inside their string).
      for (const FramePieces& f : batch) {
        buffers.push_back(asio::buffer(f.head));
        if (!f.payload.empty()) buffers.push_back(asio::buffer(f.payload));
      }
      boost::system::error_code ec;
      co_await asio::async_write(socket_, buffers, redirect_error(use_awaitable, ec));
      if (ec) {
        queue_.clear();
        Close();
        break;
      }
      KeepSpare(batch);
    }
    batch.clear();
    writing_ = false;
    if (close_after_flush_) Close();
  }

  static Status ReadError(const boost::system::error_code& ec, bool mid_frame) {
    if (ec != asio::error::eof) return UnavailableError("read failed: " + ec.message());
    return UnavailableError(mid_frame ? "connection closed mid-frame"
                                      : "connection closed by peer");
  }

  Socket socket_;
  std::string peer_;
  FrameBuffer in_;
  // The large-frame buffer and the spare string are freed when a whole period passed without
  // using them (after one to two periods).
  static constexpr std::chrono::seconds kRetainIdlePeriod{1};
  asio::steady_timer trim_timer_{socket_.get_executor()};
  bool trim_armed_ = false;
  std::string spare_;  // see TakeSpareString; empty or a capacity of 32 KB to 4 MB
  bool spare_used_ = false;
  static constexpr size_t kMaxBuffersPerWrite = 64;

  std::deque<FramePieces> queue_;
  // The writer's batch and its buffers, kept between batches for their capacity.
  std::vector<FramePieces> batch_;
  std::vector<asio::const_buffer> buffers_;
  bool writing_ = false;
  bool close_after_flush_ = false;
};

}  // namespace

std::shared_ptr<Transport> MakeSocketTransport(Socket socket) {
  return std::make_shared<SocketTransport>(std::move(socket));
}

}  // namespace periscope::rpc::internal
