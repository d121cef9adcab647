#include "storage/metrics/sample_codec.h"

#include <cmath>
#include <cstring>
#include <numeric>

namespace periscope {

namespace {

enum ValueMode : uint8_t { kRaw = 0, kDecimalDelta = 1, kDecimalDoubleDelta = 2, kConst = 3 };

constexpr double kPow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                             1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
constexpr int kMaxExponent = 15;
constexpr double kMaxExactInt = 9007199254740992.0;  // 2^53

bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

double FromMantissa(int64_t m, int e) { return static_cast<double>(m) / kPow10[e]; }

// Mantissa of v at exponent e when it round-trips bit-exactly.
bool MantissaAt(double v, int e, int64_t* m) {
  const double scaled = v * kPow10[e];
  if (!(std::fabs(scaled) < kMaxExactInt)) return false;
  const double r = std::nearbyint(scaled);
  *m = static_cast<int64_t>(r);
  return SameBits(FromMantissa(*m, e), v);
}

// Smallest exponent at which every value round-trips, or -1.
int CommonExponent(std::span<const double> values) {
  int e = 0;
  int64_t m;
  for (double v : values) {
    while (e <= kMaxExponent && !MantissaAt(v, e, &m)) ++e;
    if (e > kMaxExponent) return -1;
  }
  // A larger exponent found later can break values checked at a smaller one.
  for (double v : values) {
    if (!MantissaAt(v, e, &m)) return -1;
  }
  return e;
}

void PutDeltas(std::span<const int64_t> m, int order, std::string* out) {
  int64_t prev = 0, prev_delta = 0;
  for (size_t i = 0; i < m.size(); ++i) {
    const int64_t delta =
        static_cast<int64_t>(static_cast<uint64_t>(m[i]) - static_cast<uint64_t>(prev));
    if (order == 1 || i == 0) {
      PutVarintSigned64(out, delta);
    } else {
      PutVarintSigned64(out, static_cast<int64_t>(static_cast<uint64_t>(delta) -
                                                  static_cast<uint64_t>(prev_delta)));
    }
    prev = m[i];
    prev_delta = delta;
  }
}

Status GetDeltas(ByteReader& in, size_t n, int order, std::vector<int64_t>* out) {
  const size_t base = out->size();
  out->resize(base + n);
  int64_t* dst = out->data() + base;
  uint64_t prev = 0, prev_delta = 0;
  for (size_t i = 0; i < n; ++i) {
    int64_t d;
    if (!in.GetVarintSigned64(&d)) {
      out->resize(base + i);
      return Status::Corruption("value column truncated at {}", i);
    }
    uint64_t delta = static_cast<uint64_t>(d);
    if (order == 2 && i > 0) delta += prev_delta;
    prev += delta;
    prev_delta = delta;
    dst[i] = static_cast<int64_t>(prev);
  }
  return Status::Ok();
}

}  // namespace

void EncodeTimestamps(std::span<const int64_t> values, std::string* out) {
  PutDeltas(values, 2, out);
}

Status DecodeTimestamps(ByteReader& in, size_t n, std::vector<int64_t>* out) {
  out->reserve(out->size() + n);
  return GetDeltas(in, n, 2, out);
}

namespace {

// Differences of order 1 or 2 of m (element 0 is m[0] itself, 1 is m[1]-m[0] for order 2).
std::vector<int64_t> Differences(std::span<const int64_t> m, int order) {
  std::vector<int64_t> d(m.size());
  uint64_t prev = 0, prev_delta = 0;
  for (size_t i = 0; i < m.size(); ++i) {
    const uint64_t delta = static_cast<uint64_t>(m[i]) - prev;
    d[i] = static_cast<int64_t>(order == 1 || i == 0 ? delta : delta - prev_delta);
    prev = static_cast<uint64_t>(m[i]);
    prev_delta = delta;
  }
  return d;
}

// Element 0 as a zig-zag varint; the rest divided by their common divisor, as plain varints
// when none is negative (counters), else zig-zag varints. Layout: flags, divisor, values.
void PutScaledDifferences(const std::vector<int64_t>& d, std::string* out) {
  uint64_t g = 0;
  bool non_negative = true;
  for (size_t i = 1; i < d.size(); ++i) {
    const uint64_t a = d[i] < 0 ? 0 - static_cast<uint64_t>(d[i]) : static_cast<uint64_t>(d[i]);
    g = std::gcd(g, a);
    non_negative = non_negative && d[i] >= 0;
  }
  if (g == 0) g = 1;
  out->push_back(non_negative ? 1 : 0);
  PutVarint64(out, g);
  PutVarintSigned64(out, d[0]);
  for (size_t i = 1; i < d.size(); ++i) {
    const int64_t q = d[i] / static_cast<int64_t>(g);
    if (non_negative) {
      PutVarint64(out, static_cast<uint64_t>(q));
    } else {
      PutVarintSigned64(out, q);
    }
  }
}

// Calls put(i, value) for each of the n integers written by PutScaledDifferences.
template <typename Put>
Status GetScaledDifferences(ByteReader& in, size_t n, int order, Put put) {
  std::string_view flags;
  uint64_t g;
  int64_t first;
  if (!in.GetBytes(1, &flags) || !in.GetVarint64(&g) || !in.GetVarintSigned64(&first)) {
    return Status::Corruption("value column header truncated");
  }
  const bool non_negative = flags[0] == 1;
  uint64_t prev = static_cast<uint64_t>(first), prev_delta = static_cast<uint64_t>(first);
  put(0, first);
  for (size_t i = 1; i < n; ++i) {
    uint64_t q;
    if (non_negative) {
      if (!in.GetVarint64(&q)) return Status::Corruption("value column truncated at {}", i);
    } else {
      int64_t sq;
      if (!in.GetVarintSigned64(&sq)) return Status::Corruption("value column truncated at {}", i);
      q = static_cast<uint64_t>(sq);
    }
    uint64_t delta = q * g;
    if (order == 2) delta += prev_delta;
    prev += delta;
    prev_delta = delta;
    put(i, static_cast<int64_t>(prev));
  }
  return Status::Ok();
}

}  // namespace

void EncodeValues(std::span<const double> values, std::string* out) {
  if (values.empty()) return;
  bool constant = true;
  for (double v : values) constant = constant && SameBits(v, values[0]);
  if (constant) {
    out->push_back(static_cast<char>(kConst));
    uint64_t bits;
    std::memcpy(&bits, &values[0], 8);
    PutFixed64(out, bits);
    return;
  }
  const int e = CommonExponent(values);
  if (e < 0) {
    out->push_back(static_cast<char>(kRaw));
    for (double v : values) {
      uint64_t bits;
      std::memcpy(&bits, &v, 8);
      PutFixed64(out, bits);
    }
    return;
  }
  std::vector<int64_t> m(values.size());
  for (size_t i = 0; i < values.size(); ++i) MantissaAt(values[i], e, &m[i]);
  std::string delta, dod;
  PutScaledDifferences(Differences(m, 1), &delta);
  PutScaledDifferences(Differences(m, 2), &dod);
  const bool use_dod = dod.size() < delta.size();
  out->push_back(static_cast<char>(use_dod ? kDecimalDoubleDelta : kDecimalDelta));
  out->push_back(static_cast<char>(e));
  *out += use_dod ? dod : delta;
}

Status DecodeValues(ByteReader& in, size_t n, std::vector<double>* out) {
  if (n == 0) return Status::Ok();
  std::string_view header;
  if (!in.GetBytes(1, &header)) return Status::Corruption("value column has no header");
  const auto mode = static_cast<uint8_t>(header[0]);
  out->reserve(out->size() + n);
  if (mode == kConst || mode == kRaw) {
    const size_t count = mode == kConst ? 1 : n;
    for (size_t i = 0; i < count; ++i) {
      uint64_t bits;
      if (!in.GetFixed64(&bits)) return Status::Corruption("raw value column truncated");
      double v;
      std::memcpy(&v, &bits, 8);
      out->push_back(v);
    }
    if (mode == kConst) out->insert(out->end(), n - 1, out->back());
    return Status::Ok();
  }
  if (mode != kDecimalDelta && mode != kDecimalDoubleDelta) {
    return Status::Corruption("unknown value encoding {}", mode);
  }
  std::string_view exp;
  if (!in.GetBytes(1, &exp)) return Status::Corruption("value column has no exponent");
  const int e = static_cast<uint8_t>(exp[0]);
  if (e > kMaxExponent) return Status::Corruption("value exponent {} out of range", e);
  const size_t base = out->size();
  out->resize(base + n);
  double* dst = out->data() + base;
  const double scale = kPow10[e];
  Status s = GetScaledDifferences(in, n, mode == kDecimalDelta ? 1 : 2, [&](size_t i, int64_t m) {
    dst[i] = static_cast<double>(m) / scale;  // FromMantissa
  });
  if (!s.ok()) out->resize(base);
  return s;
}

}  // namespace periscope
