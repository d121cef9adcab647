#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "base/metrics.h"
#include "base/status.h"
#include "ingest/otlp/trace_decoder.h"
#include "server/table_adapter.h"
#include "server/table_driver.h"
#include "storage/span_table.h"
#include "storage/wal/shared_wal.h"

namespace periscope {

struct TracePipelineOptions {
  int64_t retention_ns = 7LL * 86400 * 1000000000LL;
  TableDriverOptions driver;  // flush, merge and backpressure settings; name and signal are set
  // Called with every batch once it is durable, before it becomes queryable (not on WAL
  // replay); used to derive RED metrics. Must be thread-safe and cheap.
  std::function<void(const SpanBatch&)> on_ingested;
};

// The durable path of spans: append to the shared WAL (acknowledge after fsync), memtable
// insert, and the background flush, merge and retention of the span table. Thread-safe.
class TracePipeline {
 public:
  // Opens the table of this signal in dir.
  static Result<std::unique_ptr<SpanTable>> OpenTable(const std::string& dir,
                                                      const TracePipelineOptions& options);
  // Appends to wal; SignalStore builds it.
  TracePipeline(TracePipelineOptions options, std::unique_ptr<SpanTable> table, SharedWal& wal);

  // Makes `decoded` durable, then queryable. On error nothing is acknowledged; when flushing is
  // too far behind it waits, then fails with ResourceExhausted (a retryable answer for clients).
  Status Ingest(DecodedTraces decoded);

  // WAL records with seq <= replay_after() are in parts; Replay inserts a later trace record
  // (others are ignored). Only before StartBackground.
  uint64_t replay_after() const;
  // Returns the rows it inserted.
  size_t Replay(uint64_t seq, WalRecordType type, std::string_view payload);

  void StartBackground() { driver_.StartBackground(); }
  void Stop() { driver_.Stop(); }  // flushes the memtable
  Status Flush() { return driver_.Flush(); }

  const SpanTable& table() const { return *table_; }
  SpanTable& table() { return *table_; }

 private:
  const TracePipelineOptions options_;
  SharedWal& wal_;
  std::unique_ptr<SpanTable> table_;
  TableAdapter<SpanTable> adapter_;
  TableDriver driver_;  // stopped before the table goes
  ScopedGauges gauges_;
};

}  // namespace periscope
