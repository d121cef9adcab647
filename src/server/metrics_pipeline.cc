#include "server/metrics_pipeline.h"

#include "base/coding.h"
#include "base/log.h"
#include "base/metrics.h"
#include "base/time.h"
#include "ingest/otlp/metrics_decoder.h"
#include "ingest/promrw/remote_write_decoder.h"

namespace periscope {

namespace {

Counter* const g_samples_accepted = MetricsRegistry::Global().NewCounter(
    "periscope_metric_samples_received_total", "Metric samples acknowledged (durable in the WAL).");
Counter* const g_ingest_failures = MetricsRegistry::Global().NewCounter(
    "periscope_metric_ingest_failures_total", "Metric requests that failed to become durable.");
Counter* const g_replayed = MetricsRegistry::Global().NewCounter(
    "periscope_metric_wal_replayed_records_total", "Metric WAL records replayed at start.");

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

Result<std::unique_ptr<MetricsPipeline>> MetricsPipeline::Open(
    const MetricsPipelineOptions& options) {
  std::unique_ptr<MetricsPipeline> p(new MetricsPipeline(options));
  MetricTableOptions table_options;
  table_options.dir = options.data_dir + "/metrics";
  table_options.retention_ms = options.retention_ms;
  ASSIGN_OR_RETURN(p->table_, MetricTable::Open(table_options));
  WalOptions wal_options;
  wal_options.dir = options.data_dir + "/wal-metrics";
  wal_options.fsync = options.wal_fsync;
  wal_options.next_seq_at_least = p->table_->flushed_wal_seq() + 1;
  ASSIGN_OR_RETURN(p->wal_, Wal::Open(wal_options));
  RETURN_IF_ERROR(p->Replay());
  p->last_flush_ns_ = MonotonicNanos();
  return p;
}

MetricsPipeline::~MetricsPipeline() { Stop(); }

Status MetricsPipeline::Replay() {
  const uint64_t after = table_->flushed_wal_seq();
  uint64_t records = 0, samples = 0, skipped = 0;
  RETURN_IF_ERROR(wal_->Replay(
      after, [&](uint64_t seq, WalRecordType type, std::string_view payload) -> Status {
        auto batch = DecodeMetricsWalRecord(type, payload);
        if (!batch.ok()) {
          LogWarn("metrics WAL record {} skipped: {}", seq, batch.status().ToString());
          ++skipped;
          return Status::Ok();
        }
        samples += batch->sample_count();
        ++records;
        table_->Insert(seq, *batch);
        return Status::Ok();
      }));
  g_replayed->Add(records);
  LogInfo("metrics WAL replay: {} records ({} samples) after seq {}, {} skipped", records, samples,
          after, skipped);
  return Status::Ok();
}

Status MetricsPipeline::Ingest(MetricBatch batch, WalRecordType type,
                               std::string_view wal_payload) {
  const size_t samples = batch.sample_count();
  if (samples == 0) return Status::Ok();
  std::string record;
  record.reserve(wal_payload.size() + batch.tenant.size() + 8);
  PutLengthPrefixed(&record, batch.tenant);
  record += wal_payload;
  {
    std::shared_lock lock(ingest_mu_);
    auto seq = wal_->Append(type, record);
    if (!seq.ok()) {
      g_ingest_failures->Add();
      return seq.status();
    }
    table_->Insert(*seq, batch);
  }
  g_samples_accepted->Add(samples);
  if (table_->memtable_bytes() >= options_.memtable_bytes) bg_cv_.notify_one();
  return Status::Ok();
}

Status MetricsPipeline::Flush() {
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

void MetricsPipeline::StartBackground() {
  background_ = std::thread([this] { BackgroundLoop(); });
}

void MetricsPipeline::BackgroundLoop() {
  std::unique_lock lock(bg_mu_);
  while (!stopping_) {
    bg_cv_.wait_for(lock, std::chrono::nanoseconds(options_.maintenance_interval_ns));
    if (stopping_) break;
    lock.unlock();
    const bool big = table_->memtable_bytes() >= options_.memtable_bytes;
    const bool old = MonotonicNanos() - last_flush_ns_ >= options_.flush_interval_ns;
    if ((big || old) && table_->memtable_samples() > 0) {
      if (Status s = Flush(); !s.ok()) LogError("metrics flush failed: {}", s.ToString());
    }
    for (int i = 0; i < 4; ++i) {
      auto merged = table_->MergeOnce();
      if (!merged.ok()) {
        LogError("metrics merge failed: {}", merged.status().ToString());
        break;
      }
      if (!*merged) break;
    }
    if (auto r = table_->ApplyRetention(NowNanos() / 1000000); !r.ok()) {
      LogError("metrics retention failed: {}", r.status().ToString());
    }
    lock.lock();
  }
}

void MetricsPipeline::Stop() {
  {
    std::lock_guard lock(bg_mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  bg_cv_.notify_all();
  if (background_.joinable()) background_.join();
  if (table_ && wal_ && table_->memtable_samples() > 0) {
    if (Status s = Flush(); !s.ok()) LogError("final metrics flush failed: {}", s.ToString());
  }
}

}  // namespace periscope
