#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "model/ids.h"
#include "model/metric_batch.h"
#include "model/span_batch.h"

namespace periscope {

class MetricsPipeline;

struct SpanMetricsOptions {
  int64_t flush_interval_ns = 15LL * 1000000000LL;
  // Upper bounds in seconds of traces_spanmetrics_latency (Tempo's defaults).
  std::vector<double> latency_buckets = {0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128,
                                         0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384};
  // Upper bounds in seconds of traces_service_graph_request_{server,client}_seconds.
  std::vector<double> graph_buckets = {0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8};
  // Span kinds counted by span metrics (the entry points of a service by default).
  std::vector<SpanKind> span_kinds = {SpanKind::kServer, SpanKind::kConsumer};
  // An unpaired client or server span waits this long for its peer, then is dropped.
  int64_t edge_ttl_ns = 10LL * 1000000000LL;
  size_t max_pending_edges = 100000;
  // Series (span metrics plus graph edges, all tenants) beyond this are not created.
  size_t max_series = 50000;
  // A series with no new span for this long is no longer written (and forgotten).
  int64_t series_idle_ns = 15LL * 60 * 1000000000LL;
  // Spans that ended before now - slack are not counted (Tempo's
  // metrics_ingestion_time_range_slack): samples are stamped with processing time, so late or
  // backfilled spans would all land "now". Counted in periscope_spanmetrics_late_spans_total.
  int64_t late_span_slack_ns = 2LL * 60 * 1000000000LL;
  // Added to every series (Tempo's external labels). Two generators that may write the same
  // series at overlapping times (a backfill on simulated time beside the live one) must differ
  // here, like Tempo's __metrics_gen_instance: samples of two cumulative counters interleaved in
  // one series read as resets, and each reset counts the other writer's whole total again.
  Labels external_labels;
};

// Derives Tempo-compatible RED metrics from ingested spans: span metrics
// (traces_spanmetrics_calls_total, traces_spanmetrics_latency_{bucket,sum,count}) and the
// service graph (traces_service_graph_request_total, _failed_total,
// _server_seconds_*, _client_seconds_*), cumulative since process start, written every
// flush through the metrics pipeline as one batch per tenant. Thread-safe.
class SpanMetricsGenerator {
 public:
  SpanMetricsGenerator(SpanMetricsOptions options, MetricsPipeline& pipeline);
  // A generator without a pipeline, for callers that write the samples of Collect() themselves;
  // its Flush fails with Unavailable and Start does nothing.
  explicit SpanMetricsGenerator(SpanMetricsOptions options);
  ~SpanMetricsGenerator();
  SpanMetricsGenerator(const SpanMetricsGenerator&) = delete;
  SpanMetricsGenerator& operator=(const SpanMetricsGenerator&) = delete;

  // Counts every span of an accepted batch that ended at or after now - late_span_slack; the
  // clock is NowNanos().
  void Observe(const SpanBatch& batch);
  // Same, with `now_ns` as the clock (also deciding when unpaired edges of this batch expire).
  void Observe(const SpanBatch& batch, int64_t now_ns);
  // Same, also leaving out spans that ended at or after `ended_before_ns` (a backfill leaves the
  // newest spans to the generator that counts them at processing time). Returns spans counted.
  size_t Observe(const SpanBatch& batch, int64_t now_ns, int64_t ended_before_ns);

  // Like Flush, but returns the samples (one batch per tenant) instead of writing them, so a
  // caller can write many collections at once.
  std::vector<MetricBatch> Collect(int64_t now_ns);

  // Expires unpaired edges older than now_ns - edge_ttl and writes every live series with a
  // sample at now_ns. Returns the first pipeline error; the cumulative values are written again
  // by the next flush, so an error loses samples, not counts.
  Status Flush(int64_t now_ns);

  // Starts the background thread that flushes every flush_interval_ns.
  void Start();
  // Stops it and flushes one last time (with a pipeline).
  void Stop();

  size_t series_count() const;
  size_t pending_edges() const;

 private:
  struct Exemplar {
    bool set = false;
    MetricExemplar e;
  };
  // One span-metrics series: a counter and a latency histogram.
  struct SpanSeries {
    Labels labels;  // without __name__
    uint64_t calls = 0;
    std::vector<uint64_t> buckets;  // non-cumulative, one per bound plus +Inf
    double sum_seconds = 0;
    std::vector<Exemplar> bucket_exemplars;
    Exemplar call_exemplar;
    int64_t last_update_ns = 0;
    bool written = false;
  };
  // One service-graph edge series.
  struct EdgeSeries {
    Labels labels;  // without __name__
    uint64_t total = 0, failed = 0;
    std::vector<uint64_t> server_buckets, client_buckets;
    double server_sum = 0, client_sum = 0;
    int64_t last_update_ns = 0;
    bool written = false;
  };
  // Half of a client/server pair waiting for the other half.
  struct PendingEdge {
    bool has_client = false, has_server = false;
    std::string client_service, server_service, connection_type, peer;
    double client_seconds = 0, server_seconds = 0;
    bool failed = false;
    int64_t expire_ns = 0;
  };
  struct EdgeKey {
    TraceId trace;
    SpanId span;
    bool operator==(const EdgeKey&) const = default;
  };
  struct EdgeKeyHash {
    size_t operator()(const EdgeKey& k) const {
      return static_cast<size_t>((k.trace.Low64() ^ k.span.Low64()) * 0x9E3779B97F4A7C15ull);
    }
  };
  struct Expiry {
    int64_t expire_ns;
    EdgeKey key;
  };
  struct TenantState {
    std::unordered_map<std::string, SpanSeries> spans;
    std::unordered_map<std::string, EdgeSeries> edges;
    std::unordered_map<EdgeKey, PendingEdge, EdgeKeyHash> pending;
    std::deque<Expiry> expiries;  // in insertion order, hence by expire_ns; may name paired keys
  };

  void ObserveSpan(TenantState& t, const SpanBatch& b, size_t row, int64_t now_ns);
  void ObserveEdgeSide(TenantState& t, const SpanBatch& b, size_t row, int64_t now_ns);
  void RecordEdge(TenantState& t, const PendingEdge& p, int64_t now_ns);
  void ExpireEdgesLocked(int64_t now_ns);
  void AppendSpanSeries(SpanSeries& s, int64_t t_ms, int64_t prev_ms, MetricBatch& out) const;
  void AppendEdgeSeries(EdgeSeries& s, int64_t t_ms, int64_t prev_ms, MetricBatch& out) const;
  void BackgroundLoop();

  const SpanMetricsOptions options_;
  MetricsPipeline* const pipeline_;  // null: Collect() only
  uint32_t kind_mask_ = 0;

  mutable std::mutex mu_;
  std::map<std::string, TenantState> tenants_;
  size_t pending_count_ = 0;
  size_t series_count_ = 0;
  std::string key_scratch_;

  std::mutex flush_mu_;
  std::mutex bg_mu_;
  std::condition_variable bg_cv_;
  bool stopping_ = false;
  std::thread background_;
};

}  // namespace periscope
