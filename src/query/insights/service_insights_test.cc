#include "query/insights/service_insights.h"

#include <gtest/gtest.h>

#include "query/insights/insights_testing.h"

namespace periscope {
namespace {

using insights_testing::Counter;
using insights_testing::TempDir;

// Span metrics as server/span_metrics.cc writes them: a zero sample, then the cumulative value.
void AddSpanSeries(MetricBatch& b, const std::string& service, const std::string& env,
                   const std::string& version, const std::string& name, const std::string& status,
                   double calls, const std::vector<std::pair<std::string, double>>& buckets) {
  Labels base = {{"service", service},
                 {"env", env},
                 {"version", version},
                 {"span_name", name},
                 {"span_kind", "SPAN_KIND_SERVER"},
                 {"status_code", status}};
  Labels l = base;
  l.emplace_back("__name__", kSpanCallsMetric);
  b.series.push_back(Counter(l, {{10000, 0}, {25000, calls}}));
  for (const auto& [le, count] : buckets) {
    Labels lb = base;
    lb.emplace_back("__name__", kSpanLatencyBucketMetric);
    lb.emplace_back("le", le);
    b.series.push_back(Counter(lb, {{10000, 0}, {25000, count}}));
  }
}

class ServiceInsightsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MetricTableOptions o;
    o.dir = dir_.path();
    table_ = std::move(MetricTable::Open(o)).value();
    MetricBatch b;
    // checkout/prod 1.0: 90 ok calls (80 <= 0.1 s, 10 in (0.1, 0.2]); 10 errors, all in
    // (0.2, 0.4]; checkout/staging 2.0: 50 ok calls <= 0.1 s; cart/prod: 20 ok calls.
    AddSpanSeries(b, "checkout", "prod", "1.0", "POST /checkout", "STATUS_CODE_OK", 90,
                  {{"0.1", 80}, {"0.2", 90}, {"0.4", 90}, {"+Inf", 90}});
    AddSpanSeries(b, "checkout", "prod", "1.0", "POST /checkout", "STATUS_CODE_ERROR", 10,
                  {{"0.1", 0}, {"0.2", 0}, {"0.4", 10}, {"+Inf", 10}});
    AddSpanSeries(b, "checkout", "staging", "2.0", "GET /status", "STATUS_CODE_OK", 50,
                  {{"0.1", 50}, {"0.2", 50}, {"0.4", 50}, {"+Inf", 50}});
    AddSpanSeries(b, "cart", "prod", "1.0", "GET /cart", "STATUS_CODE_UNSET", 20,
                  {{"0.1", 20}, {"0.2", 20}, {"0.4", 20}, {"+Inf", 20}});
    Labels edge = {{"client", "frontend"}, {"server", "checkout"}, {"connection_type", ""}};
    Labels total = edge, failed = edge;
    total.emplace_back("__name__", kGraphTotalMetric);
    failed.emplace_back("__name__", kGraphFailedMetric);
    b.series.push_back(Counter(total, {{10000, 0}, {25000, 40}}));
    b.series.push_back(Counter(failed, {{10000, 0}, {25000, 4}}));
    table_->Insert(1, b);
    grid_ = *StepGrid::Make(0, 60000, 30000);
  }
  TempDir dir_;
  std::unique_ptr<MetricTable> table_;
  StepGrid grid_;
};

TEST_F(ServiceInsightsTest, SummarisesEachServiceFromCallsAndLatencyBuckets) {
  RedFilter filter;
  auto groups = GroupSpanMetrics(*table_, filter, grid_, [](const Labels& l) {
    return std::string(LabelValue(l, "service"));
  });
  ASSERT_TRUE(groups.ok()) << groups.status().ToString();
  ASSERT_EQ(groups->size(), 2u);
  const RedAccumulator& checkout = groups->at("checkout");
  const RedSummary s = checkout.Summary();
  EXPECT_EQ(s.requests, 150);
  EXPECT_EQ(s.errors, 10);
  EXPECT_DOUBLE_EQ(s.error_rate, 10.0 / 150);
  EXPECT_DOUBLE_EQ(s.rate, 150.0 / 60);
  // Cumulative: <=0.1: 130, <=0.2: 140, <=0.4: 150. p50 rank 75 in the first bucket.
  EXPECT_NEAR(s.p50_ms, 100.0 * 75 / 130, 1e-9);
  EXPECT_NEAR(s.p95_ms, 200 + 200.0 * (142.5 - 140) / 10, 1e-9);
  EXPECT_EQ(checkout.envs(), (std::set<std::string>{"prod", "staging"}));
  EXPECT_EQ(checkout.versions(), (std::set<std::string>{"1.0", "2.0"}));
  // Everything happened at 25 s: bucket 0 of the 30 s grid.
  const StepSeries rate = checkout.RateSeries();
  ASSERT_EQ(rate.size(), 3u);
  EXPECT_EQ(rate[0], (std::pair<int64_t, double>{0, 150.0 / 30}));
  EXPECT_EQ(rate[1].second, 0);
  const StepSeries err = checkout.ErrorRateSeries();
  ASSERT_EQ(err.size(), 1u);  // only buckets with requests
  EXPECT_DOUBLE_EQ(err[0].second, 10.0 / 150);
  EXPECT_EQ(groups->at("cart").Summary().errors, 0);
}

