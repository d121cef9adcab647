#pragma once

// Compact binary serialisation of ordinary C++ types, used for RPC arguments and replies.
//
// Wire format (all integers little-endian; varints are LEB128 like protobuf):
//   bool, integers, enums   varint (signed types zigzag-encoded)           wire type 0
//   double                  8 bytes IEEE-754                               wire type 1
//   float                   4 bytes IEEE-754                               wire type 5
//   everything else         varint byte length, then the body              wire type 2
// Bodies of length-delimited values:
//   std::string, std::vector<uint8_t>   the raw bytes
//   std::vector, std::array, std::set   varint count, then each element's value
//   std::map, std::unordered_map        varint count, then key, value, key, value...
//   std::optional                       one byte 0 (empty) or 1 followed by the value
//   std::variant                        varint alternative index, then the value
//   std::pair                           first, then second
//   std::monostate                      empty
//   aggregates (via Boost.PFR)          for each field: varint tag (index << 3 | wire type),
//                                       then the field's value
//
// Versioning rules for aggregates: fields are identified by their position, so
//   - add new fields only at the end; never reorder, remove or change a field's type
//     (retire a field by keeping it and ignoring it);
//   - an old reader skips the trailing fields it does not know (every wire type is skippable);
//   - a new reader leaves fields missing from an old writer at their default member initialiser.
// Unknown enum values are kept as their number. Variants cannot grow in a compatible way: an
// unknown alternative index is a decode error.
//
// Decoding untrusted bytes never crashes: every length is checked against the bytes left,
// nesting is bounded by DecodeLimits::max_depth, and errors come back as INVALID_ARGUMENT.

#include <array>
#include <bit>
#include <boost/pfr.hpp>
#include <concepts>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "periscope/rpc/status.h"

namespace periscope::rpc {

enum class WireType : uint8_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

struct DecodeLimits {
  int max_depth = 64;
};

// A 64-bit unsigned integer written as 8 little-endian bytes (wire type 1) instead of a varint:
// for values that use all 64 bits (random ids, hashes), which would take 10 varint bytes and a
// loop to write and read. As a struct field it also accepts a varint, so a uint64_t field can
// become a Fixed64 while peers that still send varints keep working.
struct Fixed64 {
  uint64_t value = 0;
  bool operator==(const Fixed64&) const = default;
};

namespace serial {

template <class T>
struct IsVector : std::false_type {};
template <class T, class A>
struct IsVector<std::vector<T, A>> : std::true_type {};
template <class T>
struct IsStdArray : std::false_type {};
template <class T, size_t N>
struct IsStdArray<std::array<T, N>> : std::true_type {};
template <class T>
struct IsSet : std::false_type {};
template <class T, class C, class A>
struct IsSet<std::set<T, C, A>> : std::true_type {};
template <class T>
struct IsMap : std::false_type {};
template <class K, class V, class C, class A>
struct IsMap<std::map<K, V, C, A>> : std::true_type {};
template <class K, class V, class H, class E, class A>
struct IsMap<std::unordered_map<K, V, H, E, A>> : std::true_type {};
template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};
template <class T>
struct IsVariant : std::false_type {};
template <class... T>
struct IsVariant<std::variant<T...>> : std::true_type {};
template <class T>
struct IsPair : std::false_type {};
template <class A, class B>
struct IsPair<std::pair<A, B>> : std::true_type {};
template <class T>
inline constexpr bool kAlwaysFalse = false;

template <class T>
constexpr WireType WireTypeOf() {
  if constexpr (std::is_same_v<T, bool> || std::is_integral_v<T> || std::is_enum_v<T>) {
    return WireType::kVarint;
  } else if constexpr (std::is_same_v<T, double> || std::is_same_v<T, Fixed64>) {
    return WireType::kFixed64;
  } else if constexpr (std::is_same_v<T, float>) {
    return WireType::kFixed32;
  } else {
    return WireType::kLengthDelimited;
  }
}

// Appends encoded values to a byte string. Not synchronised.
class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  void Varint(uint64_t v) {
    if (v < 0x80) {
      out_.push_back(static_cast<char>(v));
      return;
    }
    char buf[10];
    size_t n = 0;
    while (v >= 0x80) {
      buf[n++] = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    buf[n++] = static_cast<char>(v);
    out_.append(buf, n);
  }
  void Fixed32(uint32_t v) {
    char buf[4];
    for (int i = 0; i < 4; ++i) buf[i] = static_cast<char>(v >> (8 * i));
    out_.append(buf, 4);
  }
  void Fixed64(uint64_t v) {
    char buf[8];
    for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>(v >> (8 * i));
    out_.append(buf, 8);
  }
  void Bytes(std::string_view b) { out_.append(b); }
  // Starts a length-delimited body; Finish() patches its length in.
  size_t BeginLength() {
    size_t at = out_.size();
    out_.append(kReserved, '\0');
    return at;
  }
  void FinishLength(size_t at) {
    uint64_t len = out_.size() - at - kReserved;
    char buf[10];
    size_t n = 0;
    uint64_t v = len;
    while (v >= 0x80) {
      buf[n++] = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    buf[n++] = static_cast<char>(v);
    if (n < kReserved && len >= kPaddedLengthFrom) {
      // A big body stays where it is: its length fills the reserved space as a longer varint
      // (continuation bytes with zero bits, which every varint reader accepts).
      buf[n - 1] = static_cast<char>(buf[n - 1] | 0x80);
      while (n < kReserved - 1) buf[n++] = static_cast<char>(0x80);
      buf[n++] = 0;
    } else if (n < kReserved) {
      // Shift the body left over the unused part of the reserved space.
      out_.erase(at + n, kReserved - n);
    }
    std::memcpy(out_.data() + at, buf, n);
  }

  // Bodies from this length keep a 5-byte length varint instead of being moved (FinishLength).
  static constexpr size_t kPaddedLengthFrom = 16 << 10;

 private:
  // Bodies up to 2^35 bytes; frames are far smaller.
  static constexpr size_t kReserved = 5;
  std::string& out_;
};

// Reads encoded values from a byte range; remembers the nesting depth. Not synchronised.
class Reader {
 public:
  Reader(std::string_view in, DecodeLimits limits, int depth = 0)
      : p_(in.data()), end_(in.data() + in.size()), limits_(limits), depth_(depth) {}

