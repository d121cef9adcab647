#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/coding.h"
#include "base/status.h"

namespace periscope {

// Integer columns (timestamps, start times): first value zig-zag varint, then delta-of-delta
// zig-zag varints. Appends to `out`.
void EncodeTimestamps(std::span<const int64_t> values, std::string* out);
// Reads `n` values written by EncodeTimestamps; Corruption when the input is short.
Status DecodeTimestamps(ByteReader& in, size_t n, std::vector<int64_t>* out);

// Float columns, lossless (bit-exact). When every value is m * 10^-e for integers m (|m| < 2^53)
// and one 0 <= e <= 15, the mantissas are stored as delta or delta-of-delta zig-zag varints,
// whichever is smaller (VictoriaMetrics-style decimal encoding); otherwise the raw 8-byte
// values. Appends to `out`.
void EncodeValues(std::span<const double> values, std::string* out);
// Reads `n` values written by EncodeValues; Corruption on malformed input.
Status DecodeValues(ByteReader& in, size_t n, std::vector<double>* out);

}  // namespace periscope
