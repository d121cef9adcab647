#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace periscope {

// Fixed-size binary identifier (16-byte trace id, 8-byte span id). Value type.
template <size_t N>
struct BinaryId {
  std::array<uint8_t, N> bytes{};

  static constexpr size_t kSize = N;
  bool IsZero() const {
    for (uint8_t b : bytes) {
      if (b) return false;
    }
    return true;
  }
  std::string Hex() const {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(2 * N, '0');
    for (size_t i = 0; i < N; ++i) {
      out[2 * i] = kDigits[bytes[i] >> 4];
      out[2 * i + 1] = kDigits[bytes[i] & 0xf];
    }
    return out;
  }
  std::string_view View() const { return {reinterpret_cast<const char*>(bytes.data()), N}; }
  // Exactly 2*N hex digits, either case.
  static std::optional<BinaryId> FromHex(std::string_view s) {
    if (s.size() != 2 * N) return std::nullopt;
    BinaryId id;
    for (size_t i = 0; i < N; ++i) {
      int hi = HexDigit(s[2 * i]), lo = HexDigit(s[2 * i + 1]);
      if (hi < 0 || lo < 0) return std::nullopt;
      id.bytes[i] = static_cast<uint8_t>(hi << 4 | lo);
    }
    return id;
  }
  // Exactly N raw bytes.
  static std::optional<BinaryId> FromBytes(std::string_view s) {
    if (s.size() != N) return std::nullopt;
    BinaryId id;
    std::memcpy(id.bytes.data(), s.data(), N);
    return id;
  }
  uint64_t Low64() const {
    uint64_t v;
    std::memcpy(&v, bytes.data() + N - 8, 8);
    return v;
  }
  auto operator<=>(const BinaryId&) const = default;
  bool operator==(const BinaryId&) const = default;

 private:
  static int HexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
};

using TraceId = BinaryId<16>;
using SpanId = BinaryId<8>;

struct BinaryIdHash {
  template <size_t N>
  size_t operator()(const BinaryId<N>& id) const {
    return static_cast<size_t>(id.Low64() * 0x9E3779B97F4A7C15ull);
  }
};

}  // namespace periscope
