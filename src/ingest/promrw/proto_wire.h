#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace periscope {

// Protobuf wire types.
enum class WireType : uint8_t { kVarint = 0, kFixed64 = 1, kLen = 2, kFixed32 = 5 };

// Reads protobuf wire format from a byte range without allocating: tags, varints, fixed64 and
// length-delimited fields, skipping unknown ones. Every getter returns false on malformed or
// truncated input (and the reader must then be abandoned). Value type, not thread-safe.
class ProtoWireReader {
 public:
  explicit ProtoWireReader(std::string_view data)
      : p_(reinterpret_cast<const uint8_t*>(data.data())), end_(p_ + data.size()) {}

  bool empty() const { return p_ == end_; }
  // Where the next field starts.
  const char* position() const { return reinterpret_cast<const char*>(p_); }

  // Next field's number and wire type; false on a bad tag (field 0, groups, wire type 6/7).
  bool NextTag(uint32_t* field, WireType* type) {
    uint64_t tag;
    if (!Varint(&tag) || tag > 0xffffffffu) return false;
    *field = static_cast<uint32_t>(tag >> 3);
    const uint32_t wt = static_cast<uint32_t>(tag & 7);
    if (*field == 0 || (wt != 0 && wt != 1 && wt != 2 && wt != 5)) return false;
    *type = static_cast<WireType>(wt);
    return true;
  }

  // At most 10 bytes; bits past 64 are dropped as protobuf does.
  bool Varint(uint64_t* v) {
    if (p_ < end_ && *p_ < 0x80) {
      *v = *p_++;
      return true;
    }
    uint64_t result = 0;
    for (int i = 0; i < 10; ++i) {
      if (p_ == end_) return false;
      const uint64_t byte = *p_++;
      result |= (byte & 0x7f) << (7 * i);
      if (!(byte & 0x80)) {
        *v = result;
        return true;
      }
    }
    return false;
  }

  bool Fixed64(uint64_t* v) {
    if (end_ - p_ < 8) return false;
    std::memcpy(v, p_, 8);  // little-endian hosts only, like the rest of the codebase
    p_ += 8;
    return true;
  }

  bool Double(double* v) {
    uint64_t bits;
    if (!Fixed64(&bits)) return false;
    std::memcpy(v, &bits, 8);
    return true;
  }

  bool Bytes(std::string_view* out) {
    uint64_t n;
    if (!Varint(&n) || n > static_cast<uint64_t>(end_ - p_)) return false;
    *out = std::string_view(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return true;
  }

  // Skips the value of a field of the given wire type.
  bool Skip(WireType type) {
    uint64_t v;
    std::string_view s;
    switch (type) {
      case WireType::kVarint:
        return Varint(&v);
      case WireType::kFixed64:
        return Advance(8);
      case WireType::kLen:
        return Bytes(&s);
      case WireType::kFixed32:
        return Advance(4);
    }
    return false;
  }

 private:
  bool Advance(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) return false;
    p_ += n;
    return true;
  }

  const uint8_t* p_;
  const uint8_t* end_;
};

// True when s is well-formed UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF), the check protobuf applies to proto3 string fields.
bool IsValidUtf8(std::string_view s);

}  // namespace periscope
