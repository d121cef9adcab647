#include "server/span_metrics.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "base/metrics.h"
#include "base/time.h"
#include "model/metric_labels.h"
#include "model/span_batch_testing.h"
#include "query/metrics/range_query.h"
#include "server/signal_store.h"

namespace periscope {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kSec = 1000000000LL;
constexpr int64_t kMs = 1000000LL;
constexpr int64_t kT0 = 1'795'000'000LL * kSec;

uint64_t LateSpans() {
  std::string text = MetricsRegistry::Global().RenderPrometheus();
  const std::string name = "\nperiscope_spanmetrics_late_spans_total ";
  size_t at = text.find(name);
  return at == std::string::npos ? 0 : std::stoull(text.substr(at + name.size()));
}

struct TestSpan {
  std::string service;
  std::string name;
  SpanKind kind = SpanKind::kServer;
  uint8_t trace = 1;
  uint8_t span = 0;
  uint8_t parent = 0;  // 0: a root
  int64_t duration_ns = kMs;
  StatusCodeValue status = StatusCodeValue::kUnset;
  Attributes attributes = {};
};

SpanBatch MakeBatch(const std::string& tenant, const std::vector<TestSpan>& spans) {
  SpanBatch b;
  b.tenant = tenant;
  b.scopes.push_back(Scope{"test", "1", {}, 0, ""});
  for (const TestSpan& ts : spans) {
    uint32_t r = 0;
    while (r < b.resources.size() && b.resources[r].tags.service != ts.service) ++r;
    if (r == b.resources.size()) {
      Resource res;
      res.attributes = {{"service.name", AnyValue::String(ts.service)},
                        {"service.version", AnyValue::String("1.0")},
                        {"deployment.environment.name", AnyValue::String("prod")}};
      res.tags = ExtractUnifiedTags(res.attributes);
      b.resources.push_back(std::move(res));
    }
    const size_t i = b.AddRow(r, 0);
    b.trace_id[i].bytes[0] = ts.trace;
    b.span_id[i].bytes[0] = ts.span;
    b.parent_span_id[i].bytes[0] = ts.parent;
    b.name[i] = ts.name;
    b.kind[i] = ts.kind;
    b.start_ns[i] = kT0;
    b.end_ns[i] = kT0 + ts.duration_ns;
    b.status_code[i] = ts.status;
    b.attributes[i] = ts.attributes;
  }
  return b;
}

class SpanMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("span_metrics_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    OpenPipeline();
  }
  void TearDown() override {
    generator_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }
  void OpenPipeline() {
    SignalStoreOptions o;
    o.data_dir = dir_.string();
    o.wal_fsync = false;
    auto p = SignalStore::Open(o);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    store_ = std::move(*p);
  }
  SpanMetricsGenerator& Generator(SpanMetricsOptions o = {}) {
    generator_ = std::make_unique<SpanMetricsGenerator>(std::move(o), store_->metrics());
    return *generator_;
  }
  std::vector<SelectedSeries> Select(const std::string& selector,
                                     const std::string& tenant = "default") {
    auto matchers = ParseSeriesSelector(selector);
    EXPECT_TRUE(matchers.ok()) << selector;
    if (!matchers.ok()) return {};
    auto r = store_->metrics().table().Select(tenant, *matchers, 0, INT64_MAX / 2);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(*r) : std::vector<SelectedSeries>{};
  }
  // The newest value of the one series matching `selector`; -1 when none matches.
  double Value(const std::string& selector, const std::string& tenant = "default") {
    auto series = Select(selector, tenant);
    if (series.empty()) return -1;
    EXPECT_EQ(series.size(), 1u) << selector;
    return series[0].series.values.back();
  }

  fs::path dir_;
  std::unique_ptr<SignalStore> store_;
  std::unique_ptr<SpanMetricsGenerator> generator_;
};

