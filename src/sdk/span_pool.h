#pragma once

#include <cstddef>
#include <new>

#include "periscope/trace/span.h"

// Per-thread free lists that let a span start and end without touching malloc once a thread has
// warmed up: span data whose strings and vectors keep their capacity, and fixed-size blocks for
// the span's shared_ptr allocation.
namespace periscope::trace::internal {

// Span data for a new recording span, from this thread's free list (or new). Its fields hold
// whatever an earlier span left: the caller overwrites every one of them.
SpanData* TakeSpanData();
// Back to this thread's free list; data holding large strings or vectors is deleted instead, so a
// thread keeps a bounded amount of memory.
void GiveSpanData(SpanData* data) noexcept;

inline constexpr size_t kSpanBlockSize = 256;
// One block of kSpanBlockSize bytes from this thread's free list (or operator new), and back.
void* TakeSpanBlock();
void GiveSpanBlock(void* block) noexcept;

// Allocator for std::allocate_shared<Span>: the span and its control block come from the block
// free list. Stateless; blocks may be released on any thread.
template <class T>
struct SpanBlockAllocator {
  using value_type = T;
  SpanBlockAllocator() = default;
  template <class U>
  SpanBlockAllocator(const SpanBlockAllocator<U>&) noexcept {}  // NOLINT

  T* allocate(size_t n) {
    static_assert(sizeof(T) <= kSpanBlockSize && alignof(T) <= alignof(std::max_align_t));
    if (n != 1) return static_cast<T*>(::operator new(n * sizeof(T)));
    return static_cast<T*>(TakeSpanBlock());
  }
  void deallocate(T* p, size_t n) noexcept {
    if (n != 1) {
      ::operator delete(p);
      return;
    }
    GiveSpanBlock(p);
  }
  template <class U>
  bool operator==(const SpanBlockAllocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace periscope::trace::internal
