#include "server/trace_pipeline.h"

#include <filesystem>

#include "base/coding.h"
#include "base/log.h"
#include "base/metrics.h"
#include "base/time.h"

namespace periscope {

namespace {

Counter* const g_spans_accepted = MetricsRegistry::Global().NewCounter(
    "periscope_spans_received_total", "Spans acknowledged (durable in the WAL).");
Counter* const g_spans_rejected = MetricsRegistry::Global().NewCounter(
    "periscope_spans_rejected_total", "Spans rejected as invalid (OTLP partial success).");
Counter* const g_ingest_failures = MetricsRegistry::Global().NewCounter(
    "periscope_span_ingest_failures_total", "Export requests that failed to become durable.");
Counter* const g_replayed = MetricsRegistry::Global().NewCounter(
    "periscope_wal_replayed_records_total", "WAL records replayed at start.");
Counter* const g_backpressure_waits = MetricsRegistry::Global().NewCounter(
    "periscope_span_ingest_backpressure_waits_total",
    "Export requests that waited because the memtable was over its limit.");

}  // namespace

Result<std::unique_ptr<TracePipeline>> TracePipeline::Open(const TracePipelineOptions& options) {
  std::unique_ptr<TracePipeline> p(new TracePipeline(options));
  SpanTableOptions table_options;
  table_options.dir = options.data_dir + "/spans";
  table_options.retention_ns = options.retention_ns;
  ASSIGN_OR_RETURN(p->table_, SpanTable::Open(table_options));
  WalOptions wal_options;
  wal_options.dir = options.data_dir + "/wal";
  wal_options.fsync = options.wal_fsync;
  wal_options.next_seq_at_least = p->table_->flushed_wal_seq() + 1;
  ASSIGN_OR_RETURN(p->wal_, Wal::Open(wal_options));
  RETURN_IF_ERROR(p->Replay());
  p->last_flush_ns_ = MonotonicNanos();
  auto* raw = p.get();
  MetricsRegistry& m = MetricsRegistry::Global();
  m.NewGauge("periscope_wal_bytes", "Bytes in WAL segments on disk.",
             [raw] { return static_cast<double>(raw->wal_->disk_bytes()); });
  m.NewGauge("periscope_wal_appended_bytes_total", "Bytes appended to the WAL since start.",
             [raw] { return static_cast<double>(raw->wal_->bytes_appended()); });
  m.NewGauge("periscope_wal_fsyncs_total", "WAL fsyncs since start (group commits).",
             [raw] { return static_cast<double>(raw->wal_->fsyncs()); });
  m.NewGauge("periscope_span_parts", "Span parts on disk.",
             [raw] { return static_cast<double>(raw->table_->part_count()); });
  m.NewGauge("periscope_span_part_bytes", "Bytes of span parts on disk.",
             [raw] { return static_cast<double>(raw->table_->part_bytes()); });
  m.NewGauge("periscope_span_memtable_rows", "Spans in the memtable.",
             [raw] { return static_cast<double>(raw->table_->memtable_rows()); });
  m.NewGauge("periscope_span_memtable_bytes", "Approximate memtable bytes.",
             [raw] { return static_cast<double>(raw->table_->memtable_bytes()); });
  return p;
}

TracePipeline::~TracePipeline() { Stop(); }

Status TracePipeline::Replay() {
  const uint64_t after = table_->flushed_wal_seq();
  uint64_t records = 0, spans = 0, skipped = 0;
  RETURN_IF_ERROR(wal_->Replay(
      after, [&](uint64_t seq, WalRecordType type, std::string_view payload) -> Status {
        if (type != WalRecordType::kOtlpTraces) {
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
        auto decoded =
            DecodeTracesProtobuf(std::string_view(reader.position(), reader.remaining()), tenant);
        if (!decoded.ok()) {
          LogWarn("WAL record {} does not decode ({}); skipped", seq, decoded.status().ToString());
          ++skipped;
          return Status::Ok();
        }
        spans += decoded->batch.size();
        ++records;
        table_->Insert(seq, std::move(decoded->batch));
        return Status::Ok();
      }));
  g_replayed->Add(records);
  LogInfo("WAL replay: {} records ({} spans) after seq {}, {} skipped", records, spans, after,
          skipped);
  return Status::Ok();
}

Status TracePipeline::WaitForMemtableRoom() {
  const auto limit = static_cast<size_t>(static_cast<double>(options_.memtable_bytes) *
                                         options_.backpressure_factor);
  if (table_->memtable_bytes() <= limit) return Status::Ok();
  g_backpressure_waits->Add();
  bg_cv_.notify_all();
  std::unique_lock lock(bg_mu_);
  const bool room =
      room_cv_.wait_for(lock, std::chrono::nanoseconds(options_.backpressure_wait_ns),
                        [&] { return stopping_ || table_->memtable_bytes() <= limit; });
  if (!room) {
    return Status::ResourceExhausted(
        "ingest is ahead of flushing to disk ({} MiB in memory); retry later",
        table_->memtable_bytes() >> 20);
  }
  return Status::Ok();
}

Status TracePipeline::Ingest(DecodedTraces decoded) {
  g_spans_rejected->Add(static_cast<uint64_t>(decoded.rejected_spans));
  if (decoded.batch.empty()) return Status::Ok();
  RETURN_IF_ERROR(WaitForMemtableRoom());
  std::string record;
  record.reserve(decoded.wal_payload.size() + 16);
  PutLengthPrefixed(&record, decoded.batch.tenant);
  record += decoded.wal_payload;
  const size_t spans = decoded.batch.size();
  {
    std::shared_lock lock(ingest_mu_);
    auto seq = wal_->Append(WalRecordType::kOtlpTraces, record);
    if (!seq.ok()) {
      g_ingest_failures->Add();
      return seq.status();
    }
    if (options_.on_ingested) options_.on_ingested(decoded.batch);
    table_->Insert(*seq, std::move(decoded.batch));
  }
  g_spans_accepted->Add(spans);
  if (table_->memtable_bytes() >= options_.memtable_bytes) bg_cv_.notify_all();
  return Status::Ok();
}

Status TracePipeline::Flush() {
  std::lock_guard flush_lock(flush_mu_);
  uint64_t covered;
  {
    std::unique_lock lock(ingest_mu_);
    table_->Freeze();
    ASSIGN_OR_RETURN(covered, wal_->Rotate());
  }
  last_flush_ns_ = MonotonicNanos();
  Status written = table_->WriteFrozen(covered);
  room_cv_.notify_all();
  RETURN_IF_ERROR(written);
  return wal_->RemoveUpTo(covered);
}

void TracePipeline::StartBackground() {
  flusher_ = std::thread([this] { FlushLoop(); });
  maintainer_ = std::thread([this] { MaintenanceLoop(); });
}

// Flushing has its own thread so that slow merges never hold back memtable flushes.
void TracePipeline::FlushLoop() {
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
    lock.lock();
  }
}

void TracePipeline::MaintenanceLoop() {
  std::unique_lock lock(bg_mu_);
  while (!stopping_) {
    bg_cv_.wait_for(lock, std::chrono::nanoseconds(options_.maintenance_interval_ns * 5));
    if (stopping_) break;
    lock.unlock();
    for (int i = 0; i < 4 && !stopping_; ++i) {
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

void TracePipeline::Stop() {
  {
    std::lock_guard lock(bg_mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  bg_cv_.notify_all();
  room_cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  if (maintainer_.joinable()) maintainer_.join();
  if (table_ && wal_ && table_->memtable_rows() > 0) {
    if (Status s = Flush(); !s.ok()) LogError("final flush failed: {}", s.ToString());
  }
}

}  // namespace periscope
