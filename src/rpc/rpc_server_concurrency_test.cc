#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <chrono>
#include <future>
#include <map>
#include <optional>
#include <string>

#include "periscope/rpc.h"
#include "rpc/rpc_testing.h"

// GCC 12 reports a false -Wmismatched-new-delete on asio awaitable frames (GCC bug 109224).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace periscope::rpc {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using namespace std::chrono_literals;
using testing::Echo;
using testing::EchoImpl;
using testing::EchoReply;
using testing::EchoRequest;
using testing::IoThreads;

// Outcome of a burst of calls: how many ended with each status code (by name).
using CodeCounts = std::map<std::string, int>;

// Sends `calls` Echo calls at once over one connection (TCP or in-memory) to a server that
// admits `limit` concurrent calls, on one io thread, and counts the outcomes. The calls are all
// started from one handler, so their request frames reach the server together and its read loop
// starts every call before anything else on the connection's strand runs. Sleep calls with
// `sleep_ms` > 0 suspend in their handler; Say calls finish without suspending.
CodeCounts Burst(int calls, size_t limit, bool over_tcp, int sleep_ms) {
  IoThreads io(1);
  EchoImpl impl;
  Server server(io.executor(), ServerOptions{.max_concurrent_calls = limit});
  EXPECT_TRUE(server.Register<Echo>(impl).ok());
  std::optional<Channel> channel = testing::ConnectToServer(io, server, over_tcp);
  if (!channel) return {};
  Client<Echo> client(*channel);
  CodeCounts counts;
  int done = 0;
  std::promise<void> all_done;
  EXPECT_TRUE(io.Run([&]() -> awaitable<void> {
    for (int i = 0; i < calls; ++i) {
      asio::co_spawn(
          io.io(),
          [&, i]() -> awaitable<void> {
            EchoRequest request{"call-" + std::to_string(i), sleep_ms};
            Result<EchoReply> reply = Status(StatusCode::kUnknown, "not called");
            if (sleep_ms > 0) {
              reply = co_await client.Call<Echo::Sleep>(std::move(request));
            } else {
              reply = co_await client.Call<Echo::Say>(std::move(request));
            }
            // A reply to another call counts as DATA_LOSS.
            const bool mixed_up = reply.ok() && reply->text != "call-" + std::to_string(i);
            ++counts[std::string(
                StatusCodeName(mixed_up ? StatusCode::kDataLoss : reply.status().code()))];
            if (++done == calls) all_done.set_value();
          },
          asio::detached);
    }
    co_return;
  }));
  EXPECT_EQ(all_done.get_future().wait_for(20s), std::future_status::ready);
  channel->Close();
  server.Shutdown();
  return counts;
}

// A handler that returned no longer counts towards max_concurrent_calls, even while the rest of
// its coroutine's completion still waits for the connection's strand (behind the read loop that
// dispatches the other frames of the same read).
TEST(RpcServerConcurrencyTest, HandlersThatReturnedDoNotCountTowardsTheLimit) {
  for (bool over_tcp : {false, true}) {
    CodeCounts counts = Burst(64, /*limit=*/4, over_tcp, /*sleep_ms=*/0);
    EXPECT_EQ(counts, (CodeCounts{{"OK", 64}})) << (over_tcp ? "tcp" : "in memory");
  }
}

// The limit still holds for handlers that really are running: of calls that all sleep, only
// `limit` are admitted.
TEST(RpcServerConcurrencyTest, HandlersStillRunningCountTowardsTheLimit) {
  for (bool over_tcp : {false, true}) {
    CodeCounts counts = Burst(20, /*limit=*/4, over_tcp, /*sleep_ms=*/200);
    EXPECT_EQ(counts, (CodeCounts{{"OK", 4}, {"RESOURCE_EXHAUSTED", 16}}))
        << (over_tcp ? "tcp" : "in memory");
  }
}

// Two io threads, one connection, kInFlight calls at a time: the server never runs more
// handlers than the client has calls outstanding, so a limit of kInFlight rejects none. Over the
// in-memory transport the client refills the server's queue while the read loop drains it, so
// the loop may start a long run of calls before the ends of their co_spawns get the strand.
TEST(RpcServerConcurrencyTest, TwoIoThreadsNeverExceedTheClientsConcurrency) {
  constexpr int kCalls = 3000;
  constexpr int kInFlight = 16;
  for (bool over_tcp : {false, true}) {
    IoThreads io(2);
    EchoImpl impl;
    Server server(io.executor(), ServerOptions{.max_concurrent_calls = kInFlight});
    ASSERT_TRUE(server.Register<Echo>(impl).ok());
    std::optional<Channel> channel = testing::ConnectToServer(io, server, over_tcp);
    ASSERT_TRUE(channel.has_value());
    Client<Echo> client(*channel);
    EXPECT_EQ(testing::RunSayCalls(io, client, kCalls, kInFlight), 0)
        << (over_tcp ? "tcp" : "in memory");
    EXPECT_EQ(server.stats().calls_failed, 0u) << (over_tcp ? "tcp" : "in memory");
    channel->Close();
    server.Shutdown();
  }
}

}  // namespace
}  // namespace periscope::rpc
