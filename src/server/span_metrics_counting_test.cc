#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>

#include "model/metric_labels.h"
#include "query/insights/counter_increase.h"
#include "server/span_metrics.h"
#include "storage/metrics/metric_table.h"

namespace periscope {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kSec = 1000000000LL;
constexpr int64_t kT0 = 1'795'000'000LL * kSec;  // when the server (and its live generator) start

// One root SERVER span of `service` ending at end_ns, as the demo shop's entry points.
SpanBatch OneServerSpan(const std::string& service, int64_t end_ns, uint64_t n) {
  SpanBatch b;
  b.tenant = "default";
  b.scopes.push_back(Scope{"test", "1", {}, 0, ""});
  Resource r;
  r.attributes = {{"service.name", AnyValue::String(service)},
                  {"deployment.environment.name", AnyValue::String("prod")}};
  r.tags = ExtractUnifiedTags(r.attributes);
  b.resources.push_back(std::move(r));
  const size_t i = b.AddRow(0, 0);
  for (int k = 0; k < 8; ++k) {
    b.trace_id[i].bytes[15 - k] = static_cast<uint8_t>(n >> (8 * k));
    b.span_id[i].bytes[7 - k] = static_cast<uint8_t>(n >> (8 * k));
  }
  b.trace_id[i].bytes[0] = 1;
  b.name[i] = "POST /checkout";
  b.kind[i] = SpanKind::kServer;
  b.start_ns[i] = end_ns - 5'000'000;
  b.end_ns[i] = end_ns;
  return b;
}

// The demo's two RED generators fed like `periscope demo --backfill`: the live one (the trace
// pipeline's, counting at processing time) and the backfill's (on simulated time, leaving spans
// newer than now - slack to the live one), their Collect() output written into one table.
class SpanMetricsCountingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("span_metrics_counting_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    MetricTableOptions o;
    o.dir = dir_.string();
    auto t = MetricTable::Open(o);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    table_ = std::move(*t);
  }
  void TearDown() override {
    table_.reset();
    fs::remove_all(dir_);
  }

  void Write(SpanMetricsGenerator& g, int64_t now_ns) {
    for (const MetricBatch& b : g.Collect(now_ns)) table_->Insert(++seq_, b);
  }

  // Backfills `window_ns` of history in 10 s steps of simulated time, `wall_per_step_ns` of
  // real time each, until simulated time catches up with real time; then `live_ns` of live
  // traffic, one span a second. Returns the number of spans sent.
  int64_t RunDemo(const SpanMetricsOptions& backfill_options, int64_t window_ns,
                  int64_t wall_per_step_ns, int64_t live_ns) {
    SpanMetricsOptions live_options;
    SpanMetricsGenerator live(live_options);
    SpanMetricsGenerator backfill(backfill_options);
    int64_t sent = 0;
    int64_t wall = kT0;
    int64_t next_live_flush = kT0 + live_options.flush_interval_ns;
    auto live_flushes_until = [&](int64_t t) {
      for (; next_live_flush <= t; next_live_flush += live_options.flush_interval_ns) {
        Write(live, next_live_flush);
      }
    };
    int64_t sim = kT0 - window_ns;
    int64_t next_backfill_flush = 0;
    for (bool caught_up = false; !caught_up;) {
      const int64_t step_end = std::min(sim + 10 * kSec, wall);
      caught_up = step_end == wall;
      if (next_backfill_flush == 0) next_backfill_flush = step_end;
      for (; next_backfill_flush < step_end;
           next_backfill_flush += backfill_options.flush_interval_ns) {
        Write(backfill, next_backfill_flush);
      }
      const SpanBatch spans = OneServerSpan("checkout", step_end - kSec, ++sent);
      live.Observe(spans, wall);  // the trace pipeline, when the spans are accepted
      backfill.Observe(spans, step_end, wall - backfill_options.late_span_slack_ns);
      sim = step_end;
      wall += wall_per_step_ns;
      live_flushes_until(wall);
    }
    Write(backfill, std::max(sim, next_backfill_flush));
    for (const int64_t end = wall + live_ns; wall < end; wall += kSec) {
      live_flushes_until(wall);
      live.Observe(OneServerSpan("checkout", wall - kSec / 2, ++sent), wall);
    }
    live_flushes_until(wall + live_options.flush_interval_ns);
    return sent;
  }

