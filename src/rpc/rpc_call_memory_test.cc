#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>

#include "periscope/rpc.h"
#include "rpc/block_cache.h"
#include "rpc/rpc_testing.h"

// GCC 12 reports a false -Wmismatched-new-delete on asio awaitable frames (GCC bug 109224).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace periscope::rpc {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using namespace std::chrono_literals;
using internal::BlockCache;
using testing::Echo;
using testing::EchoImpl;
using testing::EchoReply;
using testing::EchoRequest;
using testing::IoThreads;

uint64_t Outstanding() { return BlockCache::SystemAllocations() - BlockCache::SystemFrees(); }

// Runs `calls` Echo.Say calls, `in_flight` at a time, over one connection served by `threads`
// io threads; every reply must be right. Everything (threads, server, connection) is gone on
// return.
void RunCalls(int calls, int in_flight, bool over_tcp, int threads) {
  IoThreads io(threads);
  EchoImpl impl;
  Server server(io.executor());
  ASSERT_TRUE(server.Register<Echo>(impl).ok());
  std::optional<Channel> channel;
  if (over_tcp) {
    Result<uint16_t> port = server.ListenTcp("127.0.0.1", 0);
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    ASSERT_TRUE(io.Run([&]() -> awaitable<void> {
      Result<Channel> c = co_await Channel::ConnectTcp(io.executor(), "127.0.0.1", *port);
      EXPECT_TRUE(c.ok()) << c.status().ToString();
      if (c.ok()) channel = *c;
    }));
  } else {
    Result<Channel> c = server.ConnectInMemory(io.executor());
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    channel = *c;
  }
  ASSERT_TRUE(channel.has_value());
  Client<Echo> client(*channel);
  std::atomic<int> next{0};
  std::atomic<int> failures{0};
  std::atomic<int> running{in_flight};
  std::promise<void> all_done;
  for (int w = 0; w < in_flight; ++w) {
    asio::co_spawn(
        io.io(),
        [&]() -> awaitable<void> {
          for (int i = next++; i < calls; i = next++) {
            EchoRequest request{"call-" + std::to_string(i) + std::string(100, 'x')};
            Result<EchoReply> reply = co_await client.Call<Echo::Say>(std::move(request));
            if (!reply.ok() || reply->text != "call-" + std::to_string(i) + std::string(100, 'x')) {
              ++failures;
            }
          }
          if (--running == 0) all_done.set_value();
        },
        asio::detached);
  }
  ASSERT_EQ(all_done.get_future().wait_for(20s), std::future_status::ready);
  EXPECT_EQ(failures.load(), 0);
  channel->Close();
  server.Shutdown();
}

// ASan-style accounting of the per-call objects kept in BlockCache (call state and context,
// the handler executor's state, table entries, reply waiters, client requests): once the
// threads that served the calls exited, every block taken from the system was returned, except
// those this (main) thread still caches.
TEST(RpcCallMemoryTest, EveryBlockOfManyCallsIsFreedOrCachedAfterShutdown) {
  for (bool over_tcp : {true, false}) {
    const uint64_t outstanding_before = Outstanding();
    const size_t cached_before = BlockCache::CachedOnThisThread();
    RunCalls(2000, 16, over_tcp, /*threads=*/2);
    EXPECT_EQ(Outstanding() - outstanding_before, BlockCache::CachedOnThisThread() - cached_before)
        << (over_tcp ? "tcp" : "in memory");
  }
}

// On one io thread, calls reuse the blocks of the calls before them: a long run takes about as
// many blocks from the system as 16 calls in flight hold at once, not some per call.
TEST(RpcCallMemoryTest, CallsReuseBlocksInsteadOfAllocatingPerCall) {
  const uint64_t before = BlockCache::SystemAllocations();
  RunCalls(4000, 16, /*over_tcp=*/true, /*threads=*/1);
  const uint64_t taken = BlockCache::SystemAllocations() - before;
  EXPECT_LT(taken, 4000u / 4) << taken << " blocks taken from the system for 4000 calls";
}

}  // namespace
}  // namespace periscope::rpc
