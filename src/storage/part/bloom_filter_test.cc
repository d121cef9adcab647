#include "storage/part/bloom_filter.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace periscope::part {
namespace {

TraceId RandomId(std::mt19937_64& rng) {
  TraceId id;
  for (auto& b : id.bytes) b = static_cast<uint8_t>(rng());
  return id;
}

TEST(BloomFilterTest, NoFalseNegativesAndAboutOnePercentFalsePositives) {
  std::mt19937_64 rng(7);
  std::vector<TraceId> ids(20000);
  for (auto& id : ids) id = RandomId(rng);
  BloomFilterBuilder builder(ids.size());
  for (const auto& id : ids) builder.Add(id);
  BloomFilterView view(builder.data());
  for (const auto& id : ids) ASSERT_TRUE(view.MayContain(id));
  int false_positives = 0;
  for (int i = 0; i < 100000; ++i) false_positives += view.MayContain(RandomId(rng));
  EXPECT_LT(false_positives, 2000);  // < 2%
  EXPECT_LE(builder.data().size(), ids.size() * 10 / 8 + 16);
}

TEST(BloomFilterTest, SequentialAndZeroIdsAreFound) {
  BloomFilterBuilder builder(100);
  std::vector<TraceId> ids(100);
  for (size_t i = 0; i < ids.size(); ++i) ids[i].bytes[15] = static_cast<uint8_t>(i);
  for (const auto& id : ids) builder.Add(id);
  BloomFilterView view(builder.data());
  for (const auto& id : ids) EXPECT_TRUE(view.MayContain(id));
}

TEST(BloomFilterTest, ValidRejectsMalformedData) {
  EXPECT_FALSE(BloomFilterView::Valid(""));
  EXPECT_FALSE(BloomFilterView::Valid(std::string(1, '\x07')));
  EXPECT_FALSE(BloomFilterView::Valid(std::string("\x00\xff", 2)));
  EXPECT_FALSE(BloomFilterView::Valid(std::string("\xff\xff", 2)));
  EXPECT_TRUE(BloomFilterView::Valid(std::string("\x07\x00", 2)));
  EXPECT_FALSE(BloomFilterView(std::string("\x07\x00", 2)).MayContain(TraceId()));
}

}  // namespace
}  // namespace periscope::part
