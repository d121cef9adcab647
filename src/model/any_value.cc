#include "model/any_value.h"

#include <fmt/format.h>

#include <cmath>

namespace periscope {

std::string Base64Encode(std::string_view raw) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((raw.size() + 2) / 3 * 4);
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<uint8_t>(raw[k])); };
  for (; i + 2 < raw.size(); i += 3) {
    uint32_t v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == raw.size()) {
    uint32_t v = byte(i) << 16;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == raw.size()) {
    uint32_t v = byte(i) << 16 | byte(i + 1) << 8;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string AnyValue::ToString() const {
  switch (type) {
    case ValueType::kEmpty:
      return "";
    case ValueType::kString:
    case ValueType::kArray:
    case ValueType::kKvList:
      return str;
    case ValueType::kBool:
      return int_value ? "true" : "false";
    case ValueType::kInt:
      return fmt::format("{}", int_value);
    case ValueType::kDouble:
      if (std::isfinite(double_value)) return fmt::format("{}", double_value);
      return std::isnan(double_value) ? "NaN" : (double_value > 0 ? "Infinity" : "-Infinity");
    case ValueType::kBytes:
      return Base64Encode(str);
  }
  return "";
}

bool AnyValue::operator==(const AnyValue& o) const {
  if (type != o.type) return false;
  switch (type) {
    case ValueType::kEmpty:
      return true;
    case ValueType::kBool:
    case ValueType::kInt:
      return int_value == o.int_value;
    case ValueType::kDouble:
      return double_value == o.double_value ||
             (std::isnan(double_value) && std::isnan(o.double_value));
    default:
      return str == o.str;
  }
}

const AnyValue* FindAttribute(const Attributes& attrs, std::string_view key) {
  for (const auto& kv : attrs) {
    if (kv.key == key) return &kv.value;
  }
  return nullptr;
}

}  // namespace periscope
