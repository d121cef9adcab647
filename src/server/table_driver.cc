#include "server/table_driver.h"

#include "base/log.h"
#include "base/metrics.h"
#include "base/time.h"

namespace periscope {

namespace {

Counter* const g_backpressure_waits = MetricsRegistry::Global().NewCounter(
    "periscope_ingest_backpressure_waits_total",
    "Ingest requests that waited because a memtable was over its limit.");

}  // namespace

TableDriver::TableDriver(TableDriverOptions options, SharedWal& wal, FlushableTable& table)
    : options_(std::move(options)), wal_(wal), table_(table) {
  last_flush_ns_ = MonotonicNanos();
}

TableDriver::~TableDriver() { Stop(); }

Status TableDriver::WaitForMemtableRoom() {
  const auto limit = static_cast<size_t>(static_cast<double>(options_.memtable_bytes) *
                                         options_.backpressure_factor);
  if (table_.memtable_bytes() <= limit) return Status::Ok();
  g_backpressure_waits->Add();
  bg_cv_.notify_all();
  std::unique_lock lock(bg_mu_);
  const bool room =
      room_cv_.wait_for(lock, std::chrono::nanoseconds(options_.backpressure_wait_ns),
                        [&] { return stopping_ || table_.memtable_bytes() <= limit; });
  if (!room) {
    return Status::ResourceExhausted(
        "ingest is ahead of flushing {} to disk ({} MiB in memory); retry later", options_.name,
        table_.memtable_bytes() >> 20);
  }
  return Status::Ok();
}

Status TableDriver::Append(WalRecordType type, std::string_view prefix, std::string_view payload,
                           const std::function<void(uint64_t seq)>& insert) {
  RETURN_IF_ERROR(WaitForMemtableRoom());
  {
    std::shared_lock lock(ingest_mu_);
    ASSIGN_OR_RETURN(uint64_t seq, wal_.wal().Append(type, prefix, payload));
    insert(seq);
  }
  if (table_.memtable_bytes() >= options_.memtable_bytes) bg_cv_.notify_all();
  return Status::Ok();
}

Status TableDriver::Flush() {
  std::lock_guard flush_lock(flush_mu_);
  uint64_t covered;
  bool empty;
  {
    std::unique_lock lock(ingest_mu_);
    empty = !frozen_pending_ && table_.memtable_rows() == 0;
    if (empty) {
      // Every record of this signal appended so far is in parts already.
      covered = wal_.wal().last_seq();
    } else {
      table_.Freeze();
      frozen_pending_ = true;
      ASSIGN_OR_RETURN(covered, wal_.wal().Rotate());
    }
  }
  last_flush_ns_ = MonotonicNanos();
  if (!empty) {
    Status written = table_.WriteFrozen(covered);
    room_cv_.notify_all();
    RETURN_IF_ERROR(written);
    frozen_pending_ = false;
  }
  return wal_.Release(options_.signal, covered);
}

void TableDriver::StartBackground() {
  flusher_ = std::thread([this] { FlushLoop(); });
  maintainer_ = std::thread([this] { MaintenanceLoop(); });
}

// Flushing has its own thread so that slow merges never hold back memtable flushes.
void TableDriver::FlushLoop() {
  std::unique_lock lock(bg_mu_);
  while (!stopping_) {
    bg_cv_.wait_for(lock, std::chrono::nanoseconds(options_.maintenance_interval_ns));
    if (stopping_) break;
    lock.unlock();
    const bool big = table_.memtable_bytes() >= options_.memtable_bytes;
    const bool old = MonotonicNanos() - last_flush_ns_ >= options_.flush_interval_ns;
    if (big || old) {
      if (Status s = Flush(); !s.ok()) LogError("{} flush failed: {}", options_.name, s.ToString());
    }
    lock.lock();
  }
}

void TableDriver::MaintenanceLoop() {
  std::unique_lock lock(bg_mu_);
  while (!stopping_) {
    bg_cv_.wait_for(lock, std::chrono::nanoseconds(options_.maintenance_interval_ns * 5));
    if (stopping_) break;
    lock.unlock();
    for (int i = 0; i < 4 && !stopping_; ++i) {
      auto merged = table_.MergeOnce();
      if (!merged.ok()) {
        LogError("{} merge failed: {}", options_.name, merged.status().ToString());
        break;
      }
      if (!*merged) break;
    }
    if (Status s = table_.ApplyRetention(NowNanos()); !s.ok()) {
      LogError("{} retention failed: {}", options_.name, s.ToString());
    }
    lock.lock();
  }
}

void TableDriver::Stop() {
  {
    std::lock_guard lock(bg_mu_);
    if (stopped_) return;
    stopped_ = true;
    stopping_ = true;
  }
  bg_cv_.notify_all();
  room_cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  if (maintainer_.joinable()) maintainer_.join();
  if (Status s = Flush(); !s.ok())
    LogError("final {} flush failed: {}", options_.name, s.ToString());
}

}  // namespace periscope
