#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace periscope {

// OTLP AnyValue kinds. Arrays and key/value lists keep their OTLP JSON text in `str`.
enum class ValueType : uint8_t {
  kEmpty = 0,
  kString = 1,
  kBool = 2,
  kInt = 3,
  kDouble = 4,
  kBytes = 5,
  kArray = 6,
  kKvList = 7,
};

// One attribute value: a tagged scalar, raw bytes, or JSON text of a nested value. Value type.
struct AnyValue {
  ValueType type = ValueType::kEmpty;
  int64_t int_value = 0;  // kInt, and kBool as 0/1
  double double_value = 0;
  std::string str;  // kString, kBytes (raw), kArray and kKvList (JSON text)

  static AnyValue String(std::string s) { return {ValueType::kString, 0, 0, std::move(s)}; }
  static AnyValue Int(int64_t v) { return {ValueType::kInt, v, 0, {}}; }
  static AnyValue Double(double v) { return {ValueType::kDouble, 0, v, {}}; }
  static AnyValue Bool(bool v) { return {ValueType::kBool, v ? 1 : 0, 0, {}}; }
  static AnyValue Bytes(std::string v) { return {ValueType::kBytes, 0, 0, std::move(v)}; }

  // Display form: strings as they are, numbers in shortest round-trip form, bools as
  // true/false, bytes as base64, arrays and maps as JSON. Used by tag filters and Jaeger.
  std::string ToString() const;
  bool operator==(const AnyValue& o) const;
};

struct KeyValue {
  std::string key;
  AnyValue value;
  bool operator==(const KeyValue&) const = default;
};

using Attributes = std::vector<KeyValue>;

// Returns the value of `key`, or nullptr.
const AnyValue* FindAttribute(const Attributes& attrs, std::string_view key);

std::string Base64Encode(std::string_view raw);

}  // namespace periscope
