#pragma once

#include <cstdint>
#include <string_view>

#include "base/coding.h"

namespace periscope::part {

// Reads varints, fixed-width values and byte runs from untrusted bytes. The first failed read
// makes every later read return zero/empty and ok() false, so decoders check ok() once per
// section instead of after every value. Not thread-safe; a value type over borrowed bytes.
class Decoder {
 public:
  explicit Decoder(std::string_view data) : r_(data) {}

  uint64_t Varint() {
    uint64_t v = 0;
    if (!r_.GetVarint64(&v)) Fail();
    return v;
  }
  int64_t Signed() { return ZigZagDecode(Varint()); }
  uint32_t Varint32() {
    uint64_t v = Varint();
    if (v > UINT32_MAX) Fail();
    return ok_ ? static_cast<uint32_t>(v) : 0;
  }
  uint8_t Byte() {
    std::string_view b = Bytes(1);
    return b.empty() ? 0 : static_cast<uint8_t>(b[0]);
  }
  uint32_t Fixed32() {
    uint32_t v = 0;
    if (!r_.GetFixed32(&v)) Fail();
    return v;
  }
  uint64_t Fixed64() {
    uint64_t v = 0;
    if (!r_.GetFixed64(&v)) Fail();
    return v;
  }
  std::string_view Bytes(size_t n) {
    std::string_view out;
    if (!r_.GetBytes(n, &out)) Fail();
    return out;
  }
  std::string_view LengthPrefixed() { return Bytes(static_cast<size_t>(Count(1))); }
  // A count of items that each take at least `min_bytes` of the remaining input; fails when
  // that many cannot fit, which bounds every allocation by the input size.
  size_t Count(size_t min_bytes) {
    uint64_t n = Varint();
    if (min_bytes > 0 && n > remaining() / min_bytes) Fail();
    return ok_ ? static_cast<size_t>(n) : 0;
  }
  // A length-prefixed sub-stream.
  Decoder Sub() { return Decoder(LengthPrefixed()); }

  void Fail() {
    ok_ = false;
    r_ = ByteReader(std::string_view());
  }
  bool ok() const { return ok_; }
  size_t remaining() const { return r_.remaining(); }
  bool empty() const { return r_.empty(); }

 private:
  ByteReader r_;
  bool ok_ = true;
};

}  // namespace periscope::part
