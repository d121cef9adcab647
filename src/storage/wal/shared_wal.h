#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "base/status.h"
#include "storage/wal/wal.h"

namespace periscope {

// The signals whose tables share one WAL.
enum class WalSignal : uint8_t { kTraces = 0, kLogs = 1, kMetrics = 2 };
inline constexpr size_t kWalSignalCount = 3;

// The one write-ahead log of a data directory, shared by the trace, log and metric tables. Each
// signal releases the sequence numbers whose records of that signal are in parts; a segment is
// deleted once every signal has released past it. Released numbers are kept in
// <dir>/released (see docs/storage-format-wal.md), so replay skips them even after retention
// deleted the parts that held them. Thread-safe.
class SharedWal {
 public:
  // Opens the log in options.dir; sequence numbers continue past every released number too.
  static Result<std::unique_ptr<SharedWal>> Open(WalOptions options);

  Wal& wal() { return *wal_; }
  const Wal& wal() const { return *wal_; }

  // Every record of `signal` with seq <= released(signal) is in parts.
  uint64_t released(WalSignal signal) const;

  // Records that every record of `signal` with seq <= seq is in parts (a lower seq than before is
  // ignored), persists that, and deletes the segments all signals have released.
  Status Release(WalSignal signal, uint64_t seq);

 private:
  SharedWal() = default;
  Status LoadReleased();
  Status StoreReleased(const std::array<uint64_t, kWalSignalCount>& released) const;

  std::string dir_;
  bool fsync_ = true;
  std::unique_ptr<Wal> wal_;
  mutable std::mutex mu_;
  std::array<uint64_t, kWalSignalCount> released_{};  // guarded by mu_
};

}  // namespace periscope
