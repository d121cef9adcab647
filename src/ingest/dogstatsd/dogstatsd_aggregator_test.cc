#include "ingest/dogstatsd/dogstatsd_aggregator.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "model/metric_labels.h"

namespace periscope {
namespace {

void Feed(DogStatsdAggregator& agg, std::string_view packet) {
  const auto st = ParseDogStatsdPacket(packet, [&](const DogStatsdMetric& m) { agg.Add(m); });
  ASSERT_EQ(st.malformed, 0u) << packet;
}

// "name{labels}" -> series, for a flushed batch.
std::map<std::string, MetricSeries> ByLabels(const MetricBatch& batch) {
  std::map<std::string, MetricSeries> out;
  for (const auto& s : batch.series) {
    EXPECT_EQ(s.values.size(), 1u);
    EXPECT_TRUE(out.emplace(LabelsToString(s.labels), s).second) << LabelsToString(s.labels);
  }
  return out;
}

TEST(DogStatsdAggregatorTest, CountersAreCumulativeWithSampleRateApplied) {
  DogStatsdAggregator agg;
  Feed(agg, "req.count:1|c\nreq.count:2|c|@0.5\nreq.count:1:1|c");
  auto first = ByLabels(agg.Flush(1000));
  ASSERT_EQ(first.count("req_count{}"), 1u);
  const MetricSeries& s = first["req_count{}"];
  EXPECT_EQ(s.kind, MetricKind::kCounter);
  EXPECT_EQ(s.time_ms, std::vector<int64_t>{1000});
  EXPECT_DOUBLE_EQ(s.values[0], 1 + 4 + 2);
  // No increment: the total is repeated so rate() sees a flat line.
  auto second = ByLabels(agg.Flush(2000));
  EXPECT_DOUBLE_EQ(second["req_count{}"].values[0], 7);
  Feed(agg, "req.count:3|c");
  auto third = ByLabels(agg.Flush(3000));
  EXPECT_DOUBLE_EQ(third["req_count{}"].values[0], 10);
}

TEST(DogStatsdAggregatorTest, IdleCountersExpire) {
  DogStatsdAggregatorOptions o;
  o.counter_expiry_ms = 5000;
  DogStatsdAggregator agg(o);
  Feed(agg, "c:1|c");
  EXPECT_EQ(agg.Flush(1000).series.size(), 1u);
  EXPECT_EQ(agg.Flush(5999).series.size(), 1u);
  EXPECT_EQ(agg.Flush(6000).series.size(), 0u);
  EXPECT_EQ(agg.context_count(), 0u);
}

TEST(DogStatsdAggregatorTest, GaugeKeepsLastValueAndItsTimestamp) {
  DogStatsdAggregator agg;
  Feed(agg, "temp:1|g\ntemp:5|g\ntemp:3|g\nold:7|g|T1700000000");
  auto m = ByLabels(agg.Flush(1000));
  EXPECT_DOUBLE_EQ(m["temp{}"].values[0], 3);
  EXPECT_EQ(m["temp{}"].kind, MetricKind::kGauge);
  EXPECT_EQ(m["old{}"].time_ms[0], 1700000000000);
  // Gauges only report intervals they were written in.
  EXPECT_TRUE(agg.Flush(2000).series.empty());
}

TEST(DogStatsdAggregatorTest, SetCountsDistinctMembersPerInterval) {
  DogStatsdAggregator agg;
  Feed(agg, "users:alice|s\nusers:bob|s\nusers:alice:carol|s");
  EXPECT_DOUBLE_EQ(ByLabels(agg.Flush(1000))["users{}"].values[0], 3);
  Feed(agg, "users:alice|s");
  EXPECT_DOUBLE_EQ(ByLabels(agg.Flush(2000))["users{}"].values[0], 1);
}

TEST(DogStatsdAggregatorTest, HistogramLikeTypesEmitSummaryGauges) {
  for (const char* type : {"ms", "h", "d"}) {
    DogStatsdAggregator agg;
    std::string packet;
    for (int i = 1; i <= 100; ++i) packet += "lat:" + std::to_string(i) + "|" + type + "\n";
    packet += std::string("lat:1000|") + type + "|@0.5";
    Feed(agg, packet);
    auto m = ByLabels(agg.Flush(1000));
    auto v = [&](const char* n) { return m[std::string(n) + "{}"].values[0]; };
    ASSERT_EQ(m.size(), 8u) << type;
    EXPECT_DOUBLE_EQ(v("lat_count"), 102) << type;
    EXPECT_DOUBLE_EQ(v("lat_sum"), 5050 + 2000) << type;
    EXPECT_DOUBLE_EQ(v("lat_min"), 1);
    EXPECT_DOUBLE_EQ(v("lat_max"), 1000);
    EXPECT_DOUBLE_EQ(v("lat_avg"), 7050.0 / 102);
    EXPECT_DOUBLE_EQ(v("lat_median"), 51);  // nearest rank over the 101 received values
    EXPECT_DOUBLE_EQ(v("lat_95percentile"), 96);
    EXPECT_DOUBLE_EQ(v("lat_99percentile"), 100);
    for (const auto& [_, s] : m) EXPECT_EQ(s.kind, MetricKind::kGauge);
    EXPECT_TRUE(agg.Flush(2000).series.empty());
  }
}

TEST(DogStatsdAggregatorTest, ReservoirKeepsExactCountSumMinMax) {
  DogStatsdAggregatorOptions o;
  o.max_values_per_context = 16;
  DogStatsdAggregator agg(o);
  std::string packet;
  for (int i = 1; i <= 1000; ++i) packet += "x:" + std::to_string(i) + "|h\n";
  Feed(agg, packet);
  auto m = ByLabels(agg.Flush(1000));
  EXPECT_DOUBLE_EQ(m["x_count{}"].values[0], 1000);
  EXPECT_DOUBLE_EQ(m["x_sum{}"].values[0], 500500);
  EXPECT_DOUBLE_EQ(m["x_min{}"].values[0], 1);
  EXPECT_DOUBLE_EQ(m["x_max{}"].values[0], 1000);
  const double p50 = m["x_median{}"].values[0];
  EXPECT_GE(p50, 1);
  EXPECT_LE(p50, 1000);
}

TEST(DogStatsdAggregatorTest, TagsBecomeLabelsIndependentOfOrder) {
  DogStatsdAggregator agg;
  Feed(agg,
       "api.hits:1|c|#service:web,env:prod,version:1.2,host:h1,http.route:/a,canary\n"
       "api.hits:2|c|#canary,http.route:/a,host:h1,version:1.2,env:prod,service:web\n"
       "api.hits:4|c|#role:b,role:a,dd.internal.entity_id:x,__name__:evil,empty:\n");
  auto m = ByLabels(agg.Flush(1000));
  ASSERT_EQ(m.size(), 2u);
  const std::string tagged =
      "api_hits{canary=\"true\", env=\"prod\", host=\"h1\", "
      "http_route=\"/a\", service=\"web\", version=\"1.2\"}";
  ASSERT_EQ(m.count(tagged), 1u) << m.begin()->first;
  EXPECT_DOUBLE_EQ(m[tagged].values[0], 3);
  const std::string roles = "api_hits{role=\"a,b\"}";
  ASSERT_EQ(m.count(roles), 1u) << m.rbegin()->first;
  EXPECT_DOUBLE_EQ(m[roles].values[0], 4);
}

TEST(DogStatsdAggregatorTest, SameNameDifferentTypesAreSeparateContexts) {
  DogStatsdAggregator agg;
  Feed(agg, "x:1|c\nx:5|g");
  EXPECT_EQ(agg.context_count(), 2u);
  EXPECT_EQ(agg.Flush(1000).tenant, "default");
}

}  // namespace
}  // namespace periscope
