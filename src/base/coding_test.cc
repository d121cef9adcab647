#include "base/coding.h"

#include <gtest/gtest.h>

#include <limits>

namespace periscope {

TEST(CodingTest, VarintRoundTrip) {
  std::string buf;
  const uint64_t values[] = {0, 1, 127, 128, 300, 1ull << 35, std::numeric_limits<uint64_t>::max()};
  for (uint64_t v : values) PutVarint64(&buf, v);
  PutVarintSigned64(&buf, -5);
  PutLengthPrefixed(&buf, "abc");
  ByteReader r(buf);
  for (uint64_t v : values) {
    uint64_t got;
    ASSERT_TRUE(r.GetVarint64(&got));
    EXPECT_EQ(got, v);
  }
  int64_t s;
  ASSERT_TRUE(r.GetVarintSigned64(&s));
  EXPECT_EQ(s, -5);
  std::string_view str;
  ASSERT_TRUE(r.GetLengthPrefixed(&str));
  EXPECT_EQ(str, "abc");
  EXPECT_TRUE(r.empty());
}

TEST(CodingTest, RejectsTruncatedInput) {
  std::string buf;
  PutVarint64(&buf, 1ull << 40);
  buf.pop_back();
  ByteReader r(buf);
  uint64_t v;
  EXPECT_FALSE(r.GetVarint64(&v));
  std::string lp;
  PutVarint64(&lp, 10);
  lp += "abc";
  ByteReader r2(lp);
  std::string_view out;
  EXPECT_FALSE(r2.GetLengthPrefixed(&out));
}

}  // namespace periscope
