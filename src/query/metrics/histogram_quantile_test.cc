#include "query/metrics/histogram_quantile.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>

namespace periscope {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(HistogramQuantileTest, InterpolatesLinearlyInsideTheBucket) {
  const std::vector<HistogramBucket> b = {{0.1, 10}, {0.2, 20}, {0.4, 40}, {kInf, 40}};
  EXPECT_DOUBLE_EQ(HistogramQuantile(0.5, b), 0.2);     // rank 20: top of the 0.2 bucket
  EXPECT_DOUBLE_EQ(HistogramQuantile(0.75, b), 0.3);    // rank 30: half way through (0.2, 0.4]
  EXPECT_DOUBLE_EQ(HistogramQuantile(0.125, b), 0.05);  // rank 5 in the first bucket, from 0
  EXPECT_DOUBLE_EQ(HistogramQuantile(0, b), 0);
}

TEST(HistogramQuantileTest, RankInTheInfBucketGivesTheHighestFiniteBound) {
  EXPECT_DOUBLE_EQ(HistogramQuantile(0.9, {{kInf, 10}, {0.1, 5}, {0.05, 1}}), 0.1);
}

TEST(HistogramQuantileTest, EdgeCasesFollowPrometheus) {
  EXPECT_TRUE(std::isnan(HistogramQuantile(0.5, {{0.1, 0}, {kInf, 0}})));  // no observations
  EXPECT_TRUE(std::isnan(HistogramQuantile(0.5, {{0.1, 3}, {0.2, 5}})));   // no +Inf
  EXPECT_TRUE(std::isnan(HistogramQuantile(0.5, {{kInf, 5}})));            // one bucket
  EXPECT_EQ(HistogramQuantile(-0.1, {{0.1, 3}, {kInf, 5}}), -kInf);
  EXPECT_EQ(HistogramQuantile(1.5, {{0.1, 3}, {kInf, 5}}), kInf);
  // Non-monotonic counts (a scrape race) are made monotonic: 0.2 counts as 10.
  EXPECT_DOUBLE_EQ(HistogramQuantile(0.5, {{0.1, 10}, {0.2, 8}, {0.4, 20}, {kInf, 20}}), 0.1);
}

TEST(HistogramQuantileTest, QueryAppliesRateSumByAndQuantilePerStep) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("histogram_quantile_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  MetricTableOptions o;
  o.dir = dir.string();
  auto table = std::move(MetricTable::Open(o)).value();
  // Two instances of service a; per 10 s each adds 5 observations <= 0.1 and 5 in (0.1, 0.2].
  MetricBatch batch;
  for (const char* instance : {"i1", "i2"}) {
    for (const auto& [le, per_step] :
         std::vector<std::pair<std::string, double>>{{"0.1", 5}, {"0.2", 10}, {"+Inf", 10}}) {
      MetricSeries s;
      s.labels = {{"__name__", "lat_bucket"}, {"instance", instance}, {"le", le}, {"service", "a"}};
      s.kind = MetricKind::kCounter;
      for (int i = 0; i <= 6; ++i) {
        s.time_ms.push_back(i * 10000);
        s.values.push_back(per_step * i);
      }
      batch.series.push_back(std::move(s));
    }
  }
  table->Insert(1, batch);
  MetricRangeQuery q;
  q.matchers = *ParseSeriesSelector("lat_bucket");
  q.window_ms = 30000;
  q.by = {"service"};
  q.start_ms = 30000;
  q.end_ms = 60000;
  q.step_ms = 30000;
  auto r = RunHistogramQuantileQuery(*table, q, 0.75);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].labels, (Labels{{"service", "a"}}));
  ASSERT_EQ((*r)[0].points.size(), 2u);
  for (const auto& [t, v] : (*r)[0].points) EXPECT_NEAR(v, 0.15, 1e-9) << t;
  EXPECT_FALSE(RunHistogramQuantileQuery(*table, q, 1.5).ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace periscope
