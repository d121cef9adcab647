#include "sdk/otlp_wire.h"

#include <algorithm>
#include <optional>
#include <variant>

namespace periscope::trace::internal {
namespace {

// OTLP field numbers (opentelemetry/proto/common/v1/common.proto).
constexpr uint32_t kAnyString = 1, kAnyBool = 2, kAnyInt = 3, kAnyDouble = 4, kAnyArray = 5,
                   kAnyKvlist = 6, kAnyBytes = 7;
constexpr uint32_t kListValues = 1;  // ArrayValue.values, KeyValueList.values
constexpr uint32_t kKeyValueKey = 1, kKeyValueValue = 2;
constexpr uint32_t kScopeName = 1, kScopeVersion = 2;
constexpr uint32_t kResourceAttributes = 1;

// Writes the fields of one AnyValue (the std::visit visitor of WriteAnyValue).
struct AnyValueWriter {
  WireWriter& w;
  void operator()(std::monostate) const {}
  void operator()(bool v) const { w.VarintAlways(kAnyBool, v ? 1 : 0); }
  void operator()(int64_t v) const { w.VarintAlways(kAnyInt, static_cast<uint64_t>(v)); }
  void operator()(double v) const { w.DoubleAlways(kAnyDouble, v); }
  void operator()(const std::string& v) const { w.BytesAlways(kAnyString, v); }
  void operator()(const Bytes& v) const {
    w.BytesAlways(kAnyBytes, {reinterpret_cast<const char*>(v.data.data()), v.data.size()});
  }
  void operator()(const AttributeArray& v) const {
    WireWriter::Nested array = w.Begin(kAnyArray, 1);
    for (const AttributeValue& e : v) {
      WireWriter::Nested value = w.Begin(kListValues, 1);
      WriteAnyValue(w, e);
      w.End(value);
    }
    w.End(array);
  }
  void operator()(const Attributes& v) const {
    WireWriter::Nested list = w.Begin(kAnyKvlist, 1);
    WriteAttributes(w, kListValues, v);
    w.End(list);
  }
};

}  // namespace

void WireWriter::Grow(size_t n) {
  // resize() zero-fills what it exposes, so expose little beyond the need: past the capacity,
  // std::string reallocates geometrically anyway.
  const size_t want = pos_ + n;
  out_.resize(want + want / 8 + 256);
  base_ = out_.data();
  cap_ = out_.size();
}

void WireWriter::End(Nested n) {
  const size_t start = n.length_pos + n.reserved;
  const size_t length = pos_ - start;
  const size_t need = VarintSize(length);
  if (need != n.reserved) {
    if (need > n.reserved) Ensure(need - n.reserved);
    std::memmove(base_ + n.length_pos + need, base_ + start, length);
    pos_ = n.length_pos + need + length;
  }
  char* p = base_ + n.length_pos;
  uint64_t v = length;
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p = static_cast<char>(v);
}

void WriteAnyValue(WireWriter& w, const AttributeValue& value) {
  std::visit(AnyValueWriter{w}, value.storage());
}

namespace {

// The encoded size of a scalar AnyValue (all but arrays and kvlists), else nullopt.
struct ScalarSize {
  std::optional<size_t> operator()(std::monostate) const { return 0; }
  std::optional<size_t> operator()(bool) const { return 2; }
  std::optional<size_t> operator()(int64_t v) const {
    return 1 + WireWriter::VarintSize(static_cast<uint64_t>(v));
  }
  std::optional<size_t> operator()(double) const { return 9; }
  std::optional<size_t> operator()(const std::string& v) const { return Delimited(v.size()); }
  std::optional<size_t> operator()(const Bytes& v) const { return Delimited(v.data.size()); }
  std::optional<size_t> operator()(const AttributeArray&) const { return std::nullopt; }
  std::optional<size_t> operator()(const Attributes&) const { return std::nullopt; }
  static size_t Delimited(size_t n) { return 1 + WireWriter::VarintSize(n) + n; }
};

}  // namespace

void WriteKeyValue(WireWriter& w, uint32_t field, std::string_view key,
                   const AttributeValue& value) {
  if (std::optional<size_t> any_size = std::visit(ScalarSize{}, value.storage())) {
    // Exact lengths up front: the common case needs no back-patching.
    size_t kv_size = 1 + WireWriter::VarintSize(*any_size) + *any_size;
    if (!key.empty()) kv_size += 1 + WireWriter::VarintSize(key.size()) + key.size();
    w.Tag(field, 2);
    w.Varint(kv_size);
    w.StringField(kKeyValueKey, key);
    w.Tag(kKeyValueValue, 2);
    w.Varint(*any_size);
    WriteAnyValue(w, value);
    return;
  }
  WireWriter::Nested kv = w.Begin(field, 1);
  w.StringField(kKeyValueKey, key);
  WireWriter::Nested any = w.Begin(kKeyValueValue, 1);
  WriteAnyValue(w, value);
  w.End(any);
  w.End(kv);
}

void WriteAttributes(WireWriter& w, uint32_t field, const Attributes& attrs) {
  for (const auto& [k, v] : attrs) WriteKeyValue(w, field, k, v);
}

void WriteResourceField(WireWriter& w, const Resource* resource) {
  WireWriter::Nested r = w.Begin(1, 2);
  if (resource) WriteAttributes(w, kResourceAttributes, resource->attributes);
  w.End(r);
}

void WriteScopeField(WireWriter& w, const InstrumentationScope* scope) {
  WireWriter::Nested s = w.Begin(1, 1);
  if (scope) {
    w.StringField(kScopeName, scope->name);
    w.StringField(kScopeVersion, scope->version);
  }
  w.End(s);
}

}  // namespace periscope::trace::internal
