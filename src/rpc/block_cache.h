#pragma once

#include <cstddef>
#include <cstdint>
#include <new>

namespace periscope::rpc::internal {

// Per-thread free lists of small memory blocks (size classes of kClassBytes up to
// kClasses * kClassBytes) for the objects every call allocates and frees: its state, its entry
// in the connection's table, the waiter of its reply. With many calls in flight these outlive
// glibc's per-thread cache (7 blocks per size), and malloc + free cost ~150 instructions
// against ~10 here. A block freed on another thread joins that thread's lists. Each list keeps
// at most kMaxCached blocks (the rest go back to the system), and a thread's lists are released
// when it exits. Thread-safe.
class BlockCache {
 public:
  static constexpr size_t kClassBytes = 64;
  static constexpr size_t kClasses = 8;
  static constexpr size_t kMaxCached = 128;

  // A block of at least `bytes` (aligned like operator new); bigger requests go to operator
  // new. Throws std::bad_alloc like operator new.
  static void* Allocate(size_t bytes);
  // Returns a block from Allocate with the same `bytes`.
  static void Deallocate(void* block, size_t bytes) noexcept;

  // Blocks on this thread's free lists.
  static size_t CachedOnThisThread();
  // Blocks of the size classes obtained from and returned to the system, all threads together
  // (for leak checks: equal once every thread that used the cache has exited).
  static uint64_t SystemAllocations();
  static uint64_t SystemFrees();
};

// A standard allocator over BlockCache, for allocate_shared and containers' nodes. Stateless.
template <class T>
struct CachedAllocator {
  static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__, "over-aligned type");
  using value_type = T;

  CachedAllocator() = default;
  template <class U>
  CachedAllocator(const CachedAllocator<U>&) noexcept {}  // NOLINT: rebinding is implicit

  T* allocate(size_t n) { return static_cast<T*>(BlockCache::Allocate(n * sizeof(T))); }
  void deallocate(T* p, size_t n) noexcept { BlockCache::Deallocate(p, n * sizeof(T)); }

  template <class U>
  bool operator==(const CachedAllocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace periscope::rpc::internal
