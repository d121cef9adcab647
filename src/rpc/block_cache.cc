#include "rpc/block_cache.h"

#include <atomic>

namespace periscope::rpc::internal {
namespace {

struct FreeBlock {
  FreeBlock* next;
};

std::atomic<uint64_t> system_allocations{0};
std::atomic<uint64_t> system_frees{0};

// One thread's free lists; returns every cached block to the system when the thread exits.
struct ThreadLists {
  FreeBlock* head[BlockCache::kClasses] = {};
  uint32_t count[BlockCache::kClasses] = {};
  ~ThreadLists();
};

// 0: lists not used yet on this thread, 1: in use, 2: destroyed (thread exit: the system's
// allocator serves the rest of this thread's life). Trivially destructible, so always readable.
thread_local uint8_t lists_state = 0;
thread_local ThreadLists lists;

size_t ClassBytes(size_t c) { return (c + 1) * BlockCache::kClassBytes; }

ThreadLists::~ThreadLists() {
  lists_state = 2;
  for (size_t c = 0; c < BlockCache::kClasses; ++c) {
    while (FreeBlock* b = head[c]) {
      head[c] = b->next;
      ::operator delete(b, ClassBytes(c));
      system_frees.fetch_add(1, std::memory_order_relaxed);
    }
    count[c] = 0;
  }
}

// This thread's lists, or null after they were destroyed.
ThreadLists* Lists() {
  if (lists_state == 2) return nullptr;
  lists_state = 1;
  return &lists;
}

}  // namespace

void* BlockCache::Allocate(size_t bytes) {
  const size_t c = bytes == 0 ? 0 : (bytes - 1) / kClassBytes;
  if (c >= kClasses) return ::operator new(bytes);
  if (ThreadLists* l = Lists(); l != nullptr && l->head[c] != nullptr) {
    FreeBlock* b = l->head[c];
    l->head[c] = b->next;
    --l->count[c];
    return b;
  }
  void* block = ::operator new(ClassBytes(c));
  system_allocations.fetch_add(1, std::memory_order_relaxed);
  return block;
}

void BlockCache::Deallocate(void* block, size_t bytes) noexcept {
  if (block == nullptr) return;
  const size_t c = bytes == 0 ? 0 : (bytes - 1) / kClassBytes;
  if (c >= kClasses) {
    ::operator delete(block, bytes);
    return;
  }
  if (ThreadLists* l = Lists(); l != nullptr && l->count[c] < kMaxCached) {
    auto* b = static_cast<FreeBlock*>(block);
    b->next = l->head[c];
    l->head[c] = b;
    ++l->count[c];
    return;
  }
  ::operator delete(block, ClassBytes(c));
  system_frees.fetch_add(1, std::memory_order_relaxed);
}

size_t BlockCache::CachedOnThisThread() {
  ThreadLists* l = Lists();
  if (l == nullptr) return 0;
  size_t n = 0;
  for (uint32_t count : l->count) n += count;
  return n;
}

uint64_t BlockCache::SystemAllocations() {
  return system_allocations.load(std::memory_order_relaxed);
}

uint64_t BlockCache::SystemFrees() { return system_frees.load(std::memory_order_relaxed); }

}  // namespace periscope::rpc::internal
