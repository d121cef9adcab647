#include "storage/metrics/series_index.h"

#include <gtest/gtest.h>

#include "model/metric_labels.h"

namespace periscope {
namespace {

LabelMatcher M(std::string name, MatchOp op, std::string value) {
  auto m = LabelMatcher::Make(std::move(name), op, std::move(value));
  EXPECT_TRUE(m.ok());
  return *m;
}

class SeriesIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* svc : {"checkout", "cart", "payment"}) {
      for (const char* code : {"200", "500"}) {
        Labels l = {{"__name__", "http_requests_total"}, {"service", svc}, {"code", code}};
        NormalizeLabels(l);
        index_.Add(SeriesIdOf(l), l, MetricKind::kCounter);
      }
    }
    Labels up = {{"__name__", "up"}, {"job", "node"}};
    index_.Add(SeriesIdOf(up), up, MetricKind::kGauge);
  }
  size_t Count(std::vector<LabelMatcher> ms) { return index_.Select(ms).cardinality(); }
  SeriesIndex index_;
};

TEST_F(SeriesIndexTest, AddIsIdempotent) {
  Labels up = {{"__name__", "up"}, {"job", "node"}};
  EXPECT_EQ(index_.Add(SeriesIdOf(up), up, MetricKind::kGauge), 6u);
  EXPECT_EQ(index_.size(), 7u);
}

TEST_F(SeriesIndexTest, SelectsByEveryMatcherKind) {
  EXPECT_EQ(Count({}), 7u);
  EXPECT_EQ(Count({M("__name__", MatchOp::kEqual, "http_requests_total")}), 6u);
  EXPECT_EQ(Count({M("__name__", MatchOp::kEqual, "http_requests_total"),
                   M("service", MatchOp::kEqual, "cart")}),
            2u);
  EXPECT_EQ(Count({M("service", MatchOp::kNotEqual, "cart")}), 5u);  // `up` has no service
  EXPECT_EQ(Count({M("service", MatchOp::kRegex, "c.*")}), 4u);
  EXPECT_EQ(Count({M("service", MatchOp::kRegex, "art")}), 0u);  // anchored
  EXPECT_EQ(Count({M("__name__", MatchOp::kEqual, "http_requests_total"),
                   M("code", MatchOp::kNotRegex, "5..")}),
            3u);
  EXPECT_EQ(Count({M("service", MatchOp::kEqual, "")}), 1u);  // absent label
  EXPECT_EQ(Count({M("service", MatchOp::kEqual, "nope")}), 0u);
  EXPECT_EQ(Count({M("nolabel", MatchOp::kEqual, "x")}), 0u);
}

TEST_F(SeriesIndexTest, ListsLabelNamesAndValues) {
  EXPECT_EQ(index_.LabelNames(nullptr),
            (std::vector<std::string>{"__name__", "code", "job", "service"}));
  auto up = index_.Select({M("__name__", MatchOp::kEqual, "up")});
  EXPECT_EQ(index_.LabelNames(&up), (std::vector<std::string>{"__name__", "job"}));
  EXPECT_EQ(index_.LabelValues("service", nullptr),
            (std::vector<std::string>{"cart", "checkout", "payment"}));
}

TEST_F(SeriesIndexTest, AddComputesTheSeriesIdOfTheLabels) {
  Labels l = {{"__name__", "node_cpu_seconds_total"}, {"cpu", "0"}, {"mode", "idle"}};
  const uint32_t ord = index_.Add(l, MetricKind::kCounter);
  EXPECT_EQ(index_.info(ord).id, SeriesIdOf(l));
  EXPECT_EQ(index_.Add(SeriesIdOf(l), l, MetricKind::kCounter), ord);
  EXPECT_EQ(index_.collisions(), 0u);
}

TEST(SeriesIndexCollisionTest, CollidingLabelSetsGetTheirOwnSeries) {
  SeriesIndex index;
  const Labels a = {{"__name__", "a"}};
  const Labels b = {{"__name__", "b"}};
  const Labels c = {{"__name__", "c"}};
  const uint32_t oa = index.Add(42, a, MetricKind::kGauge);
  const uint32_t ob = index.Add(42, b, MetricKind::kGauge);  // same id, other labels
  const uint32_t oc = index.Add(42, c, MetricKind::kGauge);
  EXPECT_NE(oa, ob);
  EXPECT_NE(ob, oc);
  EXPECT_EQ(index.info(oa).id, 42u);
  EXPECT_EQ(index.info(ob).id, 42u + SeriesIndex::kSeriesIdProbe);
  EXPECT_EQ(index.info(oc).id, 42u + 2 * SeriesIndex::kSeriesIdProbe);
  EXPECT_EQ(index.collisions(), 2u);
  // Seen again: found along the probe sequence, not added twice or counted again.
  EXPECT_EQ(index.Add(42, b, MetricKind::kGauge), ob);
  EXPECT_EQ(index.Add(42, c, MetricKind::kGauge), oc);
  EXPECT_EQ(index.size(), 3u);
  EXPECT_EQ(index.collisions(), 2u);
  EXPECT_EQ(index.Find(42u + SeriesIndex::kSeriesIdProbe), ob);
  EXPECT_FALSE(index.Find(43).has_value());
}

TEST(SeriesIndexCollisionTest, AnIdOffTheProbePathIsFoundByItsLabels) {
  // A part may hold a series under a probed id while its collision partner is gone.
  SeriesIndex index;
  const Labels b = {{"__name__", "b"}, {"job", "x"}};
  const uint64_t stored = SeriesIdOf(b) + SeriesIndex::kSeriesIdProbe;
  const uint32_t from_part = index.Add(stored, b, MetricKind::kCounter);
  index.Add(Labels{{"__name__", "b"}, {"job", "y"}}, MetricKind::kCounter);
  EXPECT_EQ(index.Add(b, MetricKind::kCounter), from_part);
  EXPECT_EQ(index.size(), 2u);
  EXPECT_EQ(index.info(from_part).id, stored);
}

TEST(SeriesIdMapTest, FindsEveryInsertedIdAcrossGrowth) {
  SeriesIdMap map;
  EXPECT_EQ(map.Find(7), SeriesIdMap::kNone);
  for (uint32_t i = 0; i < 5000; ++i) map.Insert(uint64_t{i} * 1024, i);  // same low bits
  EXPECT_EQ(map.size(), 5000u);
  for (uint32_t i = 0; i < 5000; ++i) ASSERT_EQ(map.Find(uint64_t{i} * 1024), i);
  EXPECT_EQ(map.Find(1), SeriesIdMap::kNone);
  EXPECT_EQ(map.Find(5000u * 1024), SeriesIdMap::kNone);
}

TEST(LabelMatcherTest, RejectsBadRegexAndEmptyName) {
  EXPECT_EQ(LabelMatcher::Make("a", MatchOp::kRegex, "(").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE(LabelMatcher::Make("", MatchOp::kEqual, "x").ok());
}

}  // namespace
}  // namespace periscope
