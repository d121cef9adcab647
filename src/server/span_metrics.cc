#include "server/span_metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <limits>

#include "base/log.h"
#include "base/metrics.h"
#include "base/time.h"
#include "ingest/promrw/remote_write_encoder.h"
#include "model/metric_labels.h"
#include "server/metrics_pipeline.h"
#include "storage/wal/wal.h"

namespace periscope {

namespace {

Counter* const g_expired_edges = MetricsRegistry::Global().NewCounter(
    "periscope_service_graph_expired_edges_total",
    "Client or server spans dropped unpaired after the service-graph edge TTL.");
Counter* const g_dropped_edge_spans = MetricsRegistry::Global().NewCounter(
    "periscope_service_graph_dropped_spans_total",
    "Client or server spans not paired because too many edges were pending.");
Counter* const g_dropped_series_spans = MetricsRegistry::Global().NewCounter(
    "periscope_spanmetrics_dropped_spans_total",
    "Spans not counted in RED metrics because the series limit was reached.");
Counter* const g_late_spans = MetricsRegistry::Global().NewCounter(
    "periscope_spanmetrics_late_spans_total",
    "Spans not counted in RED metrics because they ended before now minus the ingestion slack.");
Counter* const g_flush_failures = MetricsRegistry::Global().NewCounter(
    "periscope_spanmetrics_flush_failures_total",
    "RED metric batches that could not be written to the metrics pipeline.");

constexpr char kSep = '\x1f';

std::string_view KindLabel(SpanKind kind) {
  switch (kind) {
    case SpanKind::kInternal:
      return "SPAN_KIND_INTERNAL";
    case SpanKind::kServer:
      return "SPAN_KIND_SERVER";
    case SpanKind::kClient:
      return "SPAN_KIND_CLIENT";
    case SpanKind::kProducer:
      return "SPAN_KIND_PRODUCER";
    case SpanKind::kConsumer:
      return "SPAN_KIND_CONSUMER";
    case SpanKind::kUnspecified:
      break;
  }
  return "SPAN_KIND_UNSPECIFIED";
}

std::string_view StatusLabel(StatusCodeValue code) {
  switch (code) {
    case StatusCodeValue::kOk:
      return "STATUS_CODE_OK";
    case StatusCodeValue::kError:
      return "STATUS_CODE_ERROR";
    case StatusCodeValue::kUnset:
      break;
  }
  return "STATUS_CODE_UNSET";
}

uint32_t KindBit(SpanKind kind) { return 1u << static_cast<uint32_t>(kind); }

double Seconds(int64_t ns) { return ns > 0 ? static_cast<double>(ns) / 1e9 : 0.0; }

size_t BucketOf(const std::vector<double>& bounds, double v) {
  return static_cast<size_t>(std::lower_bound(bounds.begin(), bounds.end(), v) - bounds.begin());
}

// The first of `keys` present as a non-empty string attribute, or nullptr.
const std::string* FirstStringAttribute(const Attributes& attrs,
                                        std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) {
    const AnyValue* v = FindAttribute(attrs, key);
    if (v && v->type == ValueType::kString && !v->str.empty()) return &v->str;
  }
  return nullptr;
}

std::string LeLabel(double bound) { return fmt::format("{}", bound); }

// Appends one cumulative sample at t_ms, preceded by a zero at prev_ms for a series written for
// the first time, so rate() sees its first increase.
void AppendCounter(Labels labels, std::string_view name, double value, int64_t t_ms,
                   int64_t prev_ms, bool first, std::vector<MetricExemplar> exemplars,
                   MetricBatch& out) {
  MetricSeries s;
  labels.emplace_back(std::string(kMetricNameLabel), std::string(name));
  NormalizeLabels(labels);
  s.labels = std::move(labels);
  s.kind = MetricKind::kCounter;
  if (first && prev_ms < t_ms) {
    s.time_ms.push_back(prev_ms);
    s.values.push_back(0);
  }
  s.time_ms.push_back(t_ms);
  s.values.push_back(value);
  s.exemplars = std::move(exemplars);
  out.series.push_back(std::move(s));
}

void AppendHistogram(const Labels& labels, std::string_view base, const std::vector<double>& bounds,
                     const std::vector<uint64_t>& buckets, double sum,
                     std::vector<MetricExemplar>* bucket_exemplars, int64_t t_ms, int64_t prev_ms,
                     bool first, MetricBatch& out) {
  uint64_t cumulative = 0;
  const std::string bucket_name = std::string(base) + "_bucket";
  for (size_t i = 0; i <= bounds.size(); ++i) {
    cumulative += buckets[i];
    Labels l = labels;
    l.emplace_back("le", i < bounds.size() ? LeLabel(bounds[i]) : "+Inf");
    std::vector<MetricExemplar> ex;
    if (bucket_exemplars) ex = std::move(bucket_exemplars[i]);
    AppendCounter(std::move(l), bucket_name, static_cast<double>(cumulative), t_ms, prev_ms, first,
                  std::move(ex), out);
  }
  AppendCounter(labels, std::string(base) + "_sum", sum, t_ms, prev_ms, first, {}, out);
  AppendCounter(labels, std::string(base) + "_count", static_cast<double>(cumulative), t_ms,
                prev_ms, first, {}, out);
}

}  // namespace

