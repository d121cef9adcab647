#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "periscope/rpc.h"
#include "rpc/block_cache.h"
#include "rpc/rpc_testing.h"

namespace periscope::rpc {
namespace {

using internal::BlockCache;
using testing::Echo;
using testing::EchoImpl;
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
  std::optional<Channel> channel = testing::ConnectToServer(io, server, over_tcp);
  ASSERT_TRUE(channel.has_value());
  Client<Echo> client(*channel);
  EXPECT_EQ(testing::RunSayCalls(io, client, calls, in_flight, /*padding=*/100), 0);
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
