#include <gtest/gtest.h>
#include <sys/socket.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "rpc/frame.h"
#include "rpc/transport.h"

// GCC 12 reports a false -Wmismatched-new-delete on asio awaitable frames (GCC bug 109224).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace periscope::rpc::internal {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using namespace std::chrono_literals;

// Two socket transports connected through a Unix socket pair, on one io_context thread.
class SocketTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    asio::local::stream_protocol::socket a(io_), b(io_);
    asio::local::connect_pair(a, b);
    const asio::generic::stream_protocol protocol(AF_UNIX, 0);
    a_ = MakeSocketTransport(Socket(io_, protocol, a.release()));
    b_ = MakeSocketTransport(Socket(io_, protocol, b.release()));
  }

  // Runs f on the io_context until it returns.
  template <class F>
  void Run(F f) {
    auto done = asio::co_spawn(io_, std::move(f), asio::use_future);
    io_.restart();
    while (done.wait_for(0s) != std::future_status::ready) io_.run_one_for(100ms);
    done.get();
  }

  // Sends a message frame with `payload` from a_ and waits until b_ has read it.
  void SendAndReceive(std::string payload) {
    const std::string expected = payload;
    Run([&]() -> awaitable<void> {
      FramePieces pieces = EncodeFramePieces(MessageFrame{7, std::move(payload)});
      a_->Send(std::move(pieces.head), std::move(pieces.payload));
      Result<std::optional<std::string_view>> body = b_->NextFrame(64 << 20);
      while (body.ok() && !body->has_value()) {
        Status st = co_await b_->WaitForFrame(64 << 20);
        EXPECT_TRUE(st.ok()) << st.ToString();
        if (!st.ok()) co_return;
        body = b_->NextFrame(64 << 20);
      }
      EXPECT_TRUE(body.ok() && body->has_value());
      if (!body.ok() || !body->has_value()) co_return;
      Result<FrameBody> parsed = ParseFrameBody(**body);
      EXPECT_TRUE(parsed.ok());
      if (!parsed.ok()) co_return;
      Result<MessageFrame> m = Decode<MessageFrame>(parsed->encoded);
      EXPECT_TRUE(m.ok() && m->payload == expected);
      // The writer's completion (which keeps the spare string) runs too.
      asio::steady_timer timer(co_await asio::this_coro::executor, 20ms);
      co_await timer.async_wait(asio::use_awaitable);
    });
  }

  // Waits on the io_context for `d`.
  void Sleep(std::chrono::milliseconds d) {
    Run([d]() -> awaitable<void> {
      asio::steady_timer timer(co_await asio::this_coro::executor, d);
      co_await timer.async_wait(asio::use_awaitable);
    });
  }

  std::string TakeSpare(size_t bytes) {
    std::string out;
    Run([&]() -> awaitable<void> {
      out = a_->TakeSpareString(bytes);
      co_return;
    });
    return out;
  }

  asio::io_context io_;
  std::shared_ptr<Transport> a_;
  std::shared_ptr<Transport> b_;
};

TEST_F(SocketTransportTest, WrittenLargePayloadBecomesTheSpareStringOnce) {
  SendAndReceive(std::string(100000, 's'));
  EXPECT_TRUE(TakeSpare(300000).empty());  // too big for the need: not handed out
  std::string spare = TakeSpare(90000);
  EXPECT_GE(spare.capacity(), 100000u);
  EXPECT_TRUE(spare.empty());
  EXPECT_TRUE(TakeSpare(90000).empty());  // taken
  // Small payloads are never kept.
  SendAndReceive(std::string(1000, 'x'));
  EXPECT_TRUE(TakeSpare(1000).empty());
  // Nor one over the retain limit.
  SendAndReceive(std::string((4 << 20) + 1, 'b'));
  EXPECT_TRUE(TakeSpare((4 << 20) + 1).empty());
  // A string the caller needs more room than: not handed out.
  SendAndReceive(std::string(50000, 'm'));
  EXPECT_TRUE(TakeSpare(60000).empty());
  EXPECT_GE(TakeSpare(50000).capacity(), 50000u);
}

TEST_F(SocketTransportTest, SpareStringIsReleasedWhenUnused) {
  SendAndReceive(std::string(100000, 's'));
  Sleep(2500ms);  // more than two idle periods
  EXPECT_TRUE(TakeSpare(100000).empty());
}

TEST_F(SocketTransportTest, LargeFramesOfManySizesInterleaved) {
  for (size_t size : {size_t{100}, size_t{40000}, size_t{1} << 20, size_t{33000}, size_t{5} << 20,
                      size_t{10}, size_t{300000}, (size_t{1} << 20) + 1}) {
    std::string payload(size, '\0');
    for (size_t i = 0; i < size; ++i) payload[i] = static_cast<char>(i * 13 + size);
    SendAndReceive(std::move(payload));
  }
}

}  // namespace
}  // namespace periscope::rpc::internal