SpanMetricsGenerator::SpanMetricsGenerator(SpanMetricsOptions options, MetricsPipeline& pipeline)
    : options_(std::move(options)), pipeline_(&pipeline) {
  for (SpanKind k : options_.span_kinds) kind_mask_ |= KindBit(k);
}

SpanMetricsGenerator::SpanMetricsGenerator(SpanMetricsOptions options)
    : options_(std::move(options)), pipeline_(nullptr) {
  for (SpanKind k : options_.span_kinds) kind_mask_ |= KindBit(k);
}

SpanMetricsGenerator::~SpanMetricsGenerator() {
  {
    std::lock_guard lock(bg_mu_);
    stopping_ = true;
  }
  bg_cv_.notify_all();
  if (background_.joinable()) background_.join();
}

void SpanMetricsGenerator::Observe(const SpanBatch& batch) { Observe(batch, NowNanos()); }

void SpanMetricsGenerator::Observe(const SpanBatch& batch, int64_t now_ns) {
  Observe(batch, now_ns, std::numeric_limits<int64_t>::max());
}

size_t SpanMetricsGenerator::Observe(const SpanBatch& batch, int64_t now_ns,
                                     int64_t ended_before_ns) {
  if (batch.empty() || !batch.IsConsistent()) return 0;
  const int64_t oldest_end = now_ns - options_.late_span_slack_ns;
  size_t counted = 0;
  uint64_t late = 0;
  std::lock_guard lock(mu_);
  TenantState& t = tenants_[batch.tenant];
  for (size_t row = 0; row < batch.size(); ++row) {
    if (batch.end_ns[row] < oldest_end) {
      ++late;
      continue;
    }
    if (batch.end_ns[row] >= ended_before_ns) continue;
    ++counted;
    const SpanKind kind = batch.kind[row];
    if (kind_mask_ & KindBit(kind)) ObserveSpan(t, batch, row, now_ns);
    if (kind == SpanKind::kClient || kind == SpanKind::kProducer || kind == SpanKind::kServer ||
        kind == SpanKind::kConsumer) {
      ObserveEdgeSide(t, batch, row, now_ns);
    }
  }
  if (late) g_late_spans->Add(late);
  return counted;
}

