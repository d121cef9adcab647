#include "loadgen/metric_workload.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "prometheus/remote.pb.h"

namespace periscope::loadgen {
namespace {

MetricWorkloadOptions Options() {
  MetricWorkloadOptions o;
  o.seed = 3;
  o.series = 1'000;
  o.start_ms = 1'795'000'000'000;
  o.scrapes = 25;
  o.series_per_request = 300;
  o.samples_per_series = 10;
  return o;
}

std::string Key(const prometheus::TimeSeries& ts) {
  std::string k;
  for (const auto& l : ts.labels()) k += l.name() + "=" + l.value() + ",";
  return k;
}

TEST(MetricWorkloadTest, NodeExporterInstanceHasOneHundredDistinctSortedSeries) {
  auto specs = NodeExporterSeries(7, 1);
  ASSERT_EQ(specs.size(), static_cast<size_t>(kMetricSeriesPerInstance));
  std::set<std::vector<std::pair<std::string, std::string>>> distinct;
  for (const auto& s : specs) {
    ASSERT_FALSE(s.labels.empty());
    EXPECT_EQ(s.labels[0].first, "__name__");
    EXPECT_TRUE(std::is_sorted(s.labels.begin(), s.labels.end()));
    distinct.insert(s.labels);
  }
  EXPECT_EQ(distinct.size(), specs.size());
}

TEST(MetricWorkloadTest, RequestsAreWriteRequestsCoveringEverySeriesAndScrape) {
  MetricWorkload workload(Options());
  std::string body;
  std::map<std::string, std::vector<std::pair<int64_t, double>>> samples;
  std::map<std::string, std::string> name_of;
  size_t total = 0;
  int requests = 0;
  while (size_t n = workload.NextRequest(&body)) {
    prometheus::WriteRequest request;
    ASSERT_TRUE(request.ParseFromString(body));
    EXPECT_LE(request.timeseries_size(), 300);
    size_t in_request = 0;
    for (const auto& ts : request.timeseries()) {
      EXPECT_LE(ts.samples_size(), 10);
      std::string key = Key(ts);
      name_of[key] = ts.labels(0).value();
      for (const auto& s : ts.samples()) samples[key].emplace_back(s.timestamp(), s.value());
      in_request += static_cast<size_t>(ts.samples_size());
    }
    EXPECT_EQ(in_request, n);
    total += n;
    ++requests;
  }
  EXPECT_EQ(requests, 4 * 3);  // 10+10+5 scrapes x ceil(1000/300) groups
  EXPECT_EQ(total, 25'000u);
  EXPECT_EQ(workload.total_samples(), 25'000u);
  ASSERT_EQ(samples.size(), 1'000u);
  int moving_counters = 0, still_counters = 0;
  for (const auto& [key, points] : samples) {
    ASSERT_EQ(points.size(), 25u) << key;
    const std::string& name = name_of[key];
    bool counter = name.size() > 6 && name.substr(name.size() - 6) == "_total";
    for (size_t i = 1; i < points.size(); ++i) {
      int64_t dt = points[i].first - points[i - 1].first;
      EXPECT_GE(dt, 10'000 - 2) << key;
      EXPECT_LE(dt, 10'000 + 2) << key;
      if (counter) {
        EXPECT_GE(points[i].second, points[i - 1].second) << key;
      }
      if (name == "up") {
        EXPECT_EQ(points[i].second, 1);
      }
    }
    EXPECT_GE(points[0].first, Options().start_ms);
    EXPECT_LT(points[0].first, Options().start_ms + 10'000 + 3);
    if (counter) (points.back().second > points[0].second ? moving_counters : still_counters)++;
  }
  EXPECT_GT(moving_counters, 500);
  EXPECT_GT(still_counters, 10);  // e.g. cpu steal
}

TEST(MetricWorkloadTest, SameOptionsGiveTheSameBytes) {
  MetricWorkload a(Options()), b(Options());
  MetricWorkloadOptions other = Options();
  other.seed = 4;
  MetricWorkload c(other);
  std::string ba, bb, bc;
  bool differs = false;
  while (a.NextRequest(&ba) > 0) {
    ASSERT_GT(b.NextRequest(&bb), 0u);
    ASSERT_GT(c.NextRequest(&bc), 0u);
    EXPECT_EQ(ba, bb);
    differs |= ba != bc;
  }
  EXPECT_TRUE(differs);
}

}  // namespace
}  // namespace periscope::loadgen
