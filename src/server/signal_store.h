#pragma once

#include <memory>
#include <string>

#include "base/metrics.h"
#include "base/status.h"
#include "server/log_pipeline.h"
#include "server/metrics_pipeline.h"
#include "server/trace_pipeline.h"
#include "storage/wal/shared_wal.h"

namespace periscope {

struct SignalStoreOptions {
  std::string data_dir;  // spans/, logs/, metrics/ and the shared wal/ are created inside
  bool wal_fsync = true;
  TracePipelineOptions traces;
  LogPipelineOptions logs;
  MetricsPipelineOptions metrics;
};

// The embedded store of one data directory: the span, log and metric tables and the one WAL
// they share. Open replays that WAL in one pass (and folds in the per-signal WALs wal-logs/ and
// wal-metrics/ that older versions wrote). Thread-safe.
class SignalStore {
 public:
  static Result<std::unique_ptr<SignalStore>> Open(SignalStoreOptions options);
  ~SignalStore();

  // Starts every pipeline's flush and maintenance threads; Stop stops them and flushes.
  void StartBackground();
  void Stop();

  TracePipeline& traces() { return *traces_; }
  LogPipeline& logs() { return *logs_; }
  MetricsPipeline& metrics() { return *metrics_; }
  // Flushes every signal's memtable to parts now (after a backfill, so that queries read parts).
  Status FlushAll();
  const Wal& wal() const { return wal_->wal(); }

 private:
  SignalStore() = default;
  Status Replay();
  // Moves the records of a pre-shared-WAL directory into their table, flushes, deletes it.
  template <typename Pipeline>
  Status FoldInLegacyWal(Wal& legacy, const std::string& dir, Pipeline& pipeline);

  std::string data_dir_;
  std::unique_ptr<SharedWal> wal_;  // declared first: outlives the pipelines
  std::unique_ptr<TracePipeline> traces_;
  std::unique_ptr<LogPipeline> logs_;
  std::unique_ptr<MetricsPipeline> metrics_;
  ScopedGauges gauges_;
};

}  // namespace periscope
