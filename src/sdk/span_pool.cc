#include "sdk/span_pool.h"

#include <cstdint>
#include <type_traits>
#include <variant>

namespace periscope::trace::internal {
namespace {

constexpr size_t kMaxPooled = 256;

// A thread's free lists. Plain data (no constructor or destructor), so reaching it costs no
// initialisation check; PoolCleanup empties it when the thread exits.
struct Pool {
  Span* spans[kMaxPooled];
  SpanData* data[kMaxPooled];
  void* blocks[kMaxPooled];
  size_t span_count;
  size_t data_count;
  size_t block_count;
  // Set once PoolCleanup is registered, cleared when it ran: only then is anything kept (a span
  // released by a later thread_local destructor is deleted directly).
  bool ready;
  bool exited;
};

thread_local Pool pool;

// Deletes what the thread's pool holds when the thread exits.
struct PoolCleanup {
  ~PoolCleanup() {
    // First, so that what the spans release below is deleted, not kept.
    pool.ready = false;
    pool.exited = true;
    for (size_t i = 0; i < pool.span_count; ++i) delete pool.spans[i];
    for (size_t i = 0; i < pool.data_count; ++i) delete pool.data[i];
    for (size_t i = 0; i < pool.block_count; ++i) ::operator delete(pool.blocks[i]);
    pool.span_count = 0;
    pool.data_count = 0;
    pool.block_count = 0;
  }
};

// Registers this thread's PoolCleanup (once, unless the thread is exiting); whether the pool
// keeps items now.
[[gnu::noinline]] bool MakeReady() {
  if (pool.exited) return false;
  thread_local PoolCleanup cleanup;
  (void)cleanup;
  pool.ready = true;
  return true;
}

[[gnu::always_inline]] inline bool SmallString(const std::string& s) {
  return s.capacity() <= kMaxKeptBytes;
}

// Whether data is worth keeping: nothing in it holds more than a small amount of memory.
[[gnu::always_inline]] inline bool WorthKeeping(const SpanData& data) {
  if (!SmallString(data.name) || !SmallString(data.status_message) ||
      data.attributes.capacity() > kMaxKeptItems || data.events.capacity() > kMaxKeptItems ||
      data.links.capacity() > kMaxKeptItems) {
    return false;
  }
  constexpr size_t kString = 4;  // AttributeValue::Storage's index of std::string
  static_assert(
      std::is_same_v<std::variant_alternative_t<kString, AttributeValue::Storage>, std::string>);
  for (const auto& [key, value] : data.attributes) {
    if (!SmallString(key)) return false;
    const AttributeValue::Storage& v = value.storage();
    // Empty, bool, int64 and double come before the string; bytes, arrays and lists (after it)
    // are unbounded.
    if (v.index() > kString) return false;
    if (v.index() == kString && !SmallString(*std::get_if<kString>(&v))) return false;
  }
  return true;
}

}  // namespace

Span* TakeSpan() noexcept {
  if (pool.span_count == 0) [[unlikely]]
    return nullptr;
  return pool.spans[--pool.span_count];
}

bool KeepSpan(Span* span) noexcept {
  if (!pool.ready || pool.span_count == kMaxPooled) [[unlikely]] {
    if (pool.span_count == kMaxPooled || !MakeReady()) return false;
  }
  pool.spans[pool.span_count++] = span;
  return true;
}

bool ReusableSpanDataSlow(SpanData& data) noexcept {
  if (!WorthKeeping(data)) return false;
  // Events and links hold attributes of their own; their vectors keep only their capacity.
  if (!data.events.empty()) [[unlikely]]
    data.events.clear();
  if (!data.links.empty()) [[unlikely]]
    data.links.clear();
  return true;
}

SpanData* TakeSpanData() {
  if (pool.data_count == 0) [[unlikely]]
    return new SpanData();
  return pool.data[--pool.data_count];
}

namespace {

// GiveSpanData's rare cases, out of its way.
[[gnu::noinline]] void KeepOrDeleteSpanData(SpanData* data) noexcept {
  if (pool.data_count == kMaxPooled || !ReusableSpanDataSlow(*data) ||
      !(pool.ready || MakeReady())) {
    delete data;
    return;
  }
  pool.data[pool.data_count++] = data;
}

[[gnu::noinline]] void KeepOrDeleteSpanBlock(void* block) noexcept {
  if (pool.block_count == kMaxPooled || !MakeReady()) {
    ::operator delete(block);
    return;
  }
  GiveSpanBlock(block);
}

}  // namespace

void GiveSpanData(SpanData* data) noexcept {
  if (!pool.ready || pool.data_count == kMaxPooled || !ReusableSpanData(*data)) [[unlikely]] {
    KeepOrDeleteSpanData(data);
    return;
  }
  pool.data[pool.data_count++] = data;
}

void* TakeSpanBlock() {
  if (pool.block_count == 0) [[unlikely]]
    return ::operator new(kSpanBlockSize);
  return pool.blocks[--pool.block_count];
}

void GiveSpanBlock(void* block) noexcept {
  if (!pool.ready || pool.block_count == kMaxPooled) [[unlikely]] {
    KeepOrDeleteSpanBlock(block);
    return;
  }
  pool.blocks[pool.block_count++] = block;
}

}  // namespace periscope::trace::internal
