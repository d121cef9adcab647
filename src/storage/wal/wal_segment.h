#pragma once

#include <sys/uio.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "storage/wal/wal_record_format.h"

namespace periscope {

// "wal-<20-digit first seq>.log".
std::string WalSegmentFileName(uint64_t first_seq);
// False when name is not a segment file name.
bool ParseWalSegmentFileName(std::string_view name, uint64_t* first_seq);

// Plain POSIX helpers; each returns IOError naming what and path on failure.
Status ErrnoStatus(std::string_view what, std::string_view path, int err);
Status FsyncDir(const std::string& dir);
// Writes every byte of iov[0, count) at offset, retrying short writes; count may exceed IOV_MAX.
// On failure nothing is said about how much was written.
Status PwritevAll(int fd, iovec* iov, int count, uint64_t offset, const std::string& path);

// Owns one open file descriptor; closes it on destruction. Movable, not thread-safe.
class WalFile {
 public:
  WalFile() = default;
  WalFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  WalFile(WalFile&& other) noexcept;
  WalFile& operator=(WalFile&& other) noexcept;
  WalFile(const WalFile&) = delete;
  WalFile& operator=(const WalFile&) = delete;
  ~WalFile();

  // flags as for open(2); O_CLOEXEC is added.
  static Result<WalFile> Open(const std::string& path, int flags, int mode = 0644);

  Result<uint64_t> Size() const;
  Status Truncate(uint64_t size);
  Status DataSync();
  void Close();

  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  bool is_open() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
  std::string path_;
};

// Creates a header-only segment at path (failing if it exists), synced when sync is set.
Result<WalFile> CreateWalSegment(const std::string& path, bool sync);

// Reads the records of one segment file in order, through a read-ahead buffer, stopping at the
// first record that is incomplete or fails validation. Not thread-safe.
class WalSegmentReader {
 public:
  enum class Outcome { kRecord, kEnd, kBad };

  // Reads [0, limit) of file; the file must outlive the reader.
  WalSegmentReader(const WalFile* file, uint64_t limit) : file_(file), limit_(limit) {}

  // Ok, or Corruption / Unsupported for a bad header (see CheckWalSegmentHeader). A file shorter
  // than the header is Corruption.
  Status ReadHeader();

  // kRecord fills header and payload (valid until the next call); kEnd at limit; kBad when the
  // bytes at record_offset() are not a valid record (bad_reason() says why). IOError on read
  // failure.
  Result<Outcome> Next(WalRecordHeader* header, std::string_view* payload);

  uint64_t record_offset() const { return record_offset_; }  // start of the last record read
  uint64_t valid_end() const { return offset_; }             // end of the last good record
  const std::string& bad_reason() const { return bad_reason_; }

 private:
  // Makes [offset, offset + n) available in buf_; false when it would pass limit_.
  Result<bool> Fill(uint64_t offset, uint64_t n);

  const WalFile* file_;
  uint64_t limit_;
  uint64_t offset_ = 0;
  uint64_t record_offset_ = 0;
  std::string buf_;
  uint64_t buf_offset_ = 0;  // file offset of buf_[0]
  size_t buf_len_ = 0;       // valid bytes in buf_
  std::string bad_reason_;
};

}  // namespace periscope
