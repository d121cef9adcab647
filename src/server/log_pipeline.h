#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>

#include "base/status.h"
#include "ingest/otlp/log_decoder.h"
#include "storage/logs/log_table.h"
#include "storage/wal/wal.h"

namespace periscope {

struct LogPipelineOptions {
  std::string data_dir;
  bool wal_fsync = true;
  int64_t retention_ns = 7LL * 86400 * 1000000000LL;
  int64_t flush_interval_ns = 30LL * 1000000000LL;  // flush at least this often
  size_t memtable_bytes = 256u << 20;               // ...or when the memtable is this large
  int64_t maintenance_interval_ns = 1LL * 1000000000LL;
  // Called with every acknowledged batch (after the WAL append, before it is queryable); e.g.
  // the live tail. Must not block.
  std::function<void(const LogBatch&)> on_ingested;
};

// The durable path of log records, with its own WAL in <data_dir>/wal-logs (record type
// kOtlpLogs) until the trace pipeline shares its WAL: WAL append (acknowledge after fsync),
// memtable insert, and the background flush, merge and retention of the log table. Thread-safe.
class LogPipeline {
 public:
  // Opens the table and the WAL under data_dir and replays every WAL record not yet in a part.
  static Result<std::unique_ptr<LogPipeline>> Open(const LogPipelineOptions& options);
  ~LogPipeline();

  // Makes `decoded` durable, then queryable. On error nothing is acknowledged.
  Status Ingest(DecodedLogs decoded);

  // Starts/stops the background maintenance thread. Stop flushes the memtable.
  void StartBackground();
  void Stop();

  // Flushes the memtable to parts now.
  Status Flush();

  const LogTable& table() const { return *table_; }
  LogTable& table() { return *table_; }
  const Wal& wal() const { return *wal_; }

 private:
  explicit LogPipeline(LogPipelineOptions options) : options_(std::move(options)) {}
  Status Replay();
  void BackgroundLoop();

  LogPipelineOptions options_;
  std::unique_ptr<LogTable> table_;
  std::unique_ptr<Wal> wal_;
  std::shared_mutex ingest_mu_;  // shared by ingest, exclusive while freezing the memtable
  std::mutex flush_mu_;
  std::mutex bg_mu_;
  std::condition_variable bg_cv_;
  bool stopping_ = false;
  std::thread background_;
  int64_t last_flush_ns_ = 0;
};

}  // namespace periscope
