#include "server/metrics_pipeline.h"

#include <algorithm>

#include "base/coding.h"
#include "base/log.h"
#include "base/metrics.h"
#include "ingest/otlp/metrics_decoder.h"
#include "ingest/promrw/remote_write_decoder.h"
#include "server/tenant_record.h"

namespace periscope {

namespace {

Counter* const g_samples_accepted = MetricsRegistry::Global().NewCounter(
    "periscope_metric_samples_received_total", "Metric samples acknowledged (durable in the WAL).");
Counter* const g_ingest_failures = MetricsRegistry::Global().NewCounter(
    "periscope_metric_ingest_failures_total", "Metric requests that failed to become durable.");

TableDriverOptions MetricDriverOptions(TableDriverOptions o) {
  o.name = "metrics";
  o.signal = WalSignal::kMetrics;
  return o;
}

constexpr int64_t kNanosPerMilli = 1000000;

}  // namespace

Result<MetricBatch> DecodeMetricsWalRecord(WalRecordType type, std::string_view payload) {
  ByteReader reader(payload);
  std::string_view tenant;
  if (!reader.GetLengthPrefixed(&tenant)) return Status::InvalidArgument("record has no tenant");
  std::string_view body(reader.position(), reader.remaining());
  if (type == WalRecordType::kOtlpMetrics) {
    ASSIGN_OR_RETURN(DecodedMetrics d, DecodeMetricsProtobuf(body, tenant));
    return std::move(d.batch);
  }
  if (type == WalRecordType::kPromRemoteWrite) {
    ASSIGN_OR_RETURN(DecodedRemoteWrite d, DecodeRemoteWriteProto(body, tenant));
    return std::move(d.batch);
  }
  return Status::InvalidArgument("record type {} is not a metrics record", static_cast<int>(type));
}

MetricsPipeline::MetricsPipeline(MetricsPipelineOptions options, std::unique_ptr<MetricTable> table,
                                 SharedWal& wal)
    : options_(std::move(options)),
      wal_(wal),
      table_(std::move(table)),
      adapter_(*table_, kNanosPerMilli),
      driver_(MetricDriverOptions(options_.driver), wal, adapter_) {
  AddTableGauges(gauges_, "metric", "Samples", *table_);
}

Result<std::unique_ptr<MetricTable>> MetricsPipeline::OpenTable(
    const std::string& dir, const MetricsPipelineOptions& options) {
  MetricTableOptions table_options;
  table_options.dir = dir;
  table_options.retention_ms = options.retention_ms;
  return MetricTable::Open(table_options);
}

uint64_t MetricsPipeline::replay_after() const {
  return std::max(table_->flushed_wal_seq(), wal_.released(WalSignal::kMetrics));
}

size_t MetricsPipeline::Replay(uint64_t seq, WalRecordType type, std::string_view payload) {
  if (!IsMetricsWalRecord(type) || seq <= replay_after()) return 0;
  auto batch = DecodeMetricsWalRecord(type, payload);
  if (!batch.ok()) {
    LogWarn("metrics WAL record {} skipped: {}", seq, batch.status().ToString());
    return 0;
  }
  table_->Insert(seq, *batch);
  return batch->sample_count();
}

Status MetricsPipeline::Ingest(MetricBatch batch, WalRecordType type,
                               std::string_view wal_payload) {
  const size_t samples = batch.sample_count();
  if (samples == 0) return Status::Ok();
  const std::string tenant = TenantRecordPrefix(batch.tenant);
  Status s =
      driver_.Append(type, tenant, wal_payload, [&](uint64_t seq) { table_->Insert(seq, batch); });
  if (!s.ok()) {
    g_ingest_failures->Add();
    return s;
  }
  g_samples_accepted->Add(samples);
  return Status::Ok();
}

Status MetricsPipeline::IngestRemoteWrite(const DecodedRemoteWrite& decoded) {
  const MetricBatch& batch = decoded.batch;
  if (!decoded.name_kinds.empty()) table_->SetNameKinds(batch.tenant, decoded.name_kinds);
  const size_t samples = batch.sample_count();
  if (samples == 0) return Status::Ok();
  std::vector<std::string_view> keys(decoded.keys.size());
  for (size_t i = 0; i < keys.size(); ++i) keys[i] = decoded.key(i);
  const std::string tenant = TenantRecordPrefix(batch.tenant);
  Status s =
      driver_.Append(WalRecordType::kPromRemoteWrite, tenant, decoded.wal_payload,
                     [&](uint64_t seq) { table_->Insert(seq, batch, decoded.ordinals, keys); });
  if (!s.ok()) {
    g_ingest_failures->Add();
    return s;
  }
  g_samples_accepted->Add(samples);
  return Status::Ok();
}

RemoteWriteSeriesResolver MetricsPipeline::RemoteWriteResolver(const std::string& tenant) const {
  std::shared_ptr<SeriesKeyCache> cache = table_->KeyCache(tenant);
  if (!cache) return {};
  return [cache = std::move(cache)](std::string_view raw_labels) {
    const uint32_t ord = cache->Find(raw_labels);
    return ord == SeriesKeyCache::kNone ? kUnresolvedSeries : ord;
  };
}

}  // namespace periscope
