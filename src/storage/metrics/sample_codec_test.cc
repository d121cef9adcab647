#include "storage/metrics/sample_codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

namespace periscope {
namespace {

std::vector<double> RoundTrip(const std::vector<double>& values, std::string* encoded = nullptr) {
  std::string buf;
  EncodeValues(values, &buf);
  ByteReader in(buf);
  std::vector<double> out;
  EXPECT_TRUE(DecodeValues(in, values.size(), &out).ok());
  EXPECT_TRUE(in.empty());
  if (encoded) *encoded = buf;
  return out;
}

void ExpectBitExact(const std::vector<double>& a, const std::vector<double>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(0, std::memcmp(&a[i], &b[i], 8)) << i << ": " << a[i] << " vs " << b[i];
  }
}

TEST(SampleCodecTest, TimestampsRoundTrip) {
  std::vector<int64_t> ts = {
      1700000000000, 1700000010000, 1700000020003, 1700000029999, -5, INT64_MAX, INT64_MIN, 0};
  std::string buf;
  EncodeTimestamps(ts, &buf);
  ByteReader in(buf);
  std::vector<int64_t> out;
  ASSERT_TRUE(DecodeTimestamps(in, ts.size(), &out).ok());
  EXPECT_EQ(ts, out);
}

TEST(SampleCodecTest, RegularTimestampsCostAboutOneBytePerSample) {
  std::vector<int64_t> ts;
  for (int i = 0; i < 1000; ++i) ts.push_back(1700000000000 + i * 10000);
  std::string buf;
  EncodeTimestamps(ts, &buf);
  EXPECT_LT(buf.size(), 1020u);
}

TEST(SampleCodecTest, DecimalValuesRoundTripCompactly) {
  std::vector<double> v;
  for (int i = 0; i < 500; ++i) v.push_back((1230 + i % 97) / 100.0);
  std::string enc;
  ExpectBitExact(v, RoundTrip(v, &enc));
  EXPECT_EQ(enc[0], 1);  // decimal delta
  EXPECT_LT(enc.size(), 2 * v.size());
}

TEST(SampleCodecTest, SteadyCounterCostsAboutOneBytePerSample) {
  std::vector<double> v;
  for (int i = 0; i < 500; ++i) v.push_back(1e6 + 1500.0 * i);
  std::string enc;
  ExpectBitExact(v, RoundTrip(v, &enc));
  EXPECT_LT(enc.size(), v.size() + 16);
}

TEST(SampleCodecTest, PageSizedStepsAreDividedByTheirCommonDivisor) {
  std::vector<double> v;
  double x = 8e9;
  for (int i = 0; i < 300; ++i) v.push_back(x += 4096.0 * ((i * 7919) % 41 - 20));
  std::string enc;
  ExpectBitExact(v, RoundTrip(v, &enc));
  EXPECT_LT(enc.size(), v.size() + 32);
}

TEST(SampleCodecTest, ConstantValuesCostNineBytes) {
  std::vector<double> v(1000, 1.7e9);
  std::string enc;
  ExpectBitExact(v, RoundTrip(v, &enc));
  EXPECT_EQ(enc.size(), 9u);
}

TEST(SampleCodecTest, SpecialAndImpreciseValuesFallBackToRaw) {
  std::vector<double> v = {0.1,   std::nan(""), std::numeric_limits<double>::infinity(),
                           -0.0,  1.0 / 3.0,    5e-324,
                           1e300, -2.5};
  std::string enc;
  ExpectBitExact(v, RoundTrip(v, &enc));
  EXPECT_EQ(enc[0], 0);
}

TEST(SampleCodecTest, MixedExponentsStayExact) {
  std::vector<double> v = {1.5, 0.25, 3.125, 100, 0.001, 123456.789, -7.77};
  ExpectBitExact(v, RoundTrip(v));
}

TEST(SampleCodecTest, RejectsTruncatedAndUnknownEncodings) {
  std::vector<double> v = {1.5, 2.5, 3.75, 4.0};
  std::string enc;
  EncodeValues(v, &enc);
  for (size_t cut = 0; cut < enc.size(); ++cut) {
    ByteReader in(std::string_view(enc).substr(0, cut));
    std::vector<double> out;
    EXPECT_FALSE(DecodeValues(in, v.size(), &out).ok()) << cut;
  }
  std::string bad = "\x07";
  ByteReader in(bad);
  std::vector<double> out;
  EXPECT_EQ(DecodeValues(in, 1, &out).code(), StatusCode::kCorruption);
  std::string bad_exp = std::string("\x01\x40", 2) + "\x02";
  ByteReader in2(bad_exp);
  EXPECT_EQ(DecodeValues(in2, 1, &out).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace periscope
