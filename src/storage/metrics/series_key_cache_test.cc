#include "storage/metrics/series_key_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace periscope {
namespace {

uint64_t SameHash(std::string_view) { return 42; }

TEST(SeriesKeyCacheTest, FindsExactBytesOnly) {
  SeriesKeyCache cache;
  EXPECT_EQ(cache.Find("a"), SeriesKeyCache::kNone);
  cache.Insert("\x0a\x03job", 1);
  cache.Insert("\x0a\x03jo", 2);  // a prefix is another key
  EXPECT_EQ(cache.Find("\x0a\x03job"), 1u);
  EXPECT_EQ(cache.Find("\x0a\x03jo"), 2u);
  EXPECT_EQ(cache.Find("\x0a\x03joc"), SeriesKeyCache::kNone);
  cache.Insert("", 3);  // not cacheable
  EXPECT_EQ(cache.Find(""), SeriesKeyCache::kNone);
  cache.Insert("\x0a\x03job", 7);
  EXPECT_EQ(cache.Find("\x0a\x03job"), 7u);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(SeriesKeyCacheTest, HashCollisionsAreTellApartByBytes) {
  SeriesKeyCache cache(64u << 20, &SameHash);
  for (uint32_t i = 0; i < 500; ++i) cache.Insert("key-" + std::to_string(i), i);
  for (uint32_t i = 0; i < 500; ++i) EXPECT_EQ(cache.Find("key-" + std::to_string(i)), i);
  EXPECT_EQ(cache.Find("key-500"), SeriesKeyCache::kNone);
  EXPECT_EQ(cache.size(), 500u);
}

TEST(SeriesKeyCacheTest, StartsOverWhenFull) {
  SeriesKeyCache cache(16u << 10);
  uint32_t i = 0;
  while (cache.resets() == 0 && i < 100000) {
    cache.Insert("series-key-" + std::to_string(i), i);
    ++i;
  }
  ASSERT_EQ(cache.resets(), 1u);
  EXPECT_LE(cache.bytes(), 2 * (16u << 10));
  // The key that triggered the reset is kept; older ones are gone (and would be re-added).
  EXPECT_EQ(cache.Find("series-key-" + std::to_string(i - 1)), i - 1);
  EXPECT_EQ(cache.Find("series-key-0"), SeriesKeyCache::kNone);
  EXPECT_EQ(cache.size(), 1u);
}

}  // namespace
}  // namespace periscope