TEST_F(SpanMetricsTest, CountsServerSpansByLabels) {
  auto& g = Generator();
  g.Observe(MakeBatch("default", {{"checkout", "GET /cart", SpanKind::kServer, 1, 1, 0, 1 * kMs},
                                  {"checkout", "GET /cart", SpanKind::kServer, 2, 1, 0, 3 * kMs},
                                  {"checkout", "GET /cart", SpanKind::kServer, 3, 1, 0, 20 * kMs,
                                   StatusCodeValue::kError},
                                  {"checkout", "SELECT", SpanKind::kClient, 1, 2, 1, 5 * kMs},
                                  {"cart", "consume", SpanKind::kConsumer, 4, 1, 9, 1 * kMs}}),
            kT0);
  ASSERT_TRUE(g.Flush(kT0 + kSec).ok());

  const std::string ok =
      "{service=\"checkout\",span_name=\"GET /cart\",span_kind=\"SPAN_KIND_SERVER\","
      "status_code=\"STATUS_CODE_UNSET\",env=\"prod\",version=\"1.0\"";
  EXPECT_EQ(Value("traces_spanmetrics_calls_total" + ok + "}"), 2);
  EXPECT_EQ(Value("traces_spanmetrics_calls_total{service=\"checkout\","
                  "status_code=\"STATUS_CODE_ERROR\"}"),
            1);
  EXPECT_EQ(Value("traces_spanmetrics_latency_bucket" + ok + ",le=\"0.001\"}"), -1);
  EXPECT_EQ(Value("traces_spanmetrics_latency_bucket" + ok + ",le=\"0.002\"}"), 1);
  EXPECT_EQ(Value("traces_spanmetrics_latency_bucket" + ok + ",le=\"0.004\"}"), 2);
  EXPECT_EQ(Value("traces_spanmetrics_latency_bucket" + ok + ",le=\"16.384\"}"), 2);
  EXPECT_EQ(Value("traces_spanmetrics_latency_bucket" + ok + ",le=\"+Inf\"}"), 2);
  EXPECT_EQ(Value("traces_spanmetrics_latency_count" + ok + "}"), 2);
  EXPECT_NEAR(Value("traces_spanmetrics_latency_sum" + ok + "}"), 0.004, 1e-9);
  EXPECT_EQ(Value("traces_spanmetrics_latency_bucket{status_code=\"STATUS_CODE_ERROR\","
                  "le=\"0.016\"}"),
            0);
  EXPECT_EQ(Value("traces_spanmetrics_latency_bucket{status_code=\"STATUS_CODE_ERROR\","
                  "le=\"0.032\"}"),
            1);
  EXPECT_EQ(Value("traces_spanmetrics_calls_total{span_kind=\"SPAN_KIND_CONSUMER\"}"), 1);
  EXPECT_TRUE(Select("traces_spanmetrics_calls_total{span_kind=\"SPAN_KIND_CLIENT\"}").empty());
  auto series = Select("traces_spanmetrics_calls_total" + ok + "}");
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].series.kind, MetricKind::kCounter);
}

TEST_F(SpanMetricsTest, CountersAreCumulativeAndStartAtZero) {
  SpanMetricsOptions o;
  o.flush_interval_ns = 15 * kSec;
  auto& g = Generator(o);
  const auto batch = MakeBatch("default", {{"api", "GET /", SpanKind::kServer, 1, 1}});
  g.Observe(batch, kT0);
  ASSERT_TRUE(g.Flush(kT0 + 30 * kSec).ok());
  g.Observe(batch, kT0 + 31 * kSec);
  g.Observe(batch, kT0 + 32 * kSec);
  ASSERT_TRUE(g.Flush(kT0 + 45 * kSec).ok());
  ASSERT_TRUE(g.Flush(kT0 + 60 * kSec).ok());
  auto series = Select("traces_spanmetrics_calls_total{service=\"api\"}");
  ASSERT_EQ(series.size(), 1u);
  const int64_t t0_ms = kT0 / kMs;
  EXPECT_EQ(series[0].series.time_ms,
            (std::vector<int64_t>{t0_ms + 15000, t0_ms + 30000, t0_ms + 45000, t0_ms + 60000}));
  EXPECT_EQ(series[0].series.values, (std::vector<double>{0, 1, 3, 3}));

  MetricRangeQuery q;
  auto m = ParseSeriesSelector("traces_spanmetrics_calls_total{service=\"api\"}");
  ASSERT_TRUE(m.ok());
  q.matchers = *m;
  q.fn = "increase";
  q.window_ms = 60000;
  q.start_ms = q.end_ms = t0_ms + 60000;
  auto r = RunMetricRangeQuery(store_->metrics().table(), q);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 1u);
  ASSERT_EQ((*r)[0].points.size(), 1u);
  EXPECT_GE((*r)[0].points[0].second, 3.0);
}