  bool empty() const { return p_ == end_; }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }

  Status Varint(uint64_t& v) {
    if (p_ != end_ && static_cast<uint8_t>(*p_) < 0x80) [[likely]] {  // tags, small values
      v = static_cast<uint8_t>(*p_++);
      return Status::Ok();
    }
    return LongVarint(v);
  }
  // A varint of any length: true and the value, or false (p_ unchanged) when it is truncated or
  // overflows. For decoders with their own error path.
  bool TryVarint(uint64_t& v) {
    if (p_ != end_ && static_cast<uint8_t>(*p_) < 0x80) [[likely]] {
      v = static_cast<uint8_t>(*p_++);
      return true;
    }
    const char* start = p_;
    if (LongVarint(v).ok()) return true;
    p_ = start;
    return false;
  }
  // The next `n` bytes (false when fewer are left).
  bool TryBytes(size_t n, std::string_view& out) {
    if (n > remaining()) return false;
    out = std::string_view(p_, n);
    p_ += n;
    return true;
  }
  int depth() const { return depth_; }

  Status Fixed32(uint32_t& v) {
    if (remaining() < 4) return InvalidArgumentError("truncated fixed32");
    v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(p_[i])) << (8 * i);
    p_ += 4;
    return Status::Ok();
  }
  Status Fixed64(uint64_t& v) {
    if (remaining() < 8) return InvalidArgumentError("truncated fixed64");
    v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(p_[i])) << (8 * i);
    p_ += 8;
    return Status::Ok();
  }
  // Reads a varint length and the body it announces; the body reader is one level deeper.
  Status LengthDelimited(Reader& body) {
    uint64_t len = 0;
    PERISCOPE_RPC_RETURN_IF_ERROR(Varint(len));
    if (len > remaining()) {
      return InvalidArgumentError("length " + std::to_string(len) + " exceeds the " +
                                  std::to_string(remaining()) + " bytes left");
    }
    if (depth_ + 1 > limits_.max_depth) {
      return InvalidArgumentError("nesting deeper than " + std::to_string(limits_.max_depth));
    }
    body = Reader(std::string_view(p_, len), limits_, depth_ + 1);
    p_ += len;
    return Status::Ok();
  }
  std::string_view Rest() {
    std::string_view r(p_, remaining());
    p_ = end_;
    return r;
  }
  Status Skip(WireType wt) {
    uint64_t v = 0;
    switch (wt) {
      case WireType::kVarint:
        return Varint(v);
      case WireType::kFixed64:
        return Fixed64(v);
      case WireType::kFixed32: {
        uint32_t w = 0;
        return Fixed32(w);
      }
      case WireType::kLengthDelimited: {
        Reader body({}, limits_);
        return LengthDelimited(body);
      }
    }
    return InvalidArgumentError("unknown wire type " + std::to_string(static_cast<int>(wt)));
  }
  const DecodeLimits& limits() const { return limits_; }

 private:
  Status LongVarint(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) return InvalidArgumentError("truncated varint");
      uint8_t b = static_cast<uint8_t>(*p_++);
      if (shift == 63 && b > 1) return InvalidArgumentError("varint overflows 64 bits");
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return Status::Ok();
    }
    return InvalidArgumentError("varint longer than 10 bytes");
  }

  const char* p_;
  const char* end_;
  DecodeLimits limits_;
  int depth_;
};

