#include "rpc/block_cache.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace periscope::rpc::internal {
namespace {

// Runs f on a thread of its own, so that its free lists start empty and are released at exit.
template <class F>
void OnNewThread(F f) {
  std::thread t(f);
  t.join();
}

uint64_t Outstanding() { return BlockCache::SystemAllocations() - BlockCache::SystemFrees(); }

TEST(RpcBlockCacheTest, ReusesAFreedBlockOfTheSameClass) {
  OnNewThread([] {
    void* a = BlockCache::Allocate(100);
    BlockCache::Deallocate(a, 100);
    EXPECT_EQ(BlockCache::CachedOnThisThread(), 1u);
    const uint64_t before = BlockCache::SystemAllocations();
    // 65..128 bytes share a class: the freed block comes back.
    void* b = BlockCache::Allocate(70);
    EXPECT_EQ(b, a);
    EXPECT_EQ(BlockCache::SystemAllocations(), before);
    EXPECT_EQ(BlockCache::CachedOnThisThread(), 0u);
    // Another class does not take it.
    BlockCache::Deallocate(b, 70);
    void* c = BlockCache::Allocate(10);
    EXPECT_NE(c, a);
    std::memset(c, 0xab, 10);
    BlockCache::Deallocate(c, 10);
  });
}

TEST(RpcBlockCacheTest, WavesOfManyBlocksReachTheSystemOnlyOnce) {
  OnNewThread([] {
    const uint64_t before = BlockCache::SystemAllocations();
    std::vector<void*> blocks;
    for (int wave = 0; wave < 10; ++wave) {
      for (int i = 0; i < 16; ++i) blocks.push_back(BlockCache::Allocate(200));
      for (void* b : blocks) BlockCache::Deallocate(b, 200);
      blocks.clear();
    }
    EXPECT_EQ(BlockCache::SystemAllocations() - before, 16u);
    EXPECT_EQ(BlockCache::CachedOnThisThread(), 16u);
  });
}

TEST(RpcBlockCacheTest, KeepsAtMostMaxCachedPerClass) {
  OnNewThread([] {
    const uint64_t frees_before = BlockCache::SystemFrees();
    std::vector<void*> blocks;
    const size_t n = BlockCache::kMaxCached + 10;
    for (size_t i = 0; i < n; ++i) blocks.push_back(BlockCache::Allocate(64));
    for (void* b : blocks) BlockCache::Deallocate(b, 64);
    EXPECT_EQ(BlockCache::CachedOnThisThread(), BlockCache::kMaxCached);
    EXPECT_EQ(BlockCache::SystemFrees() - frees_before, 10u);
  });
}

TEST(RpcBlockCacheTest, BigBlocksBypassTheLists) {
  OnNewThread([] {
    const uint64_t before = BlockCache::SystemAllocations();
    const size_t big = BlockCache::kClasses * BlockCache::kClassBytes + 1;
    void* p = BlockCache::Allocate(big);
    std::memset(p, 1, big);
    BlockCache::Deallocate(p, big);
    EXPECT_EQ(BlockCache::CachedOnThisThread(), 0u);
    EXPECT_EQ(BlockCache::SystemAllocations(), before);
  });
}

TEST(RpcBlockCacheTest, ThreadExitReleasesEveryCachedBlock) {
  const uint64_t before = Outstanding();
  OnNewThread([] {
    std::vector<void*> blocks;
    for (size_t size : {8, 64, 65, 300, 512}) {
      for (int i = 0; i < 20; ++i) blocks.push_back(BlockCache::Allocate(size));
      for (void* b : blocks) BlockCache::Deallocate(b, size);
      blocks.clear();
    }
    EXPECT_GT(BlockCache::CachedOnThisThread(), 0u);
  });
  EXPECT_EQ(Outstanding(), before);
}

TEST(RpcBlockCacheTest, BlockFreedOnAnotherThreadJoinsThatThreadsLists) {
  const uint64_t before = Outstanding();
  void* block = nullptr;
  OnNewThread([&block] { block = BlockCache::Allocate(128); });
  OnNewThread([block] {
    BlockCache::Deallocate(block, 128);
    EXPECT_EQ(BlockCache::CachedOnThisThread(), 1u);
    EXPECT_EQ(BlockCache::Allocate(100), block);
    BlockCache::Deallocate(block, 100);
  });
  EXPECT_EQ(Outstanding(), before);
}

TEST(RpcCachedAllocatorTest, SharedPointersAndMapNodesComeFromTheLists) {
  const uint64_t before = Outstanding();
  OnNewThread([] {
    struct State {
      std::string name;
      int64_t value = 0;
    };
    const uint64_t allocs = BlockCache::SystemAllocations();
    for (int i = 0; i < 100; ++i) {
      std::shared_ptr<State> s = std::allocate_shared<State>(CachedAllocator<State>());
      s->value = i;
    }
    EXPECT_EQ(BlockCache::SystemAllocations() - allocs, 1u);
    using Map =
        std::unordered_map<uint64_t, std::shared_ptr<State>, std::hash<uint64_t>,
                           std::equal_to<uint64_t>,
                           CachedAllocator<std::pair<const uint64_t, std::shared_ptr<State>>>>;
    Map map;
    map.reserve(64);
    const uint64_t map_allocs = BlockCache::SystemAllocations();
    for (uint64_t id = 1; id <= 1000; ++id) {
      map.emplace(id, nullptr);
      if (map.size() == 16) map.clear();
    }
    // 16 nodes at most were ever live at once.
    EXPECT_LE(BlockCache::SystemAllocations() - map_allocs, 16u);
  });
  EXPECT_EQ(Outstanding(), before);
}

}  // namespace
}  // namespace periscope::rpc::internal
