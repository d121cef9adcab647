#include "query/metrics/range_query.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <map>

#include "model/metric_labels.h"
#include "storage/metrics/metric_test_util.h"

namespace periscope {
namespace {

namespace fs = std::filesystem;

class RangeQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("range_query_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    MetricTableOptions o;
    o.dir = dir_.string();
    table_ = std::move(MetricTable::Open(o)).value();
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Add(const std::string& service, std::vector<double> values, MetricKind kind,
           std::vector<int64_t> starts = {}) {
    MetricBatch b;
    MetricSeries s;
    s.labels = {{"__name__", "reqs_total"}, {"service", service}};
    s.kind = kind;
    for (size_t i = 0; i < values.size(); ++i) s.time_ms.push_back(static_cast<int64_t>(i) * 10000);
    s.values = std::move(values);
    s.start_ms = std::move(starts);
    b.series.push_back(std::move(s));
    table_->Insert(1, b);
  }
  std::vector<MetricResultSeries> Run(MetricRangeQuery q) {
    q.matchers = *ParseSeriesSelector("reqs_total");
    auto r = RunMetricRangeQuery(*table_, q);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<MetricResultSeries>{};
  }
  fs::path dir_;
  std::unique_ptr<MetricTable> table_;
};

TEST_F(RangeQueryTest, IncreaseHandlesCounterResets) {
  // 0..40s: 10, 20, 30, then a restart to 5, then 15: increase 10+10+5+10 = 35 over 40 s.
  Add("a", {10, 20, 30, 5, 15}, MetricKind::kCounter);
  MetricRangeQuery q;
  q.fn = "increase";
  q.window_ms = 40001;
  q.start_ms = q.end_ms = 40000;
  auto r = Run(q);
  ASSERT_EQ(r.size(), 1u);
  ASSERT_EQ(r[0].points.size(), 1u);
  EXPECT_NEAR(r[0].points[0].second, 35.0 * 40.001 / 40.0, 1e-9);
  EXPECT_EQ(r[0].labels, (Labels{{"service", "a"}}));  // fn drops __name__
  q.fn = "rate";
  EXPECT_NEAR(Run(q)[0].points[0].second, 35.0 / 40.0, 1e-9);
}

TEST_F(RangeQueryTest, StartTimeChangeIsAResetEvenWhenTheValueGrows) {
  Add("a", {10, 20, 30, 40}, MetricKind::kCounter, {1, 1, 25000, 25000});
  MetricRangeQuery q;
  q.fn = "increase";
  q.window_ms = 30001;
  q.start_ms = q.end_ms = 30000;
  // 10 + (30 after restart) + 10 = 50 over 30 s.
  EXPECT_NEAR(Run(q)[0].points[0].second, 50.0 * 30.001 / 30.0, 1e-9);
}

TEST_F(RangeQueryTest, AggregatesByLabelAndSteps) {
  Add("a", {1, 2, 3}, MetricKind::kGauge);
  Add("b", {10, 20, 30}, MetricKind::kGauge);
  MetricRangeQuery q;
  q.start_ms = 0;
  q.end_ms = 20000;
  q.step_ms = 10000;
  q.agg = "sum";
  auto r = Run(q);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].points,
            (std::vector<std::pair<int64_t, double>>{{0, 11}, {10000, 22}, {20000, 33}}));
  q.agg = "max";
  q.by = {"service"};
  r = Run(q);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1].labels, (Labels{{"service", "b"}}));
  EXPECT_EQ(r[1].points.back().second, 30);
  q.agg = "avg";
  q.by = {};
  EXPECT_EQ(Run(q)[0].points[0].second, 5.5);
  q.agg = "count";
  EXPECT_EQ(Run(q)[0].points[0].second, 2);
}

TEST_F(RangeQueryTest, DeltaCountersAreSummed) {
  Add("a", {5, 5, 5, 5}, MetricKind::kDeltaCounter);
  MetricRangeQuery q;
  q.fn = "increase";
  q.window_ms = 30000;
  q.start_ms = q.end_ms = 30000;
  EXPECT_EQ(Run(q)[0].points[0].second, 15);  // (0, 30s] holds three samples
}

