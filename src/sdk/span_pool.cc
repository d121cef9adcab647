#include "sdk/span_pool.h"

#include <vector>

namespace periscope::trace::internal {
namespace {

constexpr size_t kMaxPooled = 256;
constexpr size_t kMaxKeptBytes = 1024;
constexpr size_t kMaxKeptItems = 32;

// A thread's free list of T*, deleted with the thread. `exited` stays readable after the list is
// destroyed (a span released by a later thread_local destructor then deletes directly).
template <class T>
struct FreeList {
  std::vector<T*> items;
  bool* exited;

  explicit FreeList(bool* exited_flag) : exited(exited_flag) { items.reserve(kMaxPooled); }
  ~FreeList() {
    for (T* item : items) Delete(item);
    *exited = true;
  }
  static void Delete(T* item) {
    if constexpr (std::is_void_v<T>) {
      ::operator delete(item);
    } else {
      delete item;
    }
  }
};

thread_local bool data_list_exited = false;
thread_local bool block_list_exited = false;

FreeList<SpanData>& DataList() {
  thread_local FreeList<SpanData> list(&data_list_exited);
  return list;
}

FreeList<void>& BlockList() {
  thread_local FreeList<void> list(&block_list_exited);
  return list;
}

bool SmallString(const std::string& s) { return s.capacity() <= kMaxKeptBytes; }

// Whether data is worth keeping: nothing in it holds more than a small amount of memory.
bool WorthKeeping(const SpanData& data) {
  if (!SmallString(data.name) || !SmallString(data.status_message) ||
      data.attributes.capacity() > kMaxKeptItems || data.events.capacity() > kMaxKeptItems ||
      data.links.capacity() > kMaxKeptItems) {
    return false;
  }
  for (const auto& [key, value] : data.attributes) {
    if (!SmallString(key)) return false;
    if (const std::string* s = value.get_if<std::string>()) {
      if (!SmallString(*s)) return false;
    } else if (!value.get_if<int64_t>() && !value.get_if<double>() && !value.get_if<bool>() &&
               !value.empty()) {
      return false;  // bytes, arrays and lists: unbounded
    }
  }
  return true;
}

}  // namespace

SpanData* TakeSpanData() {
  if (data_list_exited) return new SpanData();
  std::vector<SpanData*>& items = DataList().items;
  if (items.empty()) return new SpanData();
  SpanData* data = items.back();
  items.pop_back();
  return data;
}

void GiveSpanData(SpanData* data) noexcept {
  if (data_list_exited || !WorthKeeping(*data)) {
    delete data;
    return;
  }
  std::vector<SpanData*>& items = DataList().items;
  if (items.size() >= kMaxPooled) {
    delete data;
    return;
  }
  // Events and links hold attributes of their own; their vectors keep only their capacity.
  data->events.clear();
  data->links.clear();
  items.push_back(data);
}

void* TakeSpanBlock() {
  if (block_list_exited) return ::operator new(kSpanBlockSize);
  std::vector<void*>& items = BlockList().items;
  if (items.empty()) return ::operator new(kSpanBlockSize);
  void* block = items.back();
  items.pop_back();
  return block;
}

void GiveSpanBlock(void* block) noexcept {
  if (block_list_exited) {
    ::operator delete(block);
    return;
  }
  std::vector<void*>& items = BlockList().items;
  if (items.size() >= kMaxPooled) {
    ::operator delete(block);
    return;
  }
  items.push_back(block);
}

}  // namespace periscope::trace::internal