void SpanMetricsGenerator::ObserveSpan(TenantState& t, const SpanBatch& b, size_t row,
                                       int64_t now_ns) {
  const UnifiedTags& tags = b.tags(row);
  const std::string_view kind = KindLabel(b.kind[row]);
  const std::string_view status = StatusLabel(b.status_code[row]);
  std::string& key = key_scratch_;
  key.clear();
  key.append(tags.service).push_back(kSep);
  key.append(b.name[row]).push_back(kSep);
  key.append(kind).push_back(kSep);
  key.append(status).push_back(kSep);
  key.append(tags.env).push_back(kSep);
  key.append(tags.version);
  auto it = t.spans.find(key);
  if (it == t.spans.end()) {
    if (series_count_ >= options_.max_series) {
      g_dropped_series_spans->Add();
      return;
    }
    ++series_count_;
    SpanSeries s;
    s.labels = {{"env", tags.env},
                {"service", tags.service},
                {"span_kind", std::string(kind)},
                {"span_name", b.name[row]},
                {"status_code", std::string(status)},
                {"version", tags.version}};
    s.labels.insert(s.labels.end(), options_.external_labels.begin(),
                    options_.external_labels.end());
    s.buckets.assign(options_.latency_buckets.size() + 1, 0);
    s.bucket_exemplars.resize(options_.latency_buckets.size() + 1);
    it = t.spans.emplace(key, std::move(s)).first;
  }
  SpanSeries& s = it->second;
  const double seconds = Seconds(b.duration_ns(row));
  const size_t bucket = BucketOf(options_.latency_buckets, seconds);
  ++s.calls;
  ++s.buckets[bucket];
  s.sum_seconds += seconds;
  s.last_update_ns = now_ns;
  const MetricExemplar ex{b.end_ns[row] / kNanosPerMilli, seconds, b.trace_id[row], b.span_id[row]};
  s.bucket_exemplars[bucket] = {true, ex};
  s.call_exemplar = {true, MetricExemplar{ex.time_ms, 1, ex.trace_id, ex.span_id}};
}

void SpanMetricsGenerator::ObserveEdgeSide(TenantState& t, const SpanBatch& b, size_t row,
                                           int64_t now_ns) {
  const SpanKind kind = b.kind[row];
  const bool client = kind == SpanKind::kClient || kind == SpanKind::kProducer;
  const bool failed = b.status_code[row] == StatusCodeValue::kError;
  const double seconds = Seconds(b.duration_ns(row));
  const std::string& service = b.tags(row).service;
  if (!client && b.parent_span_id[row].IsZero()) {
    // A root server span: its caller is outside the traced system.
    PendingEdge p;
    p.client_service = "user";
    p.server_service = service;
    p.connection_type = "virtual_node";
    p.server_seconds = seconds;
    p.failed = failed;
    RecordEdge(t, p, now_ns);
    return;
  }
  const EdgeKey key{b.trace_id[row], client ? b.span_id[row] : b.parent_span_id[row]};
  auto it = t.pending.find(key);
  if (it == t.pending.end()) {
    if (pending_count_ >= options_.max_pending_edges) {
      g_dropped_edge_spans->Add();
      return;
    }
    ++pending_count_;
    it = t.pending.emplace(key, PendingEdge{}).first;
    it->second.expire_ns = now_ns + options_.edge_ttl_ns;
    t.expiries.push_back({it->second.expire_ns, key});
  }
  PendingEdge& p = it->second;
  p.failed = p.failed || failed;
  if (client) {
    p.has_client = true;
    p.client_service = service;
    p.client_seconds = seconds;
    const Attributes& attrs = b.attributes[row];
    if (kind == SpanKind::kProducer) {
      p.connection_type = "messaging_system";
    } else if (FindAttribute(attrs, "db.system") || FindAttribute(attrs, "db.name")) {
      p.connection_type = "database";
    }
    const std::string* peer = FirstStringAttribute(attrs, {"peer.service", "db.name", "db.system"});
    if (peer) p.peer = *peer;
  } else {
    p.has_server = true;
    p.server_service = service;
    p.server_seconds = seconds;
    if (kind == SpanKind::kConsumer) p.connection_type = "messaging_system";
  }
  if (p.has_client && p.has_server) {
    if (p.connection_type == "database") p.connection_type.clear();
    RecordEdge(t, p, now_ns);
    t.pending.erase(it);
    --pending_count_;
  }
  if (t.expiries.size() > 2 * options_.max_pending_edges + 1024) {
    std::erase_if(t.expiries, [&](const Expiry& e) { return !t.pending.contains(e.key); });
  }
}

