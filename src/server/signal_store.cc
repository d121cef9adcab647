#include "server/signal_store.h"

#include <algorithm>
#include <filesystem>

#include "base/log.h"
#include "base/metrics.h"

namespace periscope {

namespace {

namespace fs = std::filesystem;

Counter* const g_replayed = MetricsRegistry::Global().NewCounter(
    "periscope_wal_replayed_records_total", "WAL records replayed at start.");

// Opens a WAL directory written before the WAL was shared, if there is one.
Result<std::unique_ptr<Wal>> OpenLegacyWal(const std::string& dir, bool fsync) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return std::unique_ptr<Wal>();
  WalOptions options;
  options.dir = dir;
  options.fsync = fsync;
  return Wal::Open(options);
}

}  // namespace

Result<std::unique_ptr<SignalStore>> SignalStore::Open(SignalStoreOptions options) {
  std::unique_ptr<SignalStore> store(new SignalStore());
  const std::string& dir = options.data_dir;
  store->data_dir_ = dir;
  ASSIGN_OR_RETURN(auto spans, TracePipeline::OpenTable(dir + "/spans", options.traces));
  ASSIGN_OR_RETURN(auto logs, LogPipeline::OpenTable(dir + "/logs", options.logs));
  ASSIGN_OR_RETURN(auto metrics, MetricsPipeline::OpenTable(dir + "/metrics", options.metrics));
  ASSIGN_OR_RETURN(auto legacy_logs, OpenLegacyWal(dir + "/wal-logs", options.wal_fsync));
  ASSIGN_OR_RETURN(auto legacy_metrics, OpenLegacyWal(dir + "/wal-metrics", options.wal_fsync));

  // New sequence numbers stay above every number a part or an older WAL ever used, so that no
  // table mistakes a new record for one it already holds.
  uint64_t highest =
      std::max({spans->flushed_wal_seq(), logs->flushed_wal_seq(), metrics->flushed_wal_seq()});
  for (const auto& legacy : {legacy_logs.get(), legacy_metrics.get()}) {
    if (legacy) highest = std::max(highest, legacy->last_seq());
  }
  WalOptions wal_options;
  wal_options.dir = dir + "/wal";
  wal_options.fsync = options.wal_fsync;
  wal_options.next_seq_at_least = highest + 1;
  ASSIGN_OR_RETURN(store->wal_, SharedWal::Open(wal_options));

  store->traces_ =
      std::make_unique<TracePipeline>(std::move(options.traces), std::move(spans), *store->wal_);
  store->logs_ =
      std::make_unique<LogPipeline>(std::move(options.logs), std::move(logs), *store->wal_);
  store->metrics_ = std::make_unique<MetricsPipeline>(std::move(options.metrics),
                                                      std::move(metrics), *store->wal_);
  RETURN_IF_ERROR(store->Replay());
  if (legacy_logs) {
    RETURN_IF_ERROR(store->FoldInLegacyWal(*legacy_logs, dir + "/wal-logs", *store->logs_));
  }
  if (legacy_metrics) {
    RETURN_IF_ERROR(
        store->FoldInLegacyWal(*legacy_metrics, dir + "/wal-metrics", *store->metrics_));
  }

  auto* raw = store.get();
  ScopedGauges& m = store->gauges_;
  m.Add("periscope_wal_bytes", "Bytes in WAL segments on disk.",
        [raw] { return static_cast<double>(raw->wal_->wal().disk_bytes()); });
  m.Add("periscope_wal_appended_bytes_total", "Bytes appended to the WAL since start.",
        [raw] { return static_cast<double>(raw->wal_->wal().bytes_appended()); });
  m.Add("periscope_wal_fsyncs_total", "WAL fsyncs since start (group commits).",
        [raw] { return static_cast<double>(raw->wal_->wal().fsyncs()); });
  m.Add("periscope_wal_segments", "WAL segment files on disk.",
        [raw] { return static_cast<double>(raw->wal_->wal().segment_count()); });
  return store;
}

SignalStore::~SignalStore() { Stop(); }

Status SignalStore::Replay() {
  const uint64_t after =
      std::min({traces_->replay_after(), logs_->replay_after(), metrics_->replay_after()});
  uint64_t records = 0, spans = 0, logs = 0, samples = 0;
  RETURN_IF_ERROR(wal_->wal().Replay(
      after, [&](uint64_t seq, WalRecordType type, std::string_view payload) -> Status {
        ++records;
        spans += traces_->Replay(seq, type, payload);
        logs += logs_->Replay(seq, type, payload);
        samples += metrics_->Replay(seq, type, payload);
        return Status::Ok();
      }));
  g_replayed->Add(records);
  LogInfo("WAL replay after seq {}: {} records read; {} spans, {} log records, {} samples restored",
          after, records, spans, logs, samples);
  return Status::Ok();
}

template <typename Pipeline>
Status SignalStore::FoldInLegacyWal(Wal& legacy, const std::string& dir, Pipeline& pipeline) {
  size_t rows = 0;
  RETURN_IF_ERROR(
      legacy.Replay(0, [&](uint64_t seq, WalRecordType type, std::string_view payload) -> Status {
        rows += pipeline.Replay(seq, type, payload);
        return Status::Ok();
      }));
  // The flush writes the rows as parts covering a shared-WAL number above every legacy one, so
  // a crash before the directory is gone replays none of them twice.
  RETURN_IF_ERROR(pipeline.Flush());
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (ec) return Status::IOError("removing {}: {}", dir, ec.message());
  LogInfo("folded {} rows from {} into the shared WAL's tables and removed it", rows, dir);
  return Status::Ok();
}

Status SignalStore::FlushAll() {
  RETURN_IF_ERROR(traces_->Flush());
  RETURN_IF_ERROR(logs_->Flush());
  return metrics_->Flush();
}

void SignalStore::StartBackground() {
  metrics_->StartBackground();
  traces_->StartBackground();
  logs_->StartBackground();
}

void SignalStore::Stop() {
  if (logs_) logs_->Stop();
  if (traces_) traces_->Stop();
  if (metrics_) metrics_->Stop();
}

}  // namespace periscope
