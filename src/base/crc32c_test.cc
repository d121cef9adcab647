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

// Bit-at-a-time CRC-32C, the definition both the table and the SSE4.2 versions must match.
uint32_t ReferenceCrc32c(const std::string& s) {
  uint32_t crc = ~0u;
  for (unsigned char c : s) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
  }
  return ~crc;
}

TEST(Crc32cTest, MatchesTheBitwiseDefinitionAtEveryLengthAndAlignment) {
  std::string data;
  for (int i = 0; i < 300; ++i) data += static_cast<char>((i * 131 + 7) & 0xff);
  for (size_t offset = 0; offset < 8; ++offset) {
    for (size_t n = 0; n + offset <= 100; ++n) {
      const std::string s = data.substr(offset, n);
      ASSERT_EQ(Crc32c(data.data() + offset, n, 0), ReferenceCrc32c(s)) << offset << " " << n;
    }
  }
}

}  // namespace periscope
