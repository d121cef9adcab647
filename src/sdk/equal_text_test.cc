#include "sdk/equal_text.h"

#include <gtest/gtest.h>

#include <string>

namespace periscope::trace::internal {
namespace {

TEST(EqualTextTest, AgreesWithStringEqualityForEveryLengthAndDifferingByte) {
  for (size_t n = 0; n <= 80; ++n) {
    std::string a;
    for (size_t i = 0; i < n; ++i) a.push_back(static_cast<char>('a' + (i * 7) % 26));
    // Copies in buffers of their own, at an odd offset: no shared storage, unaligned words.
    std::string padded_b = "x" + a;
    std::string_view b(padded_b.data() + 1, n);
    EXPECT_TRUE(EqualText(a, b)) << "length " << n;
    for (size_t at = 0; at < n; ++at) {
      std::string changed = padded_b;
      changed[at + 1] ^= 0x20;
      EXPECT_FALSE(EqualText(a, std::string_view(changed.data() + 1, n)))
          << "length " << n << ", differing at " << at;
    }
    EXPECT_FALSE(EqualText(a, a + "z")) << "length " << n;
  }
}

}  // namespace
}  // namespace periscope::trace::internal