template <class T>
void EncodeValue(Writer& w, const T& v);
template <class T>
Status DecodeValue(Reader& r, T& v);

template <class T>
void EncodeBody(Writer& w, const T& v) {
  if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::vector<uint8_t>>) {
    w.Bytes(std::string_view(reinterpret_cast<const char*>(v.data()), v.size()));
  } else if constexpr (IsVector<T>::value || IsStdArray<T>::value || IsSet<T>::value) {
    w.Varint(v.size());
    for (const auto& e : v) EncodeValue(w, static_cast<const typename T::value_type&>(e));
  } else if constexpr (IsMap<T>::value) {
    w.Varint(v.size());
    for (const auto& [k, val] : v) {
      EncodeValue(w, k);
      EncodeValue(w, val);
    }
  } else if constexpr (IsOptional<T>::value) {
    w.Varint(v.has_value() ? 1 : 0);
    if (v) EncodeValue(w, *v);
  } else if constexpr (IsVariant<T>::value) {
    w.Varint(v.index());
    std::visit([&w](const auto& alt) { EncodeValue(w, alt); }, v);
  } else if constexpr (IsPair<T>::value) {
    EncodeValue(w, v.first);
    EncodeValue(w, v.second);
  } else if constexpr (std::is_same_v<T, std::monostate>) {
  } else if constexpr (std::is_aggregate_v<T> && !std::is_array_v<T>) {
    boost::pfr::for_each_field(v, [&w](const auto& field, size_t index) {
      using F = std::remove_cvref_t<decltype(field)>;
      w.Varint((static_cast<uint64_t>(index) << 3) | static_cast<uint64_t>(WireTypeOf<F>()));
      EncodeValue(w, field);
    });
  } else {
    static_assert(kAlwaysFalse<T>,
                  "periscope::rpc: type is not serialisable (supported: arithmetic, enums, "
                  "std::string, vector, array, set, map, unordered_map, optional, variant, pair, "
                  "aggregates of these)");
  }
}

template <class T>
void EncodeValue(Writer& w, const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    w.Varint(v ? 1 : 0);
  } else if constexpr (std::is_enum_v<T>) {
    EncodeValue(w, static_cast<std::underlying_type_t<T>>(v));
  } else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
    int64_t s = v;
    w.Varint((static_cast<uint64_t>(s) << 1) ^ static_cast<uint64_t>(s >> 63));
  } else if constexpr (std::is_integral_v<T>) {
    w.Varint(v);
  } else if constexpr (std::is_same_v<T, double>) {
    w.Fixed64(std::bit_cast<uint64_t>(v));
  } else if constexpr (std::is_same_v<T, Fixed64>) {
    w.Fixed64(v.value);
  } else if constexpr (std::is_same_v<T, float>) {
    w.Fixed32(std::bit_cast<uint32_t>(v));
  } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::vector<uint8_t>>) {
    // The length is known: written first, the bytes copied once.
    w.Varint(v.size());
    EncodeBody(w, v);
  } else {
    size_t at = w.BeginLength();
    EncodeBody(w, v);
    w.FinishLength(at);
  }
}

template <class T>
Status CheckEmpty(const Reader& body, const char* what) {
  if (!body.empty()) {
    return InvalidArgumentError(std::to_string(body.remaining()) + " trailing bytes in " + what);
  }
  return Status::Ok();
}

template <class T, size_t... I>
Status DecodeField(Reader& r, T& out, uint64_t index, WireType wt, std::index_sequence<I...>) {
  Status st;
  bool known = ((index == I ? (
                                  st =
                                      [&] {
                                        using F =
                                            std::remove_cvref_t<decltype(boost::pfr::get<I>(out))>;
                                        if constexpr (std::is_same_v<F, Fixed64>) {
                                          if (wt == WireType::kVarint) {  // an older peer's
                                            return r.Varint(boost::pfr::get<I>(out).value);
                                          }
                                        }
                                        if (wt != WireTypeOf<F>()) {
                                          return InvalidArgumentError(
                                              "wire type " + std::to_string(static_cast<int>(wt)) +
                                              ", expected " +
                                              std::to_string(static_cast<int>(WireTypeOf<F>())));
                                        }
                                        return DecodeValue(r, boost::pfr::get<I>(out));
                                      }(),
                                  true)
                            : false) ||
                ...);
  if (!known) return r.Skip(wt);
  return st;
}

