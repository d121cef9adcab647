#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace periscope {

// Little-endian fixed-width and LEB128 varint encoding into a std::string buffer.
inline void PutFixed32(std::string* dst, uint32_t v) {
  char b[4];
  std::memcpy(b, &v, 4);
  dst->append(b, 4);
}
inline void PutFixed64(std::string* dst, uint64_t v) {
  char b[8];
  std::memcpy(b, &v, 8);
  dst->append(b, 8);
}
inline uint32_t DecodeFixed32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline uint64_t DecodeFixed64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline void PutVarint64(std::string* dst, uint64_t v) {
  char buf[10];
  int n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  dst->append(buf, n);
}
inline uint64_t ZigZagEncode(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t ZigZagDecode(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}
inline void PutVarintSigned64(std::string* dst, int64_t v) { PutVarint64(dst, ZigZagEncode(v)); }
inline void PutLengthPrefixed(std::string* dst, std::string_view s) {
  PutVarint64(dst, s.size());
  dst->append(s.data(), s.size());
}

// Reads encoded values from a byte range; every getter returns false on truncated input.
class ByteReader {
 public:
  ByteReader(std::string_view data) : p_(data.data()), end_(data.data() + data.size()) {}

  bool GetVarint64(uint64_t* v) {
    uint64_t result = 0;
    for (int shift = 0; shift <= 63 && p_ < end_; shift += 7) {
      uint64_t byte = static_cast<unsigned char>(*p_++);
      result |= (byte & 0x7f) << shift;
      if (!(byte & 0x80)) {
        *v = result;
        return true;
      }
    }
    return false;
  }
  bool GetVarintSigned64(int64_t* v) {
    uint64_t u;
    if (!GetVarint64(&u)) return false;
    *v = ZigZagDecode(u);
    return true;
  }
  bool GetFixed32(uint32_t* v) {
    if (remaining() < 4) return false;
    *v = DecodeFixed32(p_);
    p_ += 4;
    return true;
  }
  bool GetFixed64(uint64_t* v) {
    if (remaining() < 8) return false;
    *v = DecodeFixed64(p_);
    p_ += 8;
    return true;
  }
  bool GetBytes(size_t n, std::string_view* out) {
    if (remaining() < n) return false;
    *out = std::string_view(p_, n);
    p_ += n;
    return true;
  }
  bool GetLengthPrefixed(std::string_view* out) {
    uint64_t n;
    return GetVarint64(&n) && GetBytes(n, out);
  }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  bool empty() const { return p_ == end_; }
  const char* position() const { return p_; }

 private:
  const char* p_;
  const char* end_;
};

}  // namespace periscope
