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
#include "ingest/otlp/trace_decoder.h"
#include "storage/span_table.h"
#include "storage/wal/wal.h"

namespace periscope {

struct TracePipelineOptions {
  std::string data_dir;
  bool wal_fsync = true;
  int64_t retention_ns = 7LL * 86400 * 1000000000LL;
  int64_t flush_interval_ns = 30LL * 1000000000LL;  // flush at least this often
  size_t memtable_bytes = 256u << 20;               // ...or when the memtable is this large
  int64_t maintenance_interval_ns = 1LL * 1000000000LL;
  // Ingest waits while the memtable holds more than backpressure_factor * memtable_bytes
  // (flushing is behind), and fails with ResourceExhausted after backpressure_wait_ns.
  double backpressure_factor = 2.0;
  int64_t backpressure_wait_ns = 10LL * 1000000000LL;
  // Called with every batch once it is durable, before it becomes queryable (not on WAL
  // replay); used to derive RED metrics. Must be thread-safe and cheap.
  std::function<void(const SpanBatch&)> on_ingested;
};

// The durable path of spans: WAL append (acknowledge after fsync), memtable insert, and the
// background flush, merge and retention of the span table. Thread-safe.
class TracePipeline {
 public:
  // Opens the table and the WAL under data_dir and replays every WAL record not yet in a part.
  static Result<std::unique_ptr<TracePipeline>> Open(const TracePipelineOptions& options);
  ~TracePipeline();

  // Makes `decoded` durable, then queryable. On error nothing is acknowledged; when flushing is
  // too far behind it waits, then fails with ResourceExhausted (a retryable answer for clients).
  Status Ingest(DecodedTraces decoded);

  // Starts/stops the background maintenance thread. Stop flushes the memtable.
  void StartBackground();
  void Stop();

  // Flushes the memtable to parts now.
  Status Flush();

  const SpanTable& table() const { return *table_; }
  SpanTable& table() { return *table_; }
  const Wal& wal() const { return *wal_; }

 private:
  explicit TracePipeline(TracePipelineOptions options) : options_(std::move(options)) {}
  Status Replay();
  void FlushLoop();
  void MaintenanceLoop();
  Status WaitForMemtableRoom();

  TracePipelineOptions options_;
  std::unique_ptr<SpanTable> table_;
  std::unique_ptr<Wal> wal_;
  std::shared_mutex ingest_mu_;  // shared by ingest, exclusive while freezing the memtable
  std::mutex flush_mu_;
  std::mutex bg_mu_;
  std::condition_variable bg_cv_;
  std::condition_variable room_cv_;  // signalled after each flush
  std::atomic<bool> stopping_{false};
  std::thread flusher_;
  std::thread maintainer_;
  int64_t last_flush_ns_ = 0;
};

}  // namespace periscope
