#include "server/trace_pipeline.h"

#include <algorithm>

#include "base/coding.h"
#include "base/log.h"
#include "base/metrics.h"
#include "server/tenant_record.h"

namespace periscope {

namespace {

Counter* const g_spans_accepted = MetricsRegistry::Global().NewCounter(
    "periscope_spans_received_total", "Spans acknowledged (durable in the WAL).");
Counter* const g_spans_rejected = MetricsRegistry::Global().NewCounter(
    "periscope_spans_rejected_total", "Spans rejected as invalid (OTLP partial success).");
Counter* const g_ingest_failures = MetricsRegistry::Global().NewCounter(
    "periscope_span_ingest_failures_total", "Export requests that failed to become durable.");

TableDriverOptions SpanDriverOptions(TableDriverOptions o) {
  o.name = "spans";
  o.signal = WalSignal::kTraces;
  return o;
}

}  // namespace

TracePipeline::TracePipeline(TracePipelineOptions options, std::unique_ptr<SpanTable> table,
                             SharedWal& wal)
    : options_(std::move(options)),
      wal_(wal),
      table_(std::move(table)),
      adapter_(*table_),
      driver_(SpanDriverOptions(options_.driver), wal, adapter_) {
  AddTableGauges(gauges_, "span", "Spans", *table_);
}

Result<std::unique_ptr<SpanTable>> TracePipeline::OpenTable(const std::string& dir,
                                                            const TracePipelineOptions& options) {
  SpanTableOptions table_options;
  table_options.dir = dir;
  table_options.retention_ns = options.retention_ns;
  return SpanTable::Open(table_options);
}

uint64_t TracePipeline::replay_after() const {
  return std::max(table_->flushed_wal_seq(), wal_.released(WalSignal::kTraces));
}

size_t TracePipeline::Replay(uint64_t seq, WalRecordType type, std::string_view payload) {
  if (type != WalRecordType::kOtlpTraces || seq <= replay_after()) return 0;
  return ReplayTenantRecord(
      seq, payload,
      [](std::string_view request, std::string_view tenant) {
        return DecodeTracesProtobuf(request, tenant);
      },
      [&](SpanBatch batch) { table_->Insert(seq, std::move(batch)); });
}

Status TracePipeline::Ingest(DecodedTraces decoded) {
  g_spans_rejected->Add(static_cast<uint64_t>(decoded.rejected_spans));
  if (decoded.batch.empty()) return Status::Ok();
  const std::string tenant = TenantRecordPrefix(decoded.batch.tenant);
  const size_t spans = decoded.batch.size();
  Status s =
      driver_.Append(WalRecordType::kOtlpTraces, tenant, decoded.wal_payload, [&](uint64_t seq) {
        if (options_.on_ingested) options_.on_ingested(decoded.batch);
        table_->Insert(seq, std::move(decoded.batch));
      });
  if (!s.ok()) {
    g_ingest_failures->Add();
    return s;
  }
  g_spans_accepted->Add(spans);
  return Status::Ok();
}

}  // namespace periscope
