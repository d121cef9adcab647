#include "sdk/span_pool.h"

#include <cstdint>
#include <type_traits>
#include <variant>

namespace periscope::trace::internal {
namespace {

// Deletes what the thread's pool holds when the thread exits.
struct PoolCleanup {
  ~PoolCleanup() {
    // First, so that what the spans release below is deleted, not kept.
    thread_span_pool.ready = false;
    thread_span_pool.exited = true;
    for (size_t i = 0; i < thread_span_pool.span_count; ++i) delete thread_span_pool.spans[i];
    for (size_t i = 0; i < thread_span_pool.data_count; ++i) delete thread_span_pool.data[i];
    for (size_t i = 0; i < thread_span_pool.block_count; ++i)
      ::operator delete(thread_span_pool.blocks[i]);
    thread_span_pool.span_count = 0;
    thread_span_pool.data_count = 0;
    thread_span_pool.block_count = 0;
  }
};

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

constinit thread_local Pool thread_span_pool{};

bool MakeReady() {
  if (thread_span_pool.exited) return false;
  thread_local PoolCleanup cleanup;
  (void)cleanup;
  thread_span_pool.ready = true;
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
  if (thread_span_pool.data_count == 0) [[unlikely]]
    return new SpanData();
  return thread_span_pool.data[--thread_span_pool.data_count];
}

namespace {

// GiveSpanData's rare cases, out of its way.
[[gnu::noinline]] void KeepOrDeleteSpanData(SpanData* data) noexcept {
  if (thread_span_pool.data_count == kMaxPooled || !ReusableSpanDataSlow(*data) ||
      !(thread_span_pool.ready || MakeReady())) {
    delete data;
    return;
  }
  thread_span_pool.data[thread_span_pool.data_count++] = data;
}

}  // namespace

void KeepOrDeleteSpanBlock(void* block) noexcept {
  if (thread_span_pool.block_count == kMaxPooled || !MakeReady()) {
    ::operator delete(block);
    return;
  }
  GiveSpanBlock(block);
}

void GiveSpanData(SpanData* data) noexcept {
  if (!thread_span_pool.ready || thread_span_pool.data_count == kMaxPooled ||
      !ReusableSpanData(*data)) [[unlikely]] {
    KeepOrDeleteSpanData(data);
    return;
  }
  thread_span_pool.data[thread_span_pool.data_count++] = data;
}

}  // namespace periscope::trace::internal