TEST_F(SpanMetricsTest, AttachesExemplarsOfRecentSpans) {
  auto& g = Generator();
  g.Observe(MakeBatch("default", {{"api", "GET /", SpanKind::kServer, 7, 1, 0, 3 * kMs},
                                  {"api", "GET /", SpanKind::kServer, 8, 2, 0, 100 * kMs}}),
            kT0);
  ASSERT_TRUE(g.Flush(kT0 + kSec).ok());
  auto calls = Select("traces_spanmetrics_calls_total{service=\"api\"}");
  ASSERT_EQ(calls.size(), 1u);
  ASSERT_EQ(calls[0].series.exemplars.size(), 1u);
  EXPECT_EQ(calls[0].series.exemplars[0].trace_id.bytes[0], 8);
  EXPECT_EQ(calls[0].series.exemplars[0].span_id.bytes[0], 2);

  auto fast = Select("traces_spanmetrics_latency_bucket{service=\"api\",le=\"0.004\"}");
  ASSERT_EQ(fast.size(), 1u);
  ASSERT_EQ(fast[0].series.exemplars.size(), 1u);
  EXPECT_EQ(fast[0].series.exemplars[0].trace_id.bytes[0], 7);
  EXPECT_NEAR(fast[0].series.exemplars[0].value, 0.003, 1e-12);
  EXPECT_EQ(fast[0].series.exemplars[0].time_ms, (kT0 + 3 * kMs) / kMs);
  auto slow = Select("traces_spanmetrics_latency_bucket{service=\"api\",le=\"0.128\"}");
  ASSERT_EQ(slow.size(), 1u);
  ASSERT_EQ(slow[0].series.exemplars.size(), 1u);
  EXPECT_EQ(slow[0].series.exemplars[0].trace_id.bytes[0], 8);
  EXPECT_TRUE(Select("traces_spanmetrics_latency_bucket{service=\"api\",le=\"0.064\"}")[0]
                  .series.exemplars.empty());
}

TEST_F(SpanMetricsTest, PairsClientAndServerSpansAcrossBatches) {
  auto& g = Generator();
  // Client first in one batch, its server child later in another.
  g.Observe(MakeBatch("default", {{"frontend", "call", SpanKind::kClient, 1, 10, 5, 300 * kMs}}),
            kT0);
  ASSERT_TRUE(g.Flush(kT0 + kSec).ok());
  EXPECT_EQ(g.pending_edges(), 1u);
  EXPECT_EQ(Value("traces_service_graph_request_total{client=\"frontend\"}"), -1);
  g.Observe(MakeBatch("default", {{"checkout", "GET", SpanKind::kServer, 1, 11, 10, 250 * kMs,
                                   StatusCodeValue::kError}}),
            kT0 + 2 * kSec);
  // Server first, client later.
  g.Observe(MakeBatch("default", {{"checkout", "GET", SpanKind::kServer, 2, 21, 20, 50 * kMs}}),
            kT0 + 2 * kSec);
  g.Observe(MakeBatch("default", {{"frontend", "call", SpanKind::kClient, 2, 20, 5, 60 * kMs}}),
            kT0 + 3 * kSec);
  EXPECT_EQ(g.pending_edges(), 0u);
  ASSERT_TRUE(g.Flush(kT0 + 4 * kSec).ok());

  const std::string edge = "{client=\"frontend\",server=\"checkout\"}";
  EXPECT_EQ(Value("traces_service_graph_request_total" + edge), 2);
  EXPECT_EQ(Value("traces_service_graph_request_failed_total" + edge), 1);
  const std::string sb =
      "traces_service_graph_request_server_seconds_bucket"
      "{client=\"frontend\",server=\"checkout\",le=";
  EXPECT_EQ(Value(sb + "\"0.1\"}"), 1);
  EXPECT_EQ(Value(sb + "\"0.4\"}"), 2);
  EXPECT_EQ(Value(sb + "\"+Inf\"}"), 2);
  EXPECT_NEAR(Value("traces_service_graph_request_server_seconds_sum" + edge), 0.3, 1e-9);
  EXPECT_EQ(Value("traces_service_graph_request_client_seconds_count" + edge), 2);
  EXPECT_NEAR(Value("traces_service_graph_request_client_seconds_sum" + edge), 0.36, 1e-9);
  EXPECT_EQ(Value("traces_service_graph_request_client_seconds_bucket{client=\"frontend\","
                  "server=\"checkout\",le=\"0.2\"}"),
            1);
  // Pairs never carry a connection type unless messaging.
  EXPECT_EQ(Select("traces_service_graph_request_total{connection_type!=\"\"}").size(), 0u);
}