TEST_F(RangeQueryTest, StaleMarkersAreSkippedAndBothEvaluationPathsAgree) {
  // Irregular counter with resets; "b" also carries a stale marker after the last step, which
  // sends it down the NaN-aware path while its windows hold the same samples as "a".
  std::vector<double> values;
  double v = 100;
  for (int i = 0; i < 60; ++i) {
    v = i % 17 == 16 ? 3 : v + (i % 5) * 0.7;
    values.push_back(v);
  }
  Add("a", values, MetricKind::kCounter);
  std::vector<double> with_stale = values;
  double stale;
  const uint64_t bits = 0x7ff0000000000002ull;
  std::memcpy(&stale, &bits, 8);
  with_stale.push_back(stale);
  Add("b", with_stale, MetricKind::kCounter);
  MetricRangeQuery q;
  q.start_ms = 0;
  q.end_ms = 590000;
  q.step_ms = 7000;
  for (const char* fn : {"", "rate", "increase"}) {
    q.fn = fn;
    for (int64_t window : {25000, 60001, 300000}) {  // two samples or more
      q.window_ms = window;
      auto r = Run(q);
      ASSERT_EQ(r.size(), 2u);
      EXPECT_FALSE(r[0].points.empty());
      EXPECT_EQ(r[0].points, r[1].points) << fn << " " << window;
    }
  }
  // Past the last sample the stale marker is skipped: the raw value is still the last sample.
  q.fn = "";
  q.window_ms = 300000;
  q.start_ms = q.end_ms = 600000;
  auto r = Run(q);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1].points, (std::vector<std::pair<int64_t, double>>{{600000, values.back()}}));
  // A window holding only the stale marker has no value.
  q.window_ms = 5000;
  r = Run(q);
  EXPECT_TRUE(r.empty());
}

TEST_F(RangeQueryTest, CounterResetInsideTheWindowCountsTheNewValue) {
  Add("a", {10, 20, 4, 9}, MetricKind::kCounter);
  MetricRangeQuery q;
  q.fn = "increase";
  q.window_ms = 30001;
  q.start_ms = q.end_ms = 30000;
  // 10 + 4 (reset: the new value is the increase) + 5 = 19 over 30 s, extrapolated by 1 ms.
  auto r = Run(q);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_NEAR(r[0].points[0].second, 19.0 * 30.001 / 30.0, 1e-9);
}

TEST_F(RangeQueryTest, AnswersTheSameFromPartsAsFromTheMemtable) {
  Add("a", {1, 4, 9, 16, 25, 36}, MetricKind::kCounter);
  Add("b", {2, 3, 5, 7, 11, 13}, MetricKind::kCounter);
  MetricRangeQuery q;
  q.fn = "rate";
  q.window_ms = 25000;
  q.start_ms = 0;
  q.end_ms = 60000;
  q.step_ms = 5000;
  q.agg = "sum";
  const auto before = Run(q);
  ASSERT_EQ(before.size(), 1u);
  table_->Freeze();
  ASSERT_TRUE(table_->WriteFrozen(1).ok());
  const auto after = Run(q);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].labels, before[0].labels);
  EXPECT_EQ(after[0].points, before[0].points);
  EXPECT_EQ(after[0].points.size(), 11u);  // t = 10 s .. 60 s: two samples or more
  q.agg = "";
  EXPECT_EQ(Run(q).size(), 2u);
}

TEST_F(RangeQueryTest, GroupingByNameAfterAFunctionUsesNoName) {
  Add("a", {1, 2, 3}, MetricKind::kCounter);
  MetricRangeQuery q;
  q.fn = "increase";
  q.window_ms = 30000;
  q.start_ms = q.end_ms = 20000;
  q.agg = "sum";
  q.by = {"__name__", "service"};
  auto r = Run(q);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].labels, (Labels{{"service", "a"}}));
  q.fn = "";
  r = Run(q);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].labels, (Labels{{"__name__", "reqs_total"}, {"service", "a"}}));
}

TEST_F(RangeQueryTest, RejectsBadParameters) {
  MetricRangeQuery q;
  q.matchers = *ParseSeriesSelector("x");
  q.fn = "irate";
  EXPECT_EQ(RunMetricRangeQuery(*table_, q).status().code(), StatusCode::kInvalidArgument);
  q.fn = "";
  q.end_ms = 1000000000;
  q.step_ms = 1;
  EXPECT_FALSE(RunMetricRangeQuery(*table_, q).ok());
}