template <class T>
Status DecodeBody(Reader& body, T& v) {
  if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::vector<uint8_t>>) {
    std::string_view rest = body.Rest();
    v.assign(reinterpret_cast<const typename T::value_type*>(rest.data()),
             reinterpret_cast<const typename T::value_type*>(rest.data() + rest.size()));
    return Status::Ok();
  } else if constexpr (IsVector<T>::value || IsSet<T>::value || IsStdArray<T>::value) {
    uint64_t n = 0;
    PERISCOPE_RPC_RETURN_IF_ERROR(body.Varint(n));
    // Every value takes at least one byte, which bounds the count by the bytes left.
    if (n > body.remaining()) return InvalidArgumentError("element count exceeds bytes left");
    if constexpr (IsStdArray<T>::value) {
      if (n != std::tuple_size_v<T>) {
        return InvalidArgumentError("array of " + std::to_string(n) + " elements, expected " +
                                    std::to_string(std::tuple_size_v<T>));
      }
      for (auto& e : v) PERISCOPE_RPC_RETURN_IF_ERROR(DecodeValue(body, e));
    } else {
      v.clear();
      if constexpr (IsVector<T>::value) v.reserve(std::min<uint64_t>(n, 1024));
      for (uint64_t i = 0; i < n; ++i) {
        typename T::value_type e{};
        PERISCOPE_RPC_RETURN_IF_ERROR(DecodeValue(body, e));
        if constexpr (IsVector<T>::value) {
          v.push_back(std::move(e));
        } else {
          v.insert(std::move(e));
        }
      }
    }
    return CheckEmpty<T>(body, "sequence");
  } else if constexpr (IsMap<T>::value) {
    uint64_t n = 0;
    PERISCOPE_RPC_RETURN_IF_ERROR(body.Varint(n));
    if (n > body.remaining()) return InvalidArgumentError("entry count exceeds bytes left");
    v.clear();
    for (uint64_t i = 0; i < n; ++i) {
      typename T::key_type k{};
      typename T::mapped_type val{};
      PERISCOPE_RPC_RETURN_IF_ERROR(DecodeValue(body, k));
      PERISCOPE_RPC_RETURN_IF_ERROR(DecodeValue(body, val));
      v.insert_or_assign(std::move(k), std::move(val));
    }
    return CheckEmpty<T>(body, "map");
  } else if constexpr (IsOptional<T>::value) {
    uint64_t present = 0;
    PERISCOPE_RPC_RETURN_IF_ERROR(body.Varint(present));
    if (present > 1) return InvalidArgumentError("optional flag is not 0 or 1");
    if (present) {
      typename T::value_type e{};
      PERISCOPE_RPC_RETURN_IF_ERROR(DecodeValue(body, e));
      v = std::move(e);
    } else {
      v.reset();
    }
    return CheckEmpty<T>(body, "optional");
  } else if constexpr (IsVariant<T>::value) {
    uint64_t index = 0;
    PERISCOPE_RPC_RETURN_IF_ERROR(body.Varint(index));
    if (index >= std::variant_size_v<T>) {
      return InvalidArgumentError("variant alternative " + std::to_string(index) + " out of range");
    }
    Status st;
    [&]<size_t... I>(std::index_sequence<I...>) {
      ((index == I ? (
                         st =
                             [&] {
                               std::variant_alternative_t<I, T> alt{};
                               Status s = DecodeValue(body, alt);
                               if (s.ok()) v.template emplace<I>(std::move(alt));
                               return s;
                             }(),
                         true)
                   : false) ||
       ...);
    }
    (std::make_index_sequence<std::variant_size_v<T>>());
    PERISCOPE_RPC_RETURN_IF_ERROR(st);
    return CheckEmpty<T>(body, "variant");
  } else if constexpr (IsPair<T>::value) {
    PERISCOPE_RPC_RETURN_IF_ERROR(DecodeValue(body, v.first));
    PERISCOPE_RPC_RETURN_IF_ERROR(DecodeValue(body, v.second));
    return CheckEmpty<T>(body, "pair");
  } else if constexpr (std::is_same_v<T, std::monostate>) {
    return CheckEmpty<T>(body, "monostate");
  } else if constexpr (std::is_aggregate_v<T> && !std::is_array_v<T>) {
    constexpr size_t kFields = boost::pfr::tuple_size_v<T>;
    while (!body.empty()) {
      uint64_t tag = 0;
      PERISCOPE_RPC_RETURN_IF_ERROR(body.Varint(tag));
      uint64_t wt = tag & 7;
      if (wt != 0 && wt != 1 && wt != 2 && wt != 5) {
        return InvalidArgumentError("unknown wire type " + std::to_string(wt));
      }
      Status st = DecodeField(body, v, tag >> 3, static_cast<WireType>(wt),
                              std::make_index_sequence<kFields>());
      if (!st.ok()) {
        return Status(st.code(), "field " + std::to_string(tag >> 3) + ": " + st.message());
      }
    }
    return Status::Ok();
  } else {
    static_assert(kAlwaysFalse<T>, "periscope::rpc: type is not serialisable");
    return Status::Ok();
  }
}