void SpanMetricsGenerator::RecordEdge(TenantState& t, const PendingEdge& p, int64_t now_ns) {
  std::string& key = key_scratch_;
  key.clear();
  key.append(p.client_service).push_back(kSep);
  key.append(p.server_service).push_back(kSep);
  key.append(p.connection_type);
  auto it = t.edges.find(key);
  if (it == t.edges.end()) {
    if (series_count_ >= options_.max_series) {
      g_dropped_series_spans->Add();
      return;
    }
    ++series_count_;
    EdgeSeries e;
    e.labels = {{"client", p.client_service},
                {"connection_type", p.connection_type},
                {"server", p.server_service}};
    e.labels.insert(e.labels.end(), options_.external_labels.begin(),
                    options_.external_labels.end());
    e.server_buckets.assign(options_.graph_buckets.size() + 1, 0);
    e.client_buckets.assign(options_.graph_buckets.size() + 1, 0);
    it = t.edges.emplace(key, std::move(e)).first;
  }
  EdgeSeries& e = it->second;
  ++e.total;
  if (p.failed) ++e.failed;
  if (p.has_server || p.client_service == "user") {
    ++e.server_buckets[BucketOf(options_.graph_buckets, p.server_seconds)];
    e.server_sum += p.server_seconds;
  }
  if (p.has_client) {
    ++e.client_buckets[BucketOf(options_.graph_buckets, p.client_seconds)];
    e.client_sum += p.client_seconds;
  }
  e.last_update_ns = now_ns;
}

void SpanMetricsGenerator::ExpireEdgesLocked(int64_t now_ns) {
  for (auto& [tenant, t] : tenants_) {
    while (!t.expiries.empty() && t.expiries.front().expire_ns <= now_ns) {
      const Expiry e = t.expiries.front();
      t.expiries.pop_front();
      auto it = t.pending.find(e.key);
      if (it == t.pending.end() || it->second.expire_ns != e.expire_ns) continue;
      PendingEdge& p = it->second;
      if (p.has_client && !p.has_server && !p.peer.empty()) {
        // A call to something that sends no spans (a database, an external API).
        p.server_service = p.peer;
        if (p.connection_type.empty()) p.connection_type = "virtual_node";
        RecordEdge(t, p, now_ns);
      } else {
        g_expired_edges->Add();
      }
      t.pending.erase(it);
      --pending_count_;
    }
  }
}

void SpanMetricsGenerator::AppendSpanSeries(SpanSeries& s, int64_t t_ms, int64_t prev_ms,
                                            MetricBatch& out) const {
  const bool first = !s.written;
  std::vector<MetricExemplar> calls_ex;
  if (s.call_exemplar.set) calls_ex.push_back(s.call_exemplar.e);
  s.call_exemplar.set = false;
  AppendCounter(s.labels, "traces_spanmetrics_calls_total", static_cast<double>(s.calls), t_ms,
                prev_ms, first, std::move(calls_ex), out);
  std::vector<std::vector<MetricExemplar>> bucket_ex(s.buckets.size());
  for (size_t i = 0; i < s.buckets.size(); ++i) {
    if (s.bucket_exemplars[i].set) bucket_ex[i].push_back(s.bucket_exemplars[i].e);
    s.bucket_exemplars[i].set = false;
  }
  AppendHistogram(s.labels, "traces_spanmetrics_latency", options_.latency_buckets, s.buckets,
                  s.sum_seconds, bucket_ex.data(), t_ms, prev_ms, first, out);
  s.written = true;
}

void SpanMetricsGenerator::AppendEdgeSeries(EdgeSeries& s, int64_t t_ms, int64_t prev_ms,
                                            MetricBatch& out) const {
  const bool first = !s.written;
  AppendCounter(s.labels, "traces_service_graph_request_total", static_cast<double>(s.total), t_ms,
                prev_ms, first, {}, out);
  AppendCounter(s.labels, "traces_service_graph_request_failed_total",
                static_cast<double>(s.failed), t_ms, prev_ms, first, {}, out);
  AppendHistogram(s.labels, "traces_service_graph_request_server_seconds", options_.graph_buckets,
                  s.server_buckets, s.server_sum, nullptr, t_ms, prev_ms, first, out);
  AppendHistogram(s.labels, "traces_service_graph_request_client_seconds", options_.graph_buckets,
                  s.client_buckets, s.client_sum, nullptr, t_ms, prev_ms, first, out);
  s.written = true;
}