// sum/avg/min/max/count by instance, aggregated in place while scanning, equal the same
// aggregates of the per-series answers; and both are the same whether the samples sit in the
// memtable, in one part, or split over parts and the memtable.
TEST_F(RangeQueryTest, InPlaceAggregatesMatchPerSeriesAnswersWhereverSamplesSit) {
  const int64_t t0 = 1'700'000'000'000;
  MetricBatch all = testing::NodeExporterLikeBatch(400, 120, t0, 10'000);
  for (auto& s : all.series) {
    for (auto& [name, value] : s.labels) {
      if (name == "__name__") value = "reqs_total";  // one name, counters and gauges mixed
    }
  }
  auto run_all = [&](const std::string& agg, const std::string& fn) {
    MetricRangeQuery q;
    q.matchers = *ParseSeriesSelector("reqs_total");
    q.fn = fn;
    q.agg = agg;
    if (!agg.empty()) q.by = {"instance"};
    q.start_ms = t0 + 300'000;
    q.end_ms = t0 + 1'190'000;
    q.step_ms = 30'000;
    auto r = RunMetricRangeQuery(*table_, q);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<MetricResultSeries>{};
  };
  auto insert = [&](size_t from, size_t to, uint64_t seq) {
    MetricBatch b;
    for (const auto& s : all.series) {
      MetricSeries piece = s;
      piece.time_ms.assign(s.time_ms.begin() + from, s.time_ms.begin() + to);
      piece.values.assign(s.values.begin() + from, s.values.begin() + to);
      b.series.push_back(std::move(piece));
    }
    table_->Insert(seq, b);
  };
  const std::vector<std::string> aggs = {"sum", "avg", "min", "max", "count"};
  std::map<std::string, std::vector<MetricResultSeries>> first;
  for (int layout = 0; layout < 3; ++layout) {
    TearDown();
    SetUp();
    if (layout == 0) {
      insert(0, 120, 1);  // memtable only
    } else if (layout == 1) {
      insert(0, 120, 1);  // one part
      table_->Freeze();
      ASSERT_TRUE(table_->WriteFrozen(1).ok());
    } else {
      insert(0, 50, 1);  // two parts (one overlapping the other in time) and the memtable
      insert(100, 120, 2);
      table_->Freeze();
      ASSERT_TRUE(table_->WriteFrozen(2).ok());
      insert(50, 70, 3);
      table_->Freeze();
      ASSERT_TRUE(table_->WriteFrozen(3).ok());
      insert(70, 100, 4);
    }
    for (const std::string fn : {"rate", "increase", ""}) {
      const auto per_series = run_all("", fn);
      ASSERT_EQ(per_series.size(), 400u);
      for (const std::string& agg : aggs) {
        const auto got = run_all(agg, fn);
        // The expected aggregate, from the per-series answers (label order, as scanned).
        std::map<std::string, std::map<int64_t, std::pair<double, int>>> want;
        for (const auto& s : per_series) {
          auto& by_t = want[std::string(LabelValue(s.labels, "instance"))];
          for (const auto& [t, v] : s.points) {
            auto& [a, n] = by_t[t];
            a = n == 0 ? v : agg == "min" ? std::min(a, v) : agg == "max" ? std::max(a, v) : a + v;
            ++n;
          }
        }
        ASSERT_EQ(got.size(), want.size()) << agg << " " << fn;
        for (const auto& g : got) {
          const auto& by_t = want[std::string(LabelValue(g.labels, "instance"))];
          ASSERT_EQ(g.points.size(), by_t.size());
          for (const auto& [t, v] : g.points) {
            const auto& [a, n] = by_t.at(t);
            const double expected = agg == "avg" ? a / n : agg == "count" ? n : a;
            EXPECT_DOUBLE_EQ(v, expected) << agg << "(" << fn << ") at " << t;
          }
        }
        const std::string key = agg + "/" + fn;
        if (layout == 0) {
          first[key] = got;
        } else {
          ASSERT_EQ(got.size(), first[key].size());
          for (size_t i = 0; i < got.size(); ++i) {
            EXPECT_EQ(got[i].labels, first[key][i].labels);
            EXPECT_EQ(got[i].points, first[key][i].points) << key << " layout " << layout;
          }
        }
      }
    }
  }
}

TEST(SeriesSelectorTest, ParsesEveryMatcherAndRejectsJunk) {
  auto m = ParseSeriesSelector(R"(http_requests_total{code=~"5..", svc!="a\"b", x!~'y', e=""})");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->size(), 5u);
  EXPECT_EQ((*m)[2].value(), "a\"b");
  EXPECT_EQ((*m)[3].op(), MatchOp::kNotRegex);
  EXPECT_TRUE(ParseSeriesSelector("{job=\"x\"}").ok());
  for (const char* bad :
       {"", "x{", "x{a}", "x{a=b}", "x{a=\"b\"", "x y", "{a==\"b\"}", "x{a=~\"(\"}"}) {
    EXPECT_EQ(ParseSeriesSelector(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace periscope