template <class T>
Status DecodeValue(Reader& r, T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    uint64_t x = 0;
    PERISCOPE_RPC_RETURN_IF_ERROR(r.Varint(x));
    if (x > 1) return InvalidArgumentError("bool is not 0 or 1");
    v = x == 1;
    return Status::Ok();
  } else if constexpr (std::is_enum_v<T>) {
    std::underlying_type_t<T> u{};
    PERISCOPE_RPC_RETURN_IF_ERROR(DecodeValue(r, u));
    v = static_cast<T>(u);
    return Status::Ok();
  } else if constexpr (std::is_integral_v<T>) {
    uint64_t x = 0;
    PERISCOPE_RPC_RETURN_IF_ERROR(r.Varint(x));
    if constexpr (std::is_signed_v<T>) {
      int64_t s = static_cast<int64_t>(x >> 1) ^ -static_cast<int64_t>(x & 1);
      if (s < std::numeric_limits<T>::min() || s > std::numeric_limits<T>::max()) {
        return InvalidArgumentError("integer " + std::to_string(s) + " out of range");
      }
      v = static_cast<T>(s);
    } else {
      if (x > std::numeric_limits<T>::max()) {
        return InvalidArgumentError("integer " + std::to_string(x) + " out of range");
      }
      v = static_cast<T>(x);
    }
    return Status::Ok();
  } else if constexpr (std::is_same_v<T, double>) {
    uint64_t x = 0;
    PERISCOPE_RPC_RETURN_IF_ERROR(r.Fixed64(x));
    v = std::bit_cast<double>(x);
    return Status::Ok();
  } else if constexpr (std::is_same_v<T, Fixed64>) {
    return r.Fixed64(v.value);
  } else if constexpr (std::is_same_v<T, float>) {
    uint32_t x = 0;
    PERISCOPE_RPC_RETURN_IF_ERROR(r.Fixed32(x));
    v = std::bit_cast<float>(x);
    return Status::Ok();
  } else {
    Reader body({}, r.limits());
    PERISCOPE_RPC_RETURN_IF_ERROR(r.LengthDelimited(body));
    return DecodeBody(body, v);
  }
}

}  // namespace serial

// True for the types Encode/Decode accept (checked shallowly: the top-level type's category).
template <class T>
concept Serialisable = std::default_initializable<T> && std::movable<T>;

// Appends v's encoding to out.
template <Serialisable T>
void EncodeTo(const T& v, std::string& out) {
  serial::Writer w(out);
  serial::EncodeValue(w, v);
}

// v's encoding.
template <Serialisable T>
std::string Encode(const T& v) {
  std::string out;
  EncodeTo(v, out);
  return out;
}

// Decodes exactly one value from bytes; INVALID_ARGUMENT when the bytes are malformed, too
// deeply nested or followed by trailing data.
template <Serialisable T>
Result<T> Decode(std::string_view bytes, DecodeLimits limits = {}) {
  serial::Reader r(bytes, limits);
  // Decoded in place and returned by one return statement: the value is never moved.
  Result<T> out(std::in_place);
  Status st = serial::DecodeValue(r, *out);
  if (!st.ok()) {
    st = Status(st.code(), "decode: " + st.message());
  } else if (!r.empty()) {
    st = InvalidArgumentError("decode: " + std::to_string(r.remaining()) + " trailing bytes");
  }
  if (!st.ok()) out = Result<T>(std::move(st));
  return out;
}

}  // namespace periscope::rpc
