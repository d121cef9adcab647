#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace periscope::trace::internal {

// a == b, compared inline in 8-byte words for texts of up to 64 bytes (span names, RPC services,
// methods and addresses), where a call into memcmp would cost more than the comparison.
[[gnu::always_inline]] inline bool EqualText(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  const char* x = a.data();
  const char* y = b.data();
  if (n >= 8) {
    if (n > 64) return std::memcmp(x, y, n) == 0;
    uint64_t diff = 0;
    for (size_t i = 0; i + 8 < n; i += 8) {
      uint64_t u;
      uint64_t v;
      std::memcpy(&u, x + i, 8);
      std::memcpy(&v, y + i, 8);
      diff |= u ^ v;
    }
    uint64_t u;  // the last 8 bytes (overlapping the words before when n is no multiple of 8)
    uint64_t v;
    std::memcpy(&u, x + n - 8, 8);
    std::memcpy(&v, y + n - 8, 8);
    return (diff | (u ^ v)) == 0;
  }
  if (n >= 4) {
    uint32_t u0;
    uint32_t v0;
    uint32_t u1;
    uint32_t v1;
    std::memcpy(&u0, x, 4);
    std::memcpy(&v0, y, 4);
    std::memcpy(&u1, x + n - 4, 4);
    std::memcpy(&v1, y + n - 4, 4);
    return ((u0 ^ v0) | (u1 ^ v1)) == 0;
  }
  for (size_t i = 0; i < n; ++i) {
    if (x[i] != y[i]) return false;
  }
  return true;
}

}  // namespace periscope::trace::internal
