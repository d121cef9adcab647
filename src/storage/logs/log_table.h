#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/log_batch.h"
#include "storage/logs/log_part.h"

namespace periscope {

struct LogTableOptions {
  std::string dir;  // parts live in dir/<tenant>/part-*.lgp
  int64_t retention_ns = 7LL * 86400 * 1000000000LL;
  size_t merge_fan_in = 4;                      // merge this many parts of one level at once
  uint64_t max_merged_part_bytes = 2ull << 30;  // never merge into parts larger than this
};

// A consistent view of a table for one query: the memtable batches and the parts at one instant.
struct LogSnapshot {
  std::vector<std::shared_ptr<const LogBatch>> memtable;  // oldest first
  std::vector<std::shared_ptr<LogPart>> parts;            // by max time, newest first
};

// The log table of every tenant: a queryable memtable of acknowledged batches plus immutable
// parts on disk, with flush, merge and retention. Thread-safe.
class LogTable {
 public:
  // Opens every part under options.dir. Leftover ".tmp" files and parts replaced by a finished
  // merge are deleted; a part that fails to open is renamed to "*.corrupt" with a warning.
  static Result<std::unique_ptr<LogTable>> Open(const LogTableOptions& options);

  // Highest WAL sequence number covered by the parts on disk.
  uint64_t flushed_wal_seq() const;

  // Adds an acknowledged batch (WAL record `seq`) to the memtable; queryable on return.
  void Insert(uint64_t seq, LogBatch batch);

  // Moves the current memtable aside (still queryable) and returns the highest seq in it.
  // Call with ingest paused so that every seq <= the returned one is in the frozen set.
  uint64_t Freeze();
  // Writes every frozen batch as parts (one per tenant) covering WAL seqs <= covered_seq, then
  // drops them from memory. On error the frozen batches stay queryable and are retried later.
  Status WriteFrozen(uint64_t covered_seq);

  // Merges small parts of one tenant and level; returns true when it merged something.
  Result<bool> MergeOnce();
  // Deletes parts whose newest record is older than now - retention; returns parts removed.
  Result<size_t> ApplyRetention(int64_t now_ns);

  LogSnapshot Snapshot(const std::string& tenant) const;

  size_t memtable_bytes() const;
  size_t memtable_rows() const;
  size_t part_count() const;
  uint64_t part_bytes() const;
  // True while MergeOnce is merging (a benchmark waits for it before timing queries).
  bool merging() const { return merging_.load(); }

 private:
  explicit LogTable(LogTableOptions options) : options_(std::move(options)) {}
  Status LoadParts();
  std::string PartPath(const std::string& tenant, uint64_t part_id) const;
  void AddPartLocked(std::shared_ptr<LogPart> part);

  struct MemBatch {
    uint64_t seq;
    std::shared_ptr<const LogBatch> batch;
  };

  LogTableOptions options_;
  mutable std::shared_mutex mu_;
  std::vector<MemBatch> active_;
  std::vector<MemBatch> frozen_;
  size_t active_bytes_ = 0;
  size_t frozen_bytes_ = 0;
  size_t memtable_rows_ = 0;
  std::map<std::string, std::vector<std::shared_ptr<LogPart>>> parts_;  // tenant -> parts
  uint64_t next_part_id_ = 1;
  uint64_t flushed_wal_seq_ = 0;
  std::mutex merge_mu_;  // one merge at a time
  std::atomic<bool> merging_{false};
};

}  // namespace periscope
