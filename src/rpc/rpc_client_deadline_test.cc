#include <gtest/gtest.h>

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <chrono>
#include <future>
#include <optional>

#include "periscope/rpc.h"
#include "rpc/call_scope.h"
#include "rpc/client_connection.h"
#include "rpc/rpc_testing.h"
#include "rpc/strand.h"

namespace periscope::rpc {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using namespace std::chrono_literals;
using testing::Echo;
using testing::EchoReply;
using testing::EchoRequest;
using testing::IoThreads;

// A TCP peer that accepts one connection and reads whatever it is sent without ever answering.
class SilentServer {
 public:
  explicit SilentServer(asio::io_context& io)
      : acceptor_(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        socket_(io) {
    acceptor_.async_accept(socket_, [this](boost::system::error_code ec) {
      if (!ec) Drain();
    });
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  void Drain() {
    socket_.async_read_some(asio::buffer(buffer_), [this](boost::system::error_code ec, size_t) {
      if (!ec) Drain();
    });
  }

  asio::ip::tcp::acceptor acceptor_;
  asio::ip::tcp::socket socket_;
  std::array<char, 4096> buffer_;
};

struct Outcome {
  StatusCode code = StatusCode::kOk;
  std::chrono::milliseconds after{0};
};

awaitable<Outcome> TimedCall(Client<Echo> client,
                             std::optional<std::chrono::milliseconds> timeout) {
  const auto start = std::chrono::steady_clock::now();
  EchoRequest request{"never answered", 0};
  CallOptions options;
  options.timeout = timeout;
  Result<EchoReply> reply = co_await client.Call<Echo::Say>(std::move(request), std::move(options));
  Outcome out;
  out.code = reply.status().code();
  out.after = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  co_return out;
}

// One timer per connection serves every deadline: a call with an earlier deadline than the one
// armed re-arms it, and each call fails at its own deadline (plus the 50 ms grace), not at the
// earliest or the latest one.
TEST(ClientDeadlineTest, SilentServerFailsEachCallAtItsOwnDeadline) {
  IoThreads io(1);
  SilentServer server(io.io());
  std::optional<Channel> channel;
  ASSERT_TRUE(io.Run([&]() -> awaitable<void> {
    Result<Channel> c = co_await Channel::ConnectTcp(io.executor(), "127.0.0.1", server.port());
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    if (c.ok()) channel.emplace(*c);
  }));
  ASSERT_TRUE(channel.has_value());
  Client<Echo> client(*channel);
  // Started in this order: the latest deadline arms the timer first.
  auto slow = asio::co_spawn(io.io(), TimedCall(client, 1500ms), asio::use_future);
  auto fast = asio::co_spawn(io.io(), TimedCall(client, 100ms), asio::use_future);
  auto middle = asio::co_spawn(io.io(), TimedCall(client, 400ms), asio::use_future);
  auto forever = asio::co_spawn(io.io(), TimedCall(client, std::nullopt), asio::use_future);
  ASSERT_EQ(fast.wait_for(5s), std::future_status::ready);
  ASSERT_EQ(middle.wait_for(5s), std::future_status::ready);
  ASSERT_EQ(slow.wait_for(5s), std::future_status::ready);
  Outcome f = fast.get();
  Outcome m = middle.get();
  Outcome s = slow.get();
  EXPECT_EQ(f.code, StatusCode::kDeadlineExceeded);
  EXPECT_EQ(m.code, StatusCode::kDeadlineExceeded);
  EXPECT_EQ(s.code, StatusCode::kDeadlineExceeded);
  EXPECT_GE(f.after, 100ms);
  EXPECT_LT(f.after, 390ms);
  EXPECT_GE(m.after, 400ms);
  EXPECT_LT(m.after, 1400ms);
  EXPECT_GE(s.after, 1500ms);
  // The call without a deadline waits until the connection closes.
  EXPECT_EQ(forever.wait_for(50ms), std::future_status::timeout);
  EXPECT_EQ(internal::ChannelAccess::Backend(*channel)->in_flight(), 1u);
  channel->Close();
  ASSERT_EQ(forever.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(forever.get().code, StatusCode::kUnavailable);
  EXPECT_EQ(internal::ChannelAccess::Backend(*channel)->in_flight(), 0u);
}

TEST(StrandTest, StrandOverAnIoContextFitsInlineAndSerialises) {
  asio::io_context io;
  asio::any_io_executor strand = internal::MakeStrand(io.get_executor());
  EXPECT_NE(strand.target<asio::strand<asio::io_context::executor_type>>(), nullptr);
  // Another executor type still gets a (type-erased) strand.
  asio::any_io_executor nested = internal::MakeStrand(strand);
  EXPECT_NE(nested.target<asio::strand<asio::any_io_executor>>(), nullptr);
  int running = 0;
  int max_running = 0;
  for (int i = 0; i < 100; ++i) {
    asio::post(strand, [&] {
      max_running = std::max(max_running, ++running);
      --running;
    });
  }
  std::thread other([&] { io.run(); });
  io.run();
  other.join();
  EXPECT_EQ(max_running, 1);
}

TEST(CallScopedExecutorTest, KeepsTheCallThroughPropertiesAndSuspensions) {
  asio::io_context io;
  auto call = std::make_shared<CallContext>();
  call->method = "M";
  internal::CallScopedExecutor ex(internal::MakeStrand(io.get_executor()), call);
  // Properties are bits on the same shared state, visible to queries.
  auto never = asio::require(ex, asio::execution::blocking.never);
  EXPECT_EQ(asio::query(never, asio::execution::blocking), asio::execution::blocking.never);
  EXPECT_EQ(asio::query(ex, asio::execution::blocking), asio::execution::blocking.possibly);
  EXPECT_EQ(asio::query(ex, asio::execution::outstanding_work),
            asio::execution::outstanding_work.untracked);
  EXPECT_TRUE(ex != never);
  EXPECT_TRUE(never == asio::require(ex, asio::execution::blocking.never));
  asio::execution_context& context =
      asio::query(ex, asio::execution::context_as<asio::execution_context&>);
  EXPECT_EQ(&context, static_cast<asio::execution_context*>(&io));

  std::vector<const CallContext*> seen;
  asio::any_io_executor erased = never;
  asio::post(erased, [&] { seen.push_back(CurrentCall()); });
  asio::co_spawn(
      ex,
      [&]() -> awaitable<void> {
        seen.push_back(CurrentCall());
        asio::steady_timer timer(co_await asio::this_coro::executor);
        timer.expires_after(5ms);
        co_await timer.async_wait(asio::use_awaitable);
        seen.push_back(CurrentCall());
        co_await asio::post(asio::use_awaitable);
        seen.push_back(CurrentCall());
      },
      asio::detached);
  io.run();
  ASSERT_EQ(seen.size(), 4u);
  for (const CallContext* c : seen) EXPECT_EQ(c, call.get());
  EXPECT_EQ(CurrentCall(), nullptr);
  {
    // A tracked copy (a work guard) holds the io_context's work only while it lives (its end
    // stops an io_context with no other work, hence last).
    auto tracked = asio::prefer(never, asio::execution::outstanding_work.tracked);
    EXPECT_EQ(asio::query(tracked, asio::execution::outstanding_work),
              asio::execution::outstanding_work.tracked);
    EXPECT_EQ(asio::query(tracked, asio::execution::blocking), asio::execution::blocking.never);
    auto again = asio::prefer(tracked, asio::execution::outstanding_work.tracked);
    EXPECT_TRUE(again == tracked);
  }
}

}  // namespace
}  // namespace periscope::rpc
