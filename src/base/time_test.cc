#include "base/time.h"

#include <gtest/gtest.h>

namespace periscope {

TEST(TimeTest, ParsesRfc3339AndNanos) {
  EXPECT_EQ(ParseTimestamp("1970-01-01T00:00:01Z"), kNanosPerSecond);
  EXPECT_EQ(ParseTimestamp("2026-11-26T02:44:00.5Z"), 1795661040LL * kNanosPerSecond + 500000000);
  EXPECT_EQ(ParseTimestamp("2026-11-26T03:44:00.5+01:00"),
            1795661040LL * kNanosPerSecond + 500000000);
  EXPECT_EQ(ParseTimestamp("1795661040000000000"), 1795661040000000000LL);
  EXPECT_FALSE(ParseTimestamp("yesterday").has_value());
  EXPECT_FALSE(ParseTimestamp("2026-13-01T00:00:00Z").has_value());
}

TEST(TimeTest, FormatsRfc3339) {
  EXPECT_EQ(FormatRfc3339(1795661040LL * kNanosPerSecond + 5), "2026-11-26T02:44:00.000000005Z");
}

TEST(TimeTest, ParsesDurations) {
  EXPECT_EQ(ParseDurationNanos("250ms"), 250 * kNanosPerMilli);
  EXPECT_EQ(ParseDurationNanos("1.5s"), 1500 * kNanosPerMilli);
  EXPECT_EQ(ParseDurationNanos("2h30m"), (2 * 3600 + 30 * 60) * kNanosPerSecond);
  EXPECT_EQ(ParseDurationNanos("7d"), 7 * 86400 * kNanosPerSecond);
  EXPECT_FALSE(ParseDurationNanos("5 parsecs").has_value());
  EXPECT_FALSE(ParseDurationNanos("").has_value());
}

}  // namespace periscope
