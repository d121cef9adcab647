#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "base/metrics.h"
#include "base/status.h"
#include "ingest/otlp/log_decoder.h"
#include "server/table_adapter.h"
#include "server/table_driver.h"
#include "storage/logs/log_table.h"
#include "storage/wal/shared_wal.h"

namespace periscope {

struct LogPipelineOptions {
  int64_t retention_ns = 7LL * 86400 * 1000000000LL;
  TableDriverOptions driver;  // flush, merge and backpressure settings; name and signal are set
  // Called with every acknowledged batch (after the WAL append, before it is queryable); e.g.
  // the live tail. Must not block.
  std::function<void(const LogBatch&)> on_ingested;
};

// The durable path of log records: append to the shared WAL (record type kOtlpLogs; acknowledge
// after fsync), memtable insert, and the background flush, merge and retention of the log
// table. Thread-safe.
class LogPipeline {
 public:
  // Opens the table of this signal in dir.
  static Result<std::unique_ptr<LogTable>> OpenTable(const std::string& dir,
                                                     const LogPipelineOptions& options);
  // Appends to wal; SignalStore builds it.
  LogPipeline(LogPipelineOptions options, std::unique_ptr<LogTable> table, SharedWal& wal);

  // Makes `decoded` durable, then queryable. On error nothing is acknowledged.
  Status Ingest(DecodedLogs decoded) { return IngestBatch(decoded); }
  // The same, taking only decoded.batch: decoded.wal_payload stays with the caller (to reuse
  // its buffer).
  Status IngestBatch(DecodedLogs& decoded);

  // WAL records with seq <= replay_after() are in parts; Replay inserts a later log record
  // (others are ignored) and returns the rows it inserted. Only before StartBackground.
  uint64_t replay_after() const;
  size_t Replay(uint64_t seq, WalRecordType type, std::string_view payload);

  void StartBackground() { driver_.StartBackground(); }
  void Stop() { driver_.Stop(); }  // flushes the memtable
  Status Flush() { return driver_.Flush(); }

  const LogTable& table() const { return *table_; }
  LogTable& table() { return *table_; }

 private:
  const LogPipelineOptions options_;
  SharedWal& wal_;
  std::unique_ptr<LogTable> table_;
  TableAdapter<LogTable> adapter_;
  TableDriver driver_;  // stopped before the table goes
  ScopedGauges gauges_;
};

}  // namespace periscope