TEST_F(SpanMetricsTest, ProducerConsumerPairIsMessaging) {
  auto& g = Generator();
  g.Observe(MakeBatch("default", {{"orders", "publish", SpanKind::kProducer, 3, 1, 0},
                                  {"billing", "process", SpanKind::kConsumer, 3, 2, 1}}),
            kT0);
  ASSERT_TRUE(g.Flush(kT0 + kSec).ok());
  EXPECT_EQ(Value("traces_service_graph_request_total{client=\"orders\",server=\"billing\","
                  "connection_type=\"messaging_system\"}"),
            1);
}

TEST_F(SpanMetricsTest, UnpairedEdgesExpireAfterTtl) {
  SpanMetricsOptions o;
  o.edge_ttl_ns = 10 * kSec;
  auto& g = Generator(o);
  g.Observe(MakeBatch("default", {{"frontend", "call", SpanKind::kClient, 1, 10, 5}}), kT0);
  ASSERT_TRUE(g.Flush(kT0 + 9 * kSec).ok());
  EXPECT_EQ(g.pending_edges(), 1u);
  ASSERT_TRUE(g.Flush(kT0 + 10 * kSec).ok());
  EXPECT_EQ(g.pending_edges(), 0u);
  // The late server span finds no client any more; it waits for one on its own.
  g.Observe(MakeBatch("default", {{"checkout", "GET", SpanKind::kServer, 1, 11, 10}}),
            kT0 + 11 * kSec);
  EXPECT_EQ(g.pending_edges(), 1u);
  ASSERT_TRUE(g.Flush(kT0 + 30 * kSec).ok());
  EXPECT_EQ(g.pending_edges(), 0u);
  EXPECT_TRUE(Select("traces_service_graph_request_total").empty());
}

TEST_F(SpanMetricsTest, DatabaseCallsAndRootSpansBecomeVirtualNodes) {
  auto& g = Generator();
  g.Observe(MakeBatch("default", {{"frontend", "GET /", SpanKind::kServer, 1, 1, 0},
                                  {"frontend",
                                   "SELECT",
                                   SpanKind::kClient,
                                   1,
                                   2,
                                   1,
                                   kMs,
                                   StatusCodeValue::kUnset,
                                   {{"db.system", AnyValue::String("postgresql")}}},
                                  {"frontend",
                                   "GET",
                                   SpanKind::kClient,
                                   1,
                                   3,
                                   1,
                                   kMs,
                                   StatusCodeValue::kUnset,
                                   {{"peer.service", AnyValue::String("geo-api")}}}}),
            kT0);
  ASSERT_TRUE(g.Flush(kT0 + 20 * kSec).ok());
  EXPECT_EQ(Value("traces_service_graph_request_total{client=\"user\",server=\"frontend\","
                  "connection_type=\"virtual_node\"}"),
            1);
  EXPECT_EQ(Value("traces_service_graph_request_total{client=\"frontend\",server=\"postgresql\","
                  "connection_type=\"database\"}"),
            1);
  EXPECT_EQ(Value("traces_service_graph_request_total{client=\"frontend\",server=\"geo-api\","
                  "connection_type=\"virtual_node\"}"),
            1);
}

TEST_F(SpanMetricsTest, KeepsTenantsApart) {
  auto& g = Generator();
  g.Observe(MakeBatch("a", {{"api", "GET /", SpanKind::kServer, 1, 1},
                            {"web", "call", SpanKind::kClient, 2, 10, 5}}),
            kT0);
  g.Observe(MakeBatch("b", {{"api", "GET /", SpanKind::kServer, 1, 1},
                            {"api", "GET /", SpanKind::kServer, 2, 1},
                            {"api", "GET", SpanKind::kServer, 2, 11, 10}}),
            kT0);
  EXPECT_EQ(g.pending_edges(), 2u);
  ASSERT_TRUE(g.Flush(kT0 + kSec).ok());
  EXPECT_EQ(Value("traces_spanmetrics_calls_total{span_name=\"GET /\"}", "a"), 1);
  EXPECT_EQ(Value("traces_spanmetrics_calls_total{span_name=\"GET /\"}", "b"), 2);
  EXPECT_EQ(Value("traces_spanmetrics_calls_total", "default"), -1);
  EXPECT_TRUE(Select("traces_service_graph_request_total{client=\"web\"}", "a").empty());
  EXPECT_TRUE(Select("traces_service_graph_request_total{client=\"web\"}", "b").empty());
}