TEST_F(ServiceInsightsTest, FiltersByEnvAndVersionAndGroupsByOperation) {
  RedFilter filter;
  filter.service = "checkout";
  filter.env = "prod";
  auto ops = GroupSpanMetrics(*table_, filter, grid_, [](const Labels& l) {
    return JoinKey({LabelValue(l, "span_name"), LabelValue(l, "span_kind")});
  });
  ASSERT_TRUE(ops.ok());
  ASSERT_EQ(ops->size(), 1u);
  EXPECT_EQ(ops->begin()->first, "POST /checkout\x1fSPAN_KIND_SERVER");
  EXPECT_EQ(ops->begin()->second.Summary().requests, 100);
  filter.env.clear();
  filter.version = "2.0";
  auto v2 = GroupSpanMetrics(*table_, filter, grid_, [](const Labels&) { return "all"; });
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(v2->at("all").Summary().requests, 50);
  EXPECT_DOUBLE_EQ(v2->at("all").Summary().p99_ms, 100.0 * 49.5 / 50);
}

TEST_F(ServiceInsightsTest, GroupsSeveralWaysInOneReadAsSeparateCallsDo) {
  RedFilter filter;
  filter.service = "checkout";
  const std::vector<RedGroupKey> keys = {
      [](const Labels&) -> std::string { return "all"; },
      [](const Labels& l) {
        return JoinKey({LabelValue(l, "span_name"), LabelValue(l, "span_kind")});
      },
      [](const Labels& l) { return std::string(LabelValue(l, "version")); }};
  auto together = GroupSpanMetricsBy(*table_, filter, grid_, keys);
  ASSERT_TRUE(together.ok()) << together.status().ToString();
  ASSERT_EQ(together->size(), keys.size());
  for (size_t k = 0; k < keys.size(); ++k) {
    auto alone = GroupSpanMetrics(*table_, filter, grid_, keys[k]);
    ASSERT_TRUE(alone.ok());
    ASSERT_EQ((*together)[k].size(), alone->size()) << "key " << k;
    for (const auto& [name, acc] : *alone) {
      const RedSummary a = acc.Summary();
      const RedSummary b = (*together)[k].at(name).Summary();
      EXPECT_EQ(b.requests, a.requests) << name;
      EXPECT_EQ(b.errors, a.errors) << name;
      EXPECT_DOUBLE_EQ(b.p95_ms, a.p95_ms) << name;
      EXPECT_EQ((*together)[k].at(name).versions(), acc.versions()) << name;
      EXPECT_EQ((*together)[k].at(name).RateSeries(), acc.RateSeries()) << name;
    }
  }
  EXPECT_EQ((*together)[0].at("all").Summary().requests, 150);
  EXPECT_EQ((*together)[2].at("2.0").Summary().requests, 50);
}

TEST_F(ServiceInsightsTest, GroupsServiceGraphEdgesWithFailures) {
  auto edges = GroupServiceGraph(*table_, "default", "checkout", grid_);
  ASSERT_TRUE(edges.ok());
  ASSERT_EQ(edges->size(), 1u);
  const auto& [key, acc] = *edges->begin();
  EXPECT_EQ(key, (EdgeKey{"frontend", "checkout"}));
  EXPECT_EQ(acc.Summary().requests, 40);
  EXPECT_DOUBLE_EQ(acc.Summary().error_rate, 0.1);
  auto none = GroupServiceGraph(*table_, "default", "cart", grid_);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace periscope
