#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>

#include "base/status.h"
#include "storage/wal/shared_wal.h"

namespace periscope {

// What TableDriver needs of a signal's table (SpanTable, LogTable, MetricTable adapt to it).
class FlushableTable {
 public:
  virtual ~FlushableTable() = default;
  // Moves the memtable aside for WriteFrozen; the ingest lock is held exclusively meanwhile.
  virtual void Freeze() = 0;
  // Writes the frozen memtable as parts covering WAL records with seq <= covered_seq.
  virtual Status WriteFrozen(uint64_t covered_seq) = 0;
  virtual Result<bool> MergeOnce() = 0;
  virtual Status ApplyRetention(int64_t now_ns) = 0;
  virtual size_t memtable_rows() const = 0;  // rows (spans, log records, samples) not yet flushed
  virtual size_t memtable_bytes() const = 0;
};

struct TableDriverOptions {
  std::string name;  // for log lines: "spans", "logs", "metrics"
  WalSignal signal = WalSignal::kTraces;
  int64_t flush_interval_ns = 30LL * 1000000000LL;  // flush at least this often
  size_t memtable_bytes = 256u << 20;               // ...or when the memtable is this large
  int64_t maintenance_interval_ns = 1LL * 1000000000LL;
  // Ingest waits while the memtable holds more than backpressure_factor * memtable_bytes
  // (flushing is behind), and fails with ResourceExhausted after backpressure_wait_ns.
  double backpressure_factor = 2.0;
  int64_t backpressure_wait_ns = 10LL * 1000000000LL;
};

// Drives one table over the shared WAL: appends a record and inserts its rows under one ingest
// lock (so a flush never splits them), flushes the memtable when it is big or old, merges parts
// and applies retention on a second thread, releases flushed WAL records, and makes ingest wait
// when flushing falls behind. Thread-safe.
class TableDriver {
 public:
  TableDriver(TableDriverOptions options, SharedWal& wal, FlushableTable& table);
  ~TableDriver();

  // Appends the record prefix + payload, waits until it is durable, then calls insert(seq).
  // When flushing is too far behind it waits, then fails with ResourceExhausted (retryable).
  Status Append(WalRecordType type, std::string_view prefix, std::string_view payload,
                const std::function<void(uint64_t seq)>& insert);

  // Flushes the memtable to parts now and releases the WAL records it covered. With an empty
  // memtable it releases everything appended so far (this signal has nothing unflushed).
  Status Flush();

  // Starts/stops the flush and maintenance threads. Stop flushes the memtable.
  void StartBackground();
  void Stop();

 private:
  Status WaitForMemtableRoom();
  void FlushLoop();
  void MaintenanceLoop();

  const TableDriverOptions options_;
  SharedWal& wal_;
  FlushableTable& table_;
  std::shared_mutex ingest_mu_;  // shared by appends, exclusive while freezing the memtable
  std::mutex flush_mu_;
  bool frozen_pending_ = false;  // guarded by flush_mu_: a frozen memtable failed to write
  std::mutex bg_mu_;
  std::condition_variable bg_cv_;
  std::condition_variable room_cv_;  // signalled after each flush
  std::atomic<bool> stopping_{false};
  bool stopped_ = false;  // guarded by bg_mu_
  std::thread flusher_;
  std::thread maintainer_;
  std::atomic<int64_t> last_flush_ns_{0};
};

}  // namespace periscope
