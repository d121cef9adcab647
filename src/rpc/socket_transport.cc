#include <sys/socket.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <deque>
#include <vector>

#include "rpc/frame.h"
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

  awaitable<Result<std::string>> ReadFrame(size_t max_frame_size) override {
    auto self = shared_from_this();
    uint8_t header[kFrameHeaderSize];
    boost::system::error_code ec;
    co_await asio::async_read(socket_, asio::buffer(header), redirect_error(use_awaitable, ec));
    if (ec) {
      co_return UnavailableError(ec == asio::error::eof ? "connection closed by peer"
                                                        : "read failed: " + ec.message());
    }
    uint32_t len = 0;
    for (size_t i = 0; i < kFrameHeaderSize; ++i) {
      len |= static_cast<uint32_t>(header[i]) << (8 * i);
    }
    Status st = CheckFrameLength(len, max_frame_size);
    if (!st.ok()) co_return st;
    std::string body(len, '\0');
    co_await asio::async_read(socket_, asio::buffer(body), redirect_error(use_awaitable, ec));
    if (ec) {
      co_return UnavailableError(ec == asio::error::eof ? "connection closed mid-frame"
                                                        : "read failed: " + ec.message());
    }
    co_return body;
  }

  void Send(std::string frame) override {
    if (close_after_flush_ || !socket_.is_open()) return;
    queue_.push_back(std::move(frame));
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
  }

 private:
  awaitable<void> WriteLoop(std::shared_ptr<SocketTransport> self) {
    (void)self;  // keeps the transport alive while writing
    std::vector<std::string> batch;
    std::vector<asio::const_buffer> buffers;
    while (!queue_.empty()) {
      batch.clear();
      buffers.clear();
      while (!queue_.empty() && batch.size() < 64) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      for (const auto& f : batch) buffers.push_back(asio::buffer(f));
      boost::system::error_code ec;
      co_await asio::async_write(socket_, buffers, redirect_error(use_awaitable, ec));
      if (ec) {
        queue_.clear();
        Close();
        break;
      }
    }
    writing_ = false;
    if (close_after_flush_) Close();
  }

  Socket socket_;
  std::string peer_;
  std::deque<std::string> queue_;
  bool writing_ = false;
  bool close_after_flush_ = false;
};

}  // namespace

std::shared_ptr<Transport> MakeSocketTransport(Socket socket) {
  return std::make_shared<SocketTransport>(std::move(socket));
}

}  // namespace periscope::rpc::internal
