#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <mutex>

#include "rpc/frame.h"
#include "rpc/strand.h"
#include "rpc/transport.h"

// GCC 12 reports a false -Wmismatched-new-delete on asio awaitable frames (GCC bug 109224).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace periscope::rpc::internal {
namespace {

namespace asio = boost::asio;
using asio::awaitable;

// One direction of an in-memory connection: a queue of whole frames and the reader to wake.
// Thread-safe (mu).
struct Pipe {
  std::mutex mu;
  std::deque<std::string> frames;
  bool closed = false;
  // The reader's wake-up timer and its strand, set while the reader waits.
  std::shared_ptr<asio::steady_timer> waiter;

  // Wakes the waiting reader, if any. Call without mu held.
  static void Wake(std::shared_ptr<asio::steady_timer> timer) {
    if (!timer) return;
    asio::post(timer->get_executor(), [timer] { timer->cancel(); });
  }
};

// One end of an in-memory connection. Strand-only, like every Transport.
class InMemoryTransport : public Transport {
 public:
  InMemoryTransport(asio::any_io_executor strand, std::shared_ptr<Pipe> in,
                    std::shared_ptr<Pipe> out)
      : strand_(std::move(strand)),
        in_(std::move(in)),
        out_(std::move(out)),
        timer_(std::make_shared<asio::steady_timer>(strand_)) {}

  asio::any_io_executor executor() override { return strand_; }
  std::string peer() const override { return "in-memory"; }

  Result<std::optional<std::string_view>> NextFrame(size_t max_frame_size) override {
    if (batch_.empty()) return std::optional<std::string_view>();
    current_ = std::move(batch_.front());
    batch_.pop_front();
    uint32_t len = 0;
    for (size_t i = 0; i < kFrameHeaderSize; ++i) {
      len |= static_cast<uint32_t>(static_cast<uint8_t>(current_[i])) << (8 * i);
    }
    Status st = CheckFrameLength(len, max_frame_size);
    if (!st.ok()) return st;
    if (current_.size() != kFrameHeaderSize + len) {
      return InvalidArgumentError("in-memory frame length does not match its prefix");
    }
    return std::optional<std::string_view>(std::string_view(current_).substr(kFrameHeaderSize));
  }

  // Takes every frame queued so far as the next batch for NextFrame. A reader that finds frames
  // without waiting yields the strand once first: a peer writing from another thread can keep
  // the queue from ever running empty, and the reader would otherwise dispatch frame after
  // frame while everything else on the strand (timers, the ends of calls) waits.
  awaitable<Status> WaitForFrame(size_t) override {
    if (!batch_.empty()) co_return Status::Ok();
    std::shared_ptr<Pipe> in = in_;
    std::shared_ptr<asio::steady_timer> timer = timer_;
    bool suspended = false;
    for (;;) {
      bool ready = false;
      {
        std::lock_guard lock(in->mu);
        if (!in->frames.empty()) {
          if (suspended) {
            batch_.swap(in->frames);
            co_return Status::Ok();
          }
          ready = true;
        } else if (in->closed) {
          co_return UnavailableError("connection closed by peer");
        } else {
          in->waiter = timer;
        }
      }
      suspended = true;
      if (ready) {
        co_await asio::post(asio::use_awaitable);
        continue;
      }
      timer->expires_at(asio::steady_timer::time_point::max());
      boost::system::error_code ec;
      co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  void Send(std::string head, std::string payload) override {
    std::string frame = std::move(head);
    frame.append(payload);
    std::shared_ptr<asio::steady_timer> wake;
    {
      std::lock_guard lock(out_->mu);
      if (out_->closed || close_after_flush_) return;
      out_->frames.push_back(std::move(frame));
      wake = std::move(out_->waiter);
    }
    Pipe::Wake(std::move(wake));
  }

  // Frames are handed over as soon as they are sent, so nothing is left to flush.
  void CloseAfterFlush() override {
    close_after_flush_ = true;
    CloseOut();
    CloseIn();
  }

  void Close() override {
    CloseOut();
    CloseIn();
  }

 private:
  // The peer reads what is queued, then end of stream.
  void CloseOut() {
    std::shared_ptr<asio::steady_timer> wake;
    {
      std::lock_guard lock(out_->mu);
      out_->closed = true;
      wake = std::move(out_->waiter);
    }
    Pipe::Wake(std::move(wake));
  }
  // Our own reader stops at once.
  void CloseIn() {
    batch_.clear();
    std::shared_ptr<asio::steady_timer> wake;
    {
      std::lock_guard lock(in_->mu);
      in_->closed = true;
      in_->frames.clear();
      wake = std::move(in_->waiter);
    }
    Pipe::Wake(std::move(wake));
  }

  asio::any_io_executor strand_;
  std::shared_ptr<Pipe> in_;
  std::shared_ptr<Pipe> out_;
  std::shared_ptr<asio::steady_timer> timer_;
  std::deque<std::string> batch_;  // frames taken from `in_` that NextFrame has not returned
  std::string current_;            // the frame NextFrame returned last
  bool close_after_flush_ = false;
};

}  // namespace

std::pair<std::shared_ptr<Transport>, std::shared_ptr<Transport>> MakeInMemoryPair(
    asio::any_io_executor a, asio::any_io_executor b) {
  auto a_to_b = std::make_shared<Pipe>();
  auto b_to_a = std::make_shared<Pipe>();
  return {std::make_shared<InMemoryTransport>(MakeStrand(a), b_to_a, a_to_b),
          std::make_shared<InMemoryTransport>(MakeStrand(b), a_to_b, b_to_a)};
}

}  // namespace periscope::rpc::internal
