#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

// Minimal protobuf wire writers for the log and metric load generators, which encode their
// requests by hand (libprotobuf message building is slower than the server's ingest).
namespace periscope::loadgen::wire {

constexpr int kVarint = 0;
constexpr int kFixed64 = 1;
constexpr int kLengthDelimited = 2;

inline size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

inline void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

inline void PutTag(std::string* out, int field, int type) {
  PutVarint(out, (static_cast<uint64_t>(field) << 3) | static_cast<uint64_t>(type));
}

inline void PutFixed64(std::string* out, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 8);
}

inline void PutDouble(std::string* out, double d) {
  uint64_t v;
  std::memcpy(&v, &d, sizeof v);
  PutFixed64(out, v);
}

// Tag and length prefix of a length-delimited field whose payload the caller appends next.
inline void PutLengthPrefix(std::string* out, int field, size_t len) {
  PutTag(out, field, kLengthDelimited);
  PutVarint(out, len);
}

inline void PutBytes(std::string* out, int field, std::string_view bytes) {
  PutLengthPrefix(out, field, bytes.size());
  out->append(bytes);
}

// Size of a length-delimited field (tag < 16) with a payload of `len` bytes.
inline size_t LengthDelimitedSize(size_t len) { return 1 + VarintSize(len) + len; }

}  // namespace periscope::loadgen::wire
