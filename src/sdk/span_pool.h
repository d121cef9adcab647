#pragma once

#include <cstddef>
#include <new>
#include <utility>

#include "periscope/trace/span.h"

// Per-thread free lists that let a span start and end without touching malloc once a thread has
// warmed up: released spans (with their data and tracer reference), span data whose strings and
// vectors keep their capacity, and fixed-size blocks for the span's shared_ptr control block.
namespace periscope::trace::internal {

inline constexpr size_t kMaxPooled = 256;

// A thread's free lists. Plain data, constant-initialised and without a destructor, so reaching
// it from the inline functions below costs no initialisation check; a cleanup registered by
// MakeReady empties it when the thread exits.
struct Pool {
  Span* spans[kMaxPooled];
  SpanData* data[kMaxPooled];
  void* blocks[kMaxPooled];
  size_t span_count;
  size_t data_count;
  size_t block_count;
  // Set once the cleanup is registered, cleared when it ran: only then is anything kept (a span
  // released by a later thread_local destructor is deleted directly).
  bool ready;
  bool exited;
};
extern constinit thread_local Pool thread_span_pool;

// Registers this thread's cleanup (once, unless the thread is exiting); whether the pool keeps
// items now.
[[gnu::noinline]] bool MakeReady();

// Span data for a new recording span, from this thread's free list (or new). Its events and
// links are empty; its other fields hold whatever an earlier span left: the caller overwrites
// every one of them.
SpanData* TakeSpanData();
// Back to this thread's free list; data holding large strings or vectors is deleted instead, so a
// thread keeps a bounded amount of memory.
void GiveSpanData(SpanData* data) noexcept;

// A recording span released by its last owner, from this thread's free list (null when empty):
// it keeps its tracer reference and its data (recycled like TakeSpanData's). Its context, state
// and data are overwritten by the caller before it is shared again.
inline Span* TakeSpan() noexcept {
  Pool& pool = thread_span_pool;
  if (pool.span_count == 0) [[unlikely]]
    return nullptr;
  return pool.spans[--pool.span_count];
}
// Keeps a released span on this thread's free list; false when the list is full or the thread is
// exiting (the caller deletes the span). Its data must be reusable (see ReusableSpanData).
inline bool KeepSpan(Span* span) noexcept {
  Pool& pool = thread_span_pool;
  if (!pool.ready || pool.span_count == kMaxPooled) [[unlikely]] {
    if (pool.span_count == kMaxPooled || !MakeReady()) return false;
  }
  pool.spans[pool.span_count++] = span;
  return true;
}
inline constexpr size_t kMaxKeptBytes = 1024;  // per string
inline constexpr size_t kMaxKeptItems = 32;    // per vector

// Whether data may be recycled (clearing its events and links): false when it holds large strings
// or vectors, which a thread keeps no more of than a bounded amount.
bool ReusableSpanDataSlow(SpanData& data) noexcept;
[[gnu::always_inline]] inline bool ReusableSpanData(SpanData& data) noexcept {
  // Decided here in the common case: no attributes, events or links of its own, short strings.
  if (data.attributes.empty() && data.events.empty() && data.links.empty() &&
      data.name.capacity() <= kMaxKeptBytes && data.status_message.capacity() <= kMaxKeptBytes &&
      data.attributes.capacity() <= kMaxKeptItems && data.events.capacity() <= kMaxKeptItems &&
      data.links.capacity() <= kMaxKeptItems) [[likely]] {
    return true;
  }
  return ReusableSpanDataSlow(data);
}

// Hands an ended span's data to a batch queue slot that holds an already exported span. Plain
// fields and the name are copied; the other strings, vectors and shared pointers are exchanged,
// so `span` takes the slot's old ones (capacity intact) back to the span free list and nothing
// is released here. Cheaper than swap(SpanData&, SpanData&): `span` is overwritten before reuse, so
// its plain fields need not be kept.
inline void MoveSpanDataToSlot(SpanData& slot, SpanData& span) noexcept {
  slot.context.trace_id = span.context.trace_id;
  slot.context.span_id = span.context.span_id;
  slot.context.flags = span.context.flags;
  slot.context.is_remote = span.context.is_remote;
  if (!slot.context.trace_state.empty() || !span.context.trace_state.empty()) {
    std::swap(slot.context.trace_state, span.context.trace_state);
  }
  slot.parent_span_id = span.parent_span_id;
  slot.parent_is_remote = span.parent_is_remote;
  // Copied into the slot's own buffer (most often long enough already): the span data keeps its
  // name, most often its next name too (see FillSpanData), and the slot's old text, out of the
  // cache by now, is never read.
  slot.name.assign(span.name);
  slot.kind = span.kind;
  slot.start_time = span.start_time;
  slot.end_time = span.end_time;
  // Each of these is most often empty, or the same, on both sides.
  if (!slot.attributes.empty() || !span.attributes.empty()) slot.attributes.swap(span.attributes);
  if (slot.shared_attributes != span.shared_attributes) {
    slot.shared_attributes.swap(span.shared_attributes);
  }
  if (!slot.events.empty() || !span.events.empty()) slot.events.swap(span.events);
  if (!slot.links.empty() || !span.links.empty()) slot.links.swap(span.links);
  slot.status = span.status;
  // A status message is rare: both empty is the common case.
  if (!slot.status_message.empty() || !span.status_message.empty()) {
    slot.status_message = std::move(span.status_message);
  }
  slot.dropped_attributes = span.dropped_attributes;
  slot.dropped_events = span.dropped_events;
  slot.dropped_links = span.dropped_links;
  // Spans of one provider and tracer share these: equal is the common case.
  if (slot.resource != span.resource) slot.resource.swap(span.resource);
  if (slot.scope != span.scope) slot.scope.swap(span.scope);
}

// Room for the control block of a recycled span's shared_ptr (the span itself is recycled whole).
inline constexpr size_t kSpanBlockSize = 64;
// GiveSpanBlock's rare case: the list is full or not ready.
[[gnu::noinline]] void KeepOrDeleteSpanBlock(void* block) noexcept;
// One block of kSpanBlockSize bytes from this thread's free list (or operator new), and back.
// Inline: a traced call takes and gives one.
inline void* TakeSpanBlock() {
  Pool& pool = thread_span_pool;
  if (pool.block_count == 0) [[unlikely]]
    return ::operator new(kSpanBlockSize);
  return pool.blocks[--pool.block_count];
}
inline void GiveSpanBlock(void* block) noexcept {
  Pool& pool = thread_span_pool;
  if (!pool.ready || pool.block_count == kMaxPooled) [[unlikely]] {
    KeepOrDeleteSpanBlock(block);
    return;
  }
  pool.blocks[pool.block_count++] = block;
}

// Allocator of a span's shared_ptr control block, from the block free list. Stateless; blocks may
// be released on any thread.
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