  // Exact increase of every series of `metric` over [start, end], summed.
  double Increase(const std::string& metric, int64_t start_ns, int64_t end_ns) {
    auto grid = StepGrid::Make(start_ns / 1000000, end_ns / 1000000, 60000);
    EXPECT_TRUE(grid.ok());
    auto m = LabelMatcher::Make("__name__", MatchOp::kEqual, metric);
    auto r = CounterIncreases(*table_, "default", {*m}, *grid);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    double total = 0;
    if (r.ok()) {
      for (const SeriesIncrease& inc : *r) total += inc.total;
    }
    return total;
  }

  fs::path dir_;
  std::unique_ptr<MetricTable> table_;
  uint64_t seq_ = 0;
};

SpanMetricsOptions BackfillOptions() {
  SpanMetricsOptions o;
  o.flush_interval_ns = 60 * kSec;
  o.external_labels = {{"__metrics_gen_instance", "backfill-1"}};
  return o;
}

// The lead's 1 h demo: the backfill is done before the live generator's first flush, and its
// last sample lands after the live generator's first (zero) sample of the same series.
TEST_F(SpanMetricsCountingTest, FastBackfillAndLiveGeneratorCountEverySpanOnce) {
  const int64_t sent = RunDemo(BackfillOptions(), 3600 * kSec, 20'000'000, 300 * kSec);
  const int64_t start = kT0 - 2 * 3600 * kSec, end = kT0 + 3600 * kSec;
  EXPECT_EQ(Increase("traces_spanmetrics_calls_total", start, end), sent);
  EXPECT_EQ(Increase("traces_spanmetrics_latency_count", start, end), sent);
  EXPECT_EQ(Increase("traces_service_graph_request_total", start, end), sent);
}

// A backfill slower than the ingestion slack (the 24 h demo): the live generator counts spans
// and flushes while the backfill still writes samples.
TEST_F(SpanMetricsCountingTest, SlowBackfillAndLiveGeneratorCountEverySpanOnce) {
  const int64_t sent = RunDemo(BackfillOptions(), 3600 * kSec, 500'000'000, 300 * kSec);
  const int64_t start = kT0 - 2 * 3600 * kSec, end = kT0 + 3600 * kSec;
  EXPECT_EQ(Increase("traces_spanmetrics_calls_total", start, end), sent);
  EXPECT_EQ(Increase("traces_spanmetrics_latency_count", start, end), sent);
  EXPECT_EQ(Increase("traces_service_graph_request_total", start, end), sent);
}

TEST_F(SpanMetricsCountingTest, WindowAfterTheBackfillCountsOnlyItsSpans) {
  const int64_t sent = RunDemo(BackfillOptions(), 3600 * kSec, 20'000'000, 600 * kSec);
  // Live spans end every second from the end of the backfill (~kT0 + 7 s) on; the live
  // generator writes them at its next 15 s flush. (kT0 + 60 s, kT0 + 360 s] holds the flushes
  // at kT0 + 75 s ... + 360 s, i.e. the spans that ended in [kT0 + 60 s, kT0 + 360 s).
  const double in_window =
      Increase("traces_spanmetrics_calls_total", kT0 + 60 * kSec, kT0 + 360 * kSec);
  EXPECT_EQ(in_window, 300);
  EXPECT_GT(sent, 600);
}

TEST_F(SpanMetricsCountingTest, ExternalLabelsGoOnEverySeries) {
  SpanMetricsGenerator g(BackfillOptions());
  g.Observe(OneServerSpan("checkout", kT0, 1), kT0);
  const std::vector<MetricBatch> batches = g.Collect(kT0 + kSec);
  ASSERT_EQ(batches.size(), 1u);
  size_t calls = 0, edges = 0;
  for (const MetricSeries& s : batches[0].series) {
    EXPECT_EQ(LabelValue(s.labels, "__metrics_gen_instance"), "backfill-1")
        << LabelValue(s.labels, "__name__");
    if (LabelValue(s.labels, "__name__") == "traces_spanmetrics_calls_total") ++calls;
    if (LabelValue(s.labels, "__name__") == "traces_service_graph_request_total") ++edges;
  }
  EXPECT_EQ(calls, 1u);
  EXPECT_EQ(edges, 1u);
}

TEST_F(SpanMetricsCountingTest, GeneratorWithoutPipelineCollectsButDoesNotFlush) {
  SpanMetricsGenerator g(SpanMetricsOptions{});
  g.Observe(OneServerSpan("checkout", kT0, 1), kT0);
  EXPECT_EQ(g.Flush(kT0 + kSec).code(), StatusCode::kUnavailable);
  g.Start();
  g.Stop();
  EXPECT_FALSE(g.Collect(kT0 + kSec).empty());
}

}  // namespace
}  // namespace periscope
