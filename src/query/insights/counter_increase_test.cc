#include "query/insights/counter_increase.h"

#include <gtest/gtest.h>

#include "query/insights/insights_testing.h"

namespace periscope {
namespace {

using insights_testing::Counter;
using insights_testing::TempDir;

class CounterIncreaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MetricTableOptions o;
    o.dir = dir_.path();
    table_ = std::move(MetricTable::Open(o)).value();
  }
  void Add(const std::string& name, std::vector<std::pair<int64_t, double>> samples) {
    MetricBatch b;
    b.series.push_back(Counter({{"__name__", "c_total"}, {"name", name}}, std::move(samples)));
    table_->Insert(++seq_, b);
  }
  std::vector<SeriesIncrease> Run(int64_t start, int64_t end, int64_t step) {
    auto grid = StepGrid::Make(start, end, step);
    EXPECT_TRUE(grid.ok());
    auto m = LabelMatcher::Make("__name__", MatchOp::kEqual, "c_total");
    auto r = CounterIncreases(*table_, "default", {*m}, *grid);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<SeriesIncrease>{};
  }
  TempDir dir_;
  std::unique_ptr<MetricTable> table_;
  uint64_t seq_ = 0;
};

TEST_F(CounterIncreaseTest, CountsExactGrowthPerBucketWithoutExtrapolation) {
  Add("a", {{10000, 0}, {25000, 5}, {40000, 12}, {55000, 12}, {70000, 20}});
  auto r = Run(0, 60000, 30000);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].steps, (std::vector<double>{5, 7, 0}));  // buckets 0, 30 s, 60 s
  EXPECT_EQ(r[0].total, 12);
}

TEST_F(CounterIncreaseTest, UsesTheSampleBeforeTheRangeAsBaselineAndHandlesResets) {
  Add("a", {{-5000, 100}, {10000, 110}, {20000, 4}, {30000, 9}});
  auto r = Run(0, 30000, 30000);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].total, 10 + 4 + 5);  // 100 -> 110, reset to 4, 4 -> 9
  EXPECT_EQ(r[0].steps, (std::vector<double>{14, 5}));
}

TEST_F(CounterIncreaseTest, LeavesOutSeriesWithoutSamplesInTheRange) {
  Add("old", {{1000, 1}, {2000, 2}});
  Add("new", {{61000, 0}, {62000, 3}});
  auto r = Run(60000, 120000, 60000);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(LabelValue(r[0].labels, "name"), "new");
  EXPECT_EQ(r[0].total, 3);
}

TEST(StepGridTest, AlignsToStepAndRejectsTooManySteps) {
  auto g = StepGrid::Make(65000, 125000, 30000);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->first_ms, 60000);
  EXPECT_EQ(g->steps, 3u);  // 60 s, 90 s, 120 s
  EXPECT_EQ(g->time_of(2), 120000);
  EXPECT_FALSE(StepGrid::Make(0, 100000000, 1).ok());
  EXPECT_FALSE(StepGrid::Make(10, 5, 1).ok());
  EXPECT_FALSE(StepGrid::Make(0, 5, 0).ok());
}

}  // namespace
}  // namespace periscope
