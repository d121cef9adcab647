#include "server/log_pipeline.h"

#include <filesystem>

#include "base/coding.h"
#include "base/log.h"
#include "base/metrics.h"
#include "base/time.h"

namespace periscope {

namespace {

Counter* const g_records_accepted = MetricsRegistry::Global().NewCounter(
    "periscope_logs_received_total", "Log records acknowledged (durable in the WAL).");
Counter* const g_records_rejected = MetricsRegistry::Global().NewCounter(
    "periscope_logs_rejected_total", "Log records rejected as invalid (OTLP partial success).");
Counter* const g_ingest_failures = MetricsRegistry::Global().NewCounter(
    "periscope_log_ingest_failures_total", "Export requests that failed to become durable.");
Counter* const g_replayed = MetricsRegistry::Global().NewCounter(
    "periscope_logs_wal_replayed_records_total", "WAL records replayed at start.");

}  // namespace

Result<std::unique_ptr<LogPipeline>> LogPipeline::Open(const LogPipelineOptions& options) {
  std::unique_ptr<LogPipeline> p(new LogPipeline(options));
  LogTableOptions table_options;
  table_options.dir = options.data_dir + "/logs";
  table_options.retention_ns = options.retention_ns;
  ASSIGN_OR_RETURN(p->table_, LogTable::Open(table_options));
  WalOptions wal_options;
  wal_options.dir = options.data_dir + "/wal-logs";
  wal_options.fsync = options.wal_fsync;
  wal_options.next_seq_at_least = p->table_->flushed_wal_seq() + 1;
  ASSIGN_OR_RETURN(p->wal_, Wal::Open(wal_options));
  RETURN_IF_ERROR(p->Replay());
  p->last_flush_ns_ = MonotonicNanos();
  auto* raw = p.get();
  MetricsRegistry& m = MetricsRegistry::Global();
  m.NewGauge("periscope_logs_wal_bytes", "Bytes in WAL segments on disk.",
             [raw] { return static_cast<double>(raw->wal_->disk_bytes()); });
  m.NewGauge("periscope_logs_wal_appended_bytes_total", "Bytes appended to the WAL since start.",
             [raw] { return static_cast<double>(raw->wal_->bytes_appended()); });
  m.NewGauge("periscope_logs_wal_fsyncs_total", "WAL fsyncs since start (group commits).",
             [raw] { return static_cast<double>(raw->wal_->fsyncs()); });
  m.NewGauge("periscope_log_parts", "Log parts on disk.",
             [raw] { return static_cast<double>(raw->table_->part_count()); });
  m.NewGauge("periscope_log_part_bytes", "Bytes of log parts on disk.",
             [raw] { return static_cast<double>(raw->table_->part_bytes()); });
  m.NewGauge("periscope_log_memtable_rows", "Log records in the memtable.",
             [raw] { return static_cast<double>(raw->table_->memtable_rows()); });
  m.NewGauge("periscope_log_memtable_bytes", "Approximate memtable bytes.",
             [raw] { return static_cast<double>(raw->table_->memtable_bytes()); });
  return p;
}

LogPipeline::~LogPipeline() { Stop(); }

Status LogPipeline::Replay() {
  const uint64_t after = table_->flushed_wal_seq();
  uint64_t records = 0, records_rows = 0, skipped = 0;
  RETURN_IF_ERROR(wal_->Replay(
      after, [&](uint64_t seq, WalRecordType type, std::string_view payload) -> Status {
        if (type != WalRecordType::kOtlpLogs) {
          ++skipped;
          return Status::Ok();
        }
        ByteReader reader(payload);
        std::string_view tenant;
        if (!reader.GetLengthPrefixed(&tenant)) {
          LogWarn("WAL record {} has no tenant; skipped", seq);
          ++skipped;
          return Status::Ok();
        }
        auto decoded = DecodeLogsProtobuf(std::string_view(reader.position(), reader.remaining()),
                                          tenant, NowNanos());
        if (!decoded.ok()) {
          LogWarn("WAL record {} does not decode ({}); skipped", seq, decoded.status().ToString());
          ++skipped;
          return Status::Ok();
        }
        records_rows += decoded->batch.size();
        ++records;
        table_->Insert(seq, std::move(decoded->batch));
        return Status::Ok();
      }));
  g_replayed->Add(records);
  LogInfo("logs WAL replay: {} records ({} log records) after seq {}, {} skipped", records,
          records_rows, after, skipped);
  return Status::Ok();
}

Status LogPipeline::Ingest(DecodedLogs decoded) {
  g_records_rejected->Add(static_cast<uint64_t>(decoded.rejected_records));
  if (decoded.batch.empty()) return Status::Ok();
  std::string record;
  record.reserve(decoded.wal_payload.size() + 16);
  PutLengthPrefixed(&record, decoded.batch.tenant);
  record += decoded.wal_payload;
  const size_t rows = decoded.batch.size();
  {
    std::shared_lock lock(ingest_mu_);
    auto seq = wal_->Append(WalRecordType::kOtlpLogs, record);
    if (!seq.ok()) {
      g_ingest_failures->Add();
      return seq.status();
    }
    if (options_.on_ingested) options_.on_ingested(decoded.batch);
    table_->Insert(*seq, std::move(decoded.batch));
  }
  g_records_accepted->Add(rows);
  if (table_->memtable_bytes() >= options_.memtable_bytes) bg_cv_.notify_one();
  return Status::Ok();
}

Status LogPipeline::Flush() {
  std::lock_guard flush_lock(flush_mu_);
  uint64_t covered;
  {
    std::unique_lock lock(ingest_mu_);
    table_->Freeze();
    ASSIGN_OR_RETURN(covered, wal_->Rotate());
  }
  last_flush_ns_ = MonotonicNanos();
  RETURN_IF_ERROR(table_->WriteFrozen(covered));
  return wal_->RemoveUpTo(covered);
}

void LogPipeline::StartBackground() {
  background_ = std::thread([this] { BackgroundLoop(); });
}

void LogPipeline::BackgroundLoop() {
  std::unique_lock lock(bg_mu_);
  while (!stopping_) {
    bg_cv_.wait_for(lock, std::chrono::nanoseconds(options_.maintenance_interval_ns));
    if (stopping_) break;
    lock.unlock();
    const bool big = table_->memtable_bytes() >= options_.memtable_bytes;
    const bool old = MonotonicNanos() - last_flush_ns_ >= options_.flush_interval_ns;
    if ((big || old) && table_->memtable_rows() > 0) {
      if (Status s = Flush(); !s.ok()) LogError("flush failed: {}", s.ToString());
    }
    for (int i = 0; i < 4; ++i) {
      auto merged = table_->MergeOnce();
      if (!merged.ok()) {
        LogError("merge failed: {}", merged.status().ToString());
        break;
      }
      if (!*merged) break;
    }
    if (auto r = table_->ApplyRetention(NowNanos()); !r.ok()) {
      LogError("retention failed: {}", r.status().ToString());
    }
    lock.lock();
  }
}

void LogPipeline::Stop() {
  {
    std::lock_guard lock(bg_mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  bg_cv_.notify_all();
  if (background_.joinable()) background_.join();
  if (table_ && wal_ && table_->memtable_rows() > 0) {
    if (Status s = Flush(); !s.ok()) LogError("final flush failed: {}", s.ToString());
  }
}

}  // namespace periscope