Status SpanMetricsGenerator::Flush(int64_t now_ns) {
  if (!pipeline_) return Status::Unavailable("RED metrics generator has no pipeline to flush to");
  std::lock_guard flush_lock(flush_mu_);
  std::vector<MetricBatch> batches = Collect(now_ns);
  Status first_error = Status::Ok();
  for (MetricBatch& batch : batches) {
    const std::string payload = EncodeRemoteWrite(batch);
    Status s = pipeline_->Ingest(std::move(batch), WalRecordType::kPromRemoteWrite, payload);
    if (!s.ok()) {
      g_flush_failures->Add();
      if (first_error.ok()) first_error = s;
    }
  }
  return first_error;
}

std::vector<MetricBatch> SpanMetricsGenerator::Collect(int64_t now_ns) {
  const int64_t t_ms = now_ns / kNanosPerMilli;
  const int64_t prev_ms = t_ms - std::max<int64_t>(options_.flush_interval_ns / kNanosPerMilli, 1);
  std::vector<MetricBatch> batches;
  {
    std::lock_guard lock(mu_);
    ExpireEdgesLocked(now_ns);
    const int64_t idle_before = now_ns - options_.series_idle_ns;
    for (auto tit = tenants_.begin(); tit != tenants_.end();) {
      TenantState& t = tit->second;
      MetricBatch batch;
      batch.tenant = tit->first;
      for (auto it = t.spans.begin(); it != t.spans.end();) {
        if (it->second.last_update_ns < idle_before) {
          it = t.spans.erase(it);
          --series_count_;
          continue;
        }
        AppendSpanSeries(it->second, t_ms, prev_ms, batch);
        ++it;
      }
      for (auto it = t.edges.begin(); it != t.edges.end();) {
        if (it->second.last_update_ns < idle_before) {
          it = t.edges.erase(it);
          --series_count_;
          continue;
        }
        AppendEdgeSeries(it->second, t_ms, prev_ms, batch);
        ++it;
      }
      if (!batch.series.empty()) batches.push_back(std::move(batch));
      if (t.spans.empty() && t.edges.empty() && t.pending.empty()) {
        tit = tenants_.erase(tit);
      } else {
        ++tit;
      }
    }
  }
  return batches;
}

void SpanMetricsGenerator::Start() {
  std::lock_guard lock(bg_mu_);
  if (!pipeline_ || background_.joinable()) return;
  stopping_ = false;
  background_ = std::thread([this] { BackgroundLoop(); });
}

void SpanMetricsGenerator::BackgroundLoop() {
  std::unique_lock lock(bg_mu_);
  while (!stopping_) {
    bg_cv_.wait_for(lock, std::chrono::nanoseconds(options_.flush_interval_ns));
    if (stopping_) break;
    lock.unlock();
    if (Status s = Flush(NowNanos()); !s.ok())
      LogError("RED metrics flush failed: {}", s.ToString());
    lock.lock();
  }
}

void SpanMetricsGenerator::Stop() {
  {
    std::lock_guard lock(bg_mu_);
    stopping_ = true;
  }
  bg_cv_.notify_all();
  if (background_.joinable()) background_.join();
  if (!pipeline_) return;
  if (Status s = Flush(NowNanos()); !s.ok()) LogError("RED metrics flush failed: {}", s.ToString());
}

size_t SpanMetricsGenerator::series_count() const {
  std::lock_guard lock(mu_);
  return series_count_;
}

size_t SpanMetricsGenerator::pending_edges() const {
  std::lock_guard lock(mu_);
  return pending_count_;
}

}  // namespace periscope