TEST_F(SpanMetricsTest, BoundsPendingEdgesAndSeries) {
  SpanMetricsOptions o;
  o.max_pending_edges = 2;
  o.max_series = 1;
  auto& g = Generator(o);
  g.Observe(MakeBatch("default", {{"web", "a", SpanKind::kClient, 1, 1, 9},
                                  {"web", "b", SpanKind::kClient, 1, 2, 9},
                                  {"web", "c", SpanKind::kClient, 1, 3, 9},
                                  {"api", "x", SpanKind::kServer, 2, 1, 0},
                                  {"api", "y", SpanKind::kServer, 2, 2, 0}}),
            kT0);
  EXPECT_EQ(g.pending_edges(), 2u);
  EXPECT_EQ(g.series_count(), 1u);
  ASSERT_TRUE(g.Flush(kT0 + kSec).ok());
  EXPECT_EQ(Value("traces_spanmetrics_calls_total{span_name=\"x\"}"), 1);
  EXPECT_EQ(Value("traces_spanmetrics_calls_total{span_name=\"y\"}"), -1);
}

TEST_F(SpanMetricsTest, ForgetsIdleSeries) {
  SpanMetricsOptions o;
  o.series_idle_ns = 60 * kSec;
  auto& g = Generator(o);
  g.Observe(MakeBatch("default", {{"api", "GET /", SpanKind::kServer, 1, 1}}), kT0);
  ASSERT_TRUE(g.Flush(kT0 + 30 * kSec).ok());
  EXPECT_EQ(g.series_count(), 2u);  // the span series and the user -> api edge
  ASSERT_TRUE(g.Flush(kT0 + 61 * kSec).ok());
  EXPECT_EQ(g.series_count(), 0u);
  auto series = Select("traces_spanmetrics_calls_total");
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].series.time_ms.back(), (kT0 + 30 * kSec) / kMs);
}

TEST_F(SpanMetricsTest, GeneratedWorkloadAddsUp) {
  SpanMetricsOptions o;
  o.edge_ttl_ns = kSec;
  auto& g = Generator(o);
  const SpanBatch batch = testing::MakeTestSpans(1000, 3);
  size_t server_errors = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    server_errors +=
        batch.kind[i] == SpanKind::kServer && batch.status_code[i] == StatusCodeValue::kError;
  }
  ASSERT_GT(server_errors, 0u);
  g.Observe(batch, kT0);
  ASSERT_TRUE(g.Flush(kT0 + 2 * kSec).ok());
  double calls = 0, errors = 0, count = 0, user_edges = 0, db_edges = 0;
  for (const auto& s : Select("traces_spanmetrics_calls_total")) {
    calls += s.series.values.back();
    if (LabelValue(s.series.labels, "status_code") == "STATUS_CODE_ERROR") {
      errors += s.series.values.back();
    }
    EXPECT_EQ(LabelValue(s.series.labels, "span_kind"), "SPAN_KIND_SERVER");
    EXPECT_FALSE(LabelValue(s.series.labels, "env").empty());
    EXPECT_FALSE(LabelValue(s.series.labels, "version").empty());
  }
  for (const auto& s : Select("traces_spanmetrics_latency_count")) count += s.series.values.back();
  for (const auto& s : Select("traces_service_graph_request_total{client=\"user\"}")) {
    user_edges += s.series.values.back();
  }
  for (const auto& s : Select("traces_service_graph_request_total{server=\"postgresql\"}")) {
    db_edges += s.series.values.back();
  }
  EXPECT_EQ(calls, 1000);
  EXPECT_EQ(count, 1000);
  EXPECT_EQ(errors, static_cast<double>(server_errors));
  EXPECT_EQ(user_edges, 1000);
  EXPECT_EQ(db_edges, 2000);
  EXPECT_EQ(g.pending_edges(), 0u);
}

