#include "server/log_pipeline.h"

#include <algorithm>

#include "base/coding.h"
#include "base/log.h"
#include "base/metrics.h"
#include "base/time.h"
#include "server/tenant_record.h"

namespace periscope {

namespace {

Counter* const g_records_accepted = MetricsRegistry::Global().NewCounter(
    "periscope_logs_received_total", "Log records acknowledged (durable in the WAL).");
Counter* const g_records_rejected = MetricsRegistry::Global().NewCounter(
    "periscope_logs_rejected_total", "Log records rejected as invalid (OTLP partial success).");
Counter* const g_ingest_failures = MetricsRegistry::Global().NewCounter(
    "periscope_log_ingest_failures_total", "Export requests that failed to become durable.");

TableDriverOptions LogDriverOptions(TableDriverOptions o) {
  o.name = "logs";
  o.signal = WalSignal::kLogs;
  return o;
}

}  // namespace

LogPipeline::LogPipeline(LogPipelineOptions options, std::unique_ptr<LogTable> table,
                         SharedWal& wal)
    : options_(std::move(options)),
      wal_(wal),
      table_(std::move(table)),
      adapter_(*table_),
      driver_(LogDriverOptions(options_.driver), wal, adapter_) {
  AddTableGauges(gauges_, "log", "Log records", *table_);
  gauges_.Add("periscope_log_merge_running", "1 while log parts are being merged.",
              [this] { return table_->merging() ? 1.0 : 0.0; });
}

Result<std::unique_ptr<LogTable>> LogPipeline::OpenTable(const std::string& dir,
                                                         const LogPipelineOptions& options) {
  LogTableOptions table_options;
  table_options.dir = dir;
  table_options.retention_ns = options.retention_ns;
  return LogTable::Open(table_options);
}

uint64_t LogPipeline::replay_after() const {
  return std::max(table_->flushed_wal_seq(), wal_.released(WalSignal::kLogs));
}

size_t LogPipeline::Replay(uint64_t seq, WalRecordType type, std::string_view payload) {
  if (type != WalRecordType::kOtlpLogs || seq <= replay_after()) return 0;
  return ReplayTenantRecord(
      seq, payload,
      [](std::string_view request, std::string_view tenant) {
        // Observed times were stamped into the payload at ingest, so `now` is not used here.
        return DecodeLogsProtobuf(request, tenant, NowNanos());
      },
      [&](LogBatch batch) { table_->Insert(seq, std::move(batch)); });
}

Status LogPipeline::IngestBatch(DecodedLogs& decoded) {
  g_records_rejected->Add(static_cast<uint64_t>(decoded.rejected_records));
  if (decoded.batch.empty()) return Status::Ok();
  const std::string tenant = TenantRecordPrefix(decoded.batch.tenant);
  const size_t rows = decoded.batch.size();
  Status s =
      driver_.Append(WalRecordType::kOtlpLogs, tenant, decoded.wal_payload, [&](uint64_t seq) {
        if (options_.on_ingested) options_.on_ingested(decoded.batch);
        table_->Insert(seq, std::move(decoded.batch));
      });
  if (!s.ok()) {
    g_ingest_failures->Add();
    return s;
  }
  g_records_accepted->Add(rows);
  return Status::Ok();
}

}  // namespace periscope
