#include "base/crc32c.h"

#include <gtest/gtest.h>

#include <string>

namespace periscope {

TEST(Crc32cTest, MatchesKnownVectors) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(""), 0u);
}

TEST(Crc32cTest, SeedChainsLikeOneCall) {
  std::string a = "hello ", b = "world, a longer tail that spans words";
  EXPECT_EQ(Crc32c(b.data(), b.size(), Crc32c(a)), Crc32c(a + b));
}

}  // namespace periscope