TEST_F(SpanMetricsTest, MetricsSurviveRestartThroughTheWal) {
  auto& g = Generator();
  g.Observe(MakeBatch("t1", {{"api", "GET /", SpanKind::kServer, 1, 1, 0, 5 * kMs}}), kT0);
  ASSERT_TRUE(g.Flush(kT0 + kSec).ok());
  generator_.reset();
  // Closing the pipeline writes a part; keep only the WAL as it was, so reopening replays it.
  fs::copy(dir_ / "wal", dir_ / "wal-copy");
  store_.reset();
  fs::remove_all(dir_ / "metrics");
  fs::remove_all(dir_ / "wal");
  fs::rename(dir_ / "wal-copy", dir_ / "wal");
  OpenPipeline();
  EXPECT_EQ(Value("traces_spanmetrics_calls_total{service=\"api\"}", "t1"), 1);
  EXPECT_EQ(Value("traces_spanmetrics_latency_bucket{service=\"api\",le=\"0.008\"}", "t1"), 1);
  auto calls = Select("traces_spanmetrics_calls_total{service=\"api\"}", "t1");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].series.kind, MetricKind::kCounter);
}

TEST_F(SpanMetricsTest, StopFlushesOnce) {
  SpanMetricsOptions o;
  o.flush_interval_ns = 3600 * kSec;
  auto& g = Generator(o);
  g.Start();
  SpanBatch b = MakeBatch("default", {{"api", "GET /", SpanKind::kServer, 1, 1}});
  b.start_ns[0] = NowNanos() - kMs;
  b.end_ns[0] = NowNanos();
  g.Observe(b);
  g.Stop();
  EXPECT_EQ(Value("traces_spanmetrics_calls_total{service=\"api\"}"), 1);
}

TEST_F(SpanMetricsTest, IgnoresSpansEndedBeforeSlack) {
  SpanMetricsOptions o;
  o.late_span_slack_ns = 120 * kSec;
  auto& g = Generator(o);
  const auto batch = MakeBatch("default", {{"api", "GET /", SpanKind::kServer, 1, 1},
                                           {"web", "call", SpanKind::kClient, 1, 2, 1}});
  const uint64_t late_before = LateSpans();
  EXPECT_EQ(g.Observe(batch, kT0 + 121 * kSec, INT64_MAX), 0u);
  EXPECT_EQ(LateSpans() - late_before, 2u);
  EXPECT_EQ(g.series_count(), 0u);
  EXPECT_EQ(g.pending_edges(), 0u);
  EXPECT_EQ(g.Observe(batch, kT0 + 119 * kSec, INT64_MAX), 2u);
  EXPECT_EQ(LateSpans() - late_before, 2u);
  ASSERT_TRUE(g.Flush(kT0 + 120 * kSec).ok());
  EXPECT_EQ(Value("traces_spanmetrics_calls_total{service=\"api\"}"), 1);
}

TEST_F(SpanMetricsTest, EndedBeforeLeavesNewerSpansOut) {
  auto& g = Generator();
  SpanBatch batch = MakeBatch("default", {{"api", "GET /", SpanKind::kServer, 1, 1},
                                          {"api", "GET /", SpanKind::kServer, 2, 1}});
  batch.end_ns[1] = kT0 + 10 * kSec;
  EXPECT_EQ(g.Observe(batch, kT0 + 10 * kSec, kT0 + 5 * kSec), 1u);
  ASSERT_TRUE(g.Flush(kT0 + 15 * kSec).ok());
  EXPECT_EQ(Value("traces_spanmetrics_calls_total{service=\"api\"}"), 1);
}

TEST_F(SpanMetricsTest, CollectReturnsSamplesWithoutWriting) {
  auto& g = Generator();
  g.Observe(MakeBatch("default", {{"api", "GET /", SpanKind::kServer, 1, 1}}), kT0);
  std::vector<MetricBatch> batches = g.Collect(kT0 + 15 * kSec);
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].tenant, "default");
  bool found = false;
  for (const MetricSeries& s : batches[0].series) {
    if (LabelValue(s.labels, kMetricNameLabel) == "traces_spanmetrics_calls_total") {
      found = true;
      EXPECT_EQ(s.values.back(), 1);
      EXPECT_EQ(s.time_ms.back(), (kT0 + 15 * kSec) / kMs);
    }
  }
  EXPECT_TRUE(found);
  EXPECT_TRUE(Select("traces_spanmetrics_calls_total").empty());
}

TEST_F(SpanMetricsTest, IgnoresInconsistentBatches) {
  auto& g = Generator();
  SpanBatch b = MakeBatch("default", {{"api", "GET /", SpanKind::kServer, 1, 1}});
  b.resource_index[0] = 7;
  g.Observe(b, kT0);
  EXPECT_EQ(g.series_count(), 0u);
  EXPECT_TRUE(g.Flush(kT0).ok());
}

}  // namespace
}  // namespace periscope
