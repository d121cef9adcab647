#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace periscope::trace {

// A fixed-size binary id (TraceId: 16 bytes, SpanId: 8 bytes); all-zero is invalid.
template <size_t N>
class ByteId {
 public:
  static constexpr size_t kSize = N;
  constexpr ByteId() = default;
  explicit constexpr ByteId(const std::array<uint8_t, N>& bytes) : bytes_(bytes) {}

  // Parses exactly 2*N lowercase hex digits; anything else (uppercase too) is nullopt.
  static std::optional<ByteId> FromHex(std::string_view hex) {
    if (hex.size() != 2 * N) return std::nullopt;
    ByteId id;
    for (size_t i = 0; i < N; ++i) {
      int hi = Nibble(hex[2 * i]), lo = Nibble(hex[2 * i + 1]);
      if (hi < 0 || lo < 0) return std::nullopt;
      id.bytes_[i] = static_cast<uint8_t>(hi << 4 | lo);
    }
    return id;
  }
  // From raw bytes; nullopt if the length is not N.
  static std::optional<ByteId> FromBytes(std::string_view raw) {
    if (raw.size() != N) return std::nullopt;
    ByteId id;
    for (size_t i = 0; i < N; ++i) id.bytes_[i] = static_cast<uint8_t>(raw[i]);
    return id;
  }

  std::string ToHex() const {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(2 * N, '0');
    for (size_t i = 0; i < N; ++i) {
      out[2 * i] = kDigits[bytes_[i] >> 4];
      out[2 * i + 1] = kDigits[bytes_[i] & 15];
    }
    return out;
  }
  std::string_view AsBytes() const { return {reinterpret_cast<const char*>(bytes_.data()), N}; }
  bool IsValid() const {
    static_assert(N % 8 == 0);
    uint64_t any = 0;
    for (size_t i = 0; i < N; i += 8) {
      uint64_t word;
      std::memcpy(&word, bytes_.data() + i, 8);
      any |= word;
    }
    return any != 0;
  }
  const std::array<uint8_t, N>& bytes() const { return bytes_; }
  bool operator==(const ByteId&) const = default;

 private:
  // A table instead of comparisons: ids are random, so per-digit branches mispredict.
  static int Nibble(char c) { return kNibbles[static_cast<uint8_t>(c)]; }
  static constexpr std::array<int8_t, 256> kNibbles = [] {
    std::array<int8_t, 256> t{};
    for (int c = 0; c < 256; ++c) {
      t[c] = c >= '0' && c <= '9'   ? static_cast<int8_t>(c - '0')
             : c >= 'a' && c <= 'f' ? static_cast<int8_t>(c - 'a' + 10)
                                    : int8_t{-1};
    }
    return t;
  }();
  std::array<uint8_t, N> bytes_{};
};

using TraceId = ByteId<16>;
using SpanId = ByteId<8>;

// W3C trace flags; bit 0 is "sampled".
struct TraceFlags {
  static constexpr uint8_t kSampled = 0x01;
  uint8_t value = 0;
  bool sampled() const { return (value & kSampled) != 0; }
  bool operator==(const TraceFlags&) const = default;
};

// W3C `tracestate`: up to 32 vendor key=value entries, most recent first. Immutable value type.
class TraceState {
 public:
  static constexpr size_t kMaxEntries = 32;

  TraceState() = default;
  // Parses a tracestate header. An invalid header (bad key or value grammar, duplicate keys,
  // more than 32 entries) yields nullopt; callers then propagate an empty state.
  static std::optional<TraceState> Parse(std::string_view header);
  // Whether key / value match the W3C grammar.
  static bool IsValidKey(std::string_view key);
  static bool IsValidValue(std::string_view value);

  std::optional<std::string_view> Get(std::string_view key) const;
  // A copy with key=value moved to the front; nullopt if the key or value is invalid. When the
  // state is full, the oldest (last) entry is dropped.
  std::optional<TraceState> Set(std::string_view key, std::string_view value) const;
  TraceState Delete(std::string_view key) const;
  std::string ToHeader() const;
  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }
  bool operator==(const TraceState&) const = default;

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

// The propagated identity of a span: trace id, span id, flags, tracestate, and whether it came
// from another process. A plain value type.
struct SpanContext {
  TraceId trace_id;
  SpanId span_id;
  TraceFlags flags;
  TraceState trace_state;
  bool is_remote = false;

  bool IsValid() const { return trace_id.IsValid() && span_id.IsValid(); }
  bool sampled() const { return flags.sampled(); }
  bool operator==(const SpanContext&) const = default;
};

}  // namespace periscope::trace
