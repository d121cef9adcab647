#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace periscope {

struct WalOptions {
  std::string dir;                       // created if missing
  uint64_t segment_bytes = 64ull << 20;  // a new segment starts past this size
  bool fsync = true;                     // off only in tests and benchmarks that say so
  // Sequence numbers continue at least from here, so that numbers already covered by flushed
  // parts are never reused after their segments were removed.
  uint64_t next_seq_at_least = 1;
  // Tests only: called before each write ("write") and data sync ("sync") of appended records;
  // a non-ok result stands in for that call's error.
  std::function<Status(std::string_view op)> fault_injector_for_testing;
};

// Record types stored in the WAL; the payload format of each is documented in
// docs/storage-format.md.
enum class WalRecordType : uint8_t {
  kOtlpTraces = 1,  // varint-length tenant, then an ExportTraceServiceRequest protobuf
  kOtlpLogs = 2,    // varint-length tenant, then an ExportLogsServiceRequest protobuf
  kOtlpMetrics = 3,
  kPromRemoteWrite = 4,  // varint-length tenant, then the request protobuf
};

// Write-ahead log: numbered segment files of CRC-framed records, each with a sequence number.
// Append is thread-safe and group-commits: concurrent appenders share one write + fsync, and each
// returns only once its record is durable.
class Wal {
 public:
  virtual ~Wal() = default;

  // Opens (creating) the log in options.dir. Scans every segment; a torn or corrupt tail is
  // truncated at the last good record, with a warning that says how many bytes were dropped.
  // Fails only on I/O errors, and with Unsupported for a segment written by a newer format
  // version (which it leaves untouched).
  static Result<std::unique_ptr<Wal>> Open(const WalOptions& options);

  // Calls fn for every record with seq > after_seq, in sequence order. Stops at the first
  // non-ok status from fn and returns it. May run beside Append; it then sees the records
  // acknowledged before it started. Corruption if a segment changed on disk since open.
  virtual Status Replay(uint64_t after_seq,
                        const std::function<Status(uint64_t seq, WalRecordType type,
                                                   std::string_view payload)>& fn) = 0;

  // Appends one record and waits until it is durable. Returns its sequence number (1, 2, ...;
  // continuing after the highest one found on open). Fails on I/O errors; the record is then
  // not acknowledged and is cut back out of the file. After a failed sync, or a failed cut,
  // every later Append and Rotate fails with IOError until the log is reopened.
  // InvalidArgument for a payload over 64 MiB or record type 0.
  Result<uint64_t> Append(WalRecordType type, std::string_view payload) {
    return Append(type, {}, payload);
  }
  // As above for the record prefix + payload, written without joining them first.
  virtual Result<uint64_t> Append(WalRecordType type, std::string_view prefix,
                                  std::string_view payload) = 0;

  // Closes the current segment and starts a new one; returns the last sequence number written
  // so far (every record with seq <= it is in a closed segment). A no-op when the current
  // segment holds no records.
  virtual Result<uint64_t> Rotate() = 0;

  // Deletes closed segments whose records all have seq <= seq.
  virtual Status RemoveUpTo(uint64_t seq) = 0;

  // Highest acknowledged sequence number (after open: next sequence number - 1).
  virtual uint64_t last_seq() const = 0;
  virtual uint64_t bytes_appended() const = 0;  // since open
  virtual uint64_t fsyncs() const = 0;          // group-commit data syncs since open
  virtual uint64_t disk_bytes() const = 0;      // all segments now
  virtual size_t segment_count() const = 0;
};

}  // namespace periscope
