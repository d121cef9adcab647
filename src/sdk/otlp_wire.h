#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "periscope/trace/common.h"

namespace periscope::trace::internal {

// Writes protobuf wire format into a caller-owned std::string, replacing its contents: bytes go
// through a raw pointer into the string's storage, and Finish() cuts the string to what was
// written. A nested message's length is reserved as `guess` bytes before its content is written
// and patched by End(); a wrong guess moves the content once. Not synchronised.
class WireWriter {
 public:
  // A nested message being written: where its length goes and how many bytes were reserved.
  struct Nested {
    size_t length_pos;
    size_t reserved;
  };

  // Starts writing over out's current bytes (the previous batch): growing within the string's
  // capacity zero-fills only the bytes beyond them.
  explicit WireWriter(std::string& out) : out_(out), base_(out.data()), cap_(out.size()) {}
  // Sets the string's size to the bytes written.
  void Finish() { out_.resize(pos_); }

  static size_t VarintSize(uint64_t v) {
    size_t n = 1;
    while (v >= 0x80) {
      v >>= 7;
      ++n;
    }
    return n;
  }

  // Writes v as a varint at p; returns the end.
  static char* PutVarint(char* p, uint64_t v) {
    while (v >= 0x80) {
      *p++ = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    *p++ = static_cast<char>(v);
    return p;
  }

  void Varint(uint64_t v) {
    Ensure(VarintSize(v));  // exact: a batch the size of the last one never grows the string
    pos_ = static_cast<size_t>(PutVarint(base_ + pos_, v) - base_);
  }

  // Room for n bytes, written by the caller through the pointer returned; Commit(end) then keeps
  // what was written up to end (at most n bytes).
  char* Reserve(size_t n) {
    Ensure(n);
    return base_ + pos_;
  }
  void Commit(const char* end) { pos_ = static_cast<size_t>(end - base_); }
  void Tag(uint32_t field, uint32_t wire_type) { Varint(field << 3 | wire_type); }

  // Proto3 scalar fields: a zero value is not written.
  void VarintField(uint32_t field, uint64_t v) {
    if (v == 0) return;
    Tag(field, 0);
    Varint(v);
  }
  void Fixed32Field(uint32_t field, uint32_t v) {
    if (v == 0) return;
    Tag(field, 5);
    Raw(&v, 4);
  }
  void Fixed64Field(uint32_t field, uint64_t v) {
    if (v == 0) return;
    Tag(field, 1);
    Raw(&v, 8);
  }
  // A string or bytes field; empty is not written.
  void StringField(uint32_t field, std::string_view s) {
    if (!s.empty()) BytesAlways(field, s);
  }
  // A string or bytes field written even when empty (oneof members have presence).
  void BytesAlways(uint32_t field, std::string_view s) {
    Tag(field, 2);
    Varint(s.size());
    Raw(s.data(), s.size());
  }
  // A oneof scalar member, written even when zero.
  void VarintAlways(uint32_t field, uint64_t v) {
    Tag(field, 0);
    Varint(v);
  }
  void DoubleAlways(uint32_t field, double v) {
    Tag(field, 1);
    Raw(&v, 8);
  }

  // Already-encoded fields, appended as they are.
  void EncodedFields(std::string_view bytes) { Raw(bytes.data(), bytes.size()); }

  Nested Begin(uint32_t field, size_t guess) {
    Tag(field, 2);
    Ensure(guess);
    Nested n{pos_, guess};
    pos_ += guess;
    return n;
  }
  void End(Nested n);

 private:
  void Ensure(size_t n) {
    if (cap_ - pos_ < n) Grow(n);
  }
  void Grow(size_t n);
  // Little-endian hosts only (x86-64, aarch64), as protobuf's fixed32/fixed64/double are.
  void Raw(const void* p, size_t n) {
    if (n == 0) return;  // an empty string or bytes value may have no storage (p null)
    Ensure(n);
    std::memcpy(base_ + pos_, p, n);
    pos_ += n;
  }

  std::string& out_;
  char* base_;
  size_t cap_;
  size_t pos_ = 0;
};

// Writes an OTLP AnyValue message body for value.
void WriteAnyValue(WireWriter& w, const AttributeValue& value);
// Writes one KeyValue as field `field` of the enclosing message.
void WriteKeyValue(WireWriter& w, uint32_t field, std::string_view key,
                   const AttributeValue& value);
// Writes every attribute as repeated KeyValue field `field`.
void WriteAttributes(WireWriter& w, uint32_t field, const Attributes& attrs);
// Writes field 1 (Resource) of ResourceSpans/ResourceLogs: present even when resource is null.
void WriteResourceField(WireWriter& w, const Resource* resource);
// Writes field 1 (InstrumentationScope) of ScopeSpans/ScopeLogs: present even when null.
void WriteScopeField(WireWriter& w, const InstrumentationScope* scope);

// Writes items as an Export*ServiceRequest body: field 1 ResourceX { resource = 1, field 2 ScopeX
// { scope = 1, write_item(items...) } }, grouping items by (resource, scope) pointer identity in
// first-seen order. write_item(w, item) writes one item (as field 2 of ScopeX).
template <class Item, class WriteItem>
void WriteGrouped(WireWriter& w, std::span<const Item> items, WriteItem write_item) {
  if (items.empty()) return;
  const Resource* r0 = items.front().resource.get();
  const InstrumentationScope* s0 = items.front().scope.get();
  bool one_group = true;
  for (const Item& item : items) {
    if (item.resource.get() != r0 || item.scope.get() != s0) {
      one_group = false;
      break;
    }
  }
  if (one_group) {
    WireWriter::Nested rs = w.Begin(1, 3);
    WriteResourceField(w, r0);
    WireWriter::Nested ss = w.Begin(2, 3);
    WriteScopeField(w, s0);
    for (const Item& item : items) write_item(w, item);
    w.End(ss);
    w.End(rs);
    return;
  }
  struct ScopeGroup {
    const InstrumentationScope* scope;
    std::vector<const Item*> items;
  };
  struct ResourceGroup {
    const Resource* resource;
    std::vector<ScopeGroup> scopes;
  };
  std::vector<ResourceGroup> groups;
  std::map<const Resource*, size_t> resource_index;
  std::map<std::pair<const Resource*, const InstrumentationScope*>, size_t> scope_index;
  for (const Item& item : items) {
    const Resource* r = item.resource.get();
    auto [rit, new_resource] = resource_index.emplace(r, groups.size());
    if (new_resource) groups.push_back({r, {}});
    ResourceGroup& group = groups[rit->second];
    auto [sit, new_scope] =
        scope_index.emplace(std::make_pair(r, item.scope.get()), group.scopes.size());
    if (new_scope) group.scopes.push_back({item.scope.get(), {}});
    group.scopes[sit->second].items.push_back(&item);
  }
  for (const ResourceGroup& group : groups) {
    WireWriter::Nested rs = w.Begin(1, 3);
    WriteResourceField(w, group.resource);
    for (const ScopeGroup& scope : group.scopes) {
      WireWriter::Nested ss = w.Begin(2, 3);
      WriteScopeField(w, scope.scope);
      for (const Item* item : scope.items) write_item(w, *item);
      w.End(ss);
    }
    w.End(rs);
  }
}

}  // namespace periscope::trace::internal
