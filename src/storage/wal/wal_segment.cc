#include "storage/wal/wal_segment.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

namespace periscope {

namespace {

constexpr std::string_view kPrefix = "wal-";
constexpr std::string_view kSuffix = ".log";
constexpr size_t kSeqDigits = 20;
constexpr size_t kReadAheadBytes = 1 << 20;

}  // namespace

std::string WalSegmentFileName(uint64_t first_seq) {
  return fmt::format("wal-{:020d}.log", first_seq);
}

bool ParseWalSegmentFileName(std::string_view name, uint64_t* first_seq) {
  if (name.size() != kPrefix.size() + kSeqDigits + kSuffix.size()) return false;
  if (!name.starts_with(kPrefix) || !name.ends_with(kSuffix)) return false;
  uint64_t v = 0;
  for (char c : name.substr(kPrefix.size(), kSeqDigits)) {
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *first_seq = v;
  return true;
}

Status ErrnoStatus(std::string_view what, std::string_view path, int err) {
  return Status::IOError("{} {}: {}", what, path, std::strerror(err));
}

Status FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open directory", dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return ErrnoStatus("fsync directory", dir, err);
  return Status::Ok();
}

Status PwritevAll(int fd, iovec* iov, int count, uint64_t offset, const std::string& path) {
  while (count > 0) {
    int batch = std::min(count, IOV_MAX);
    ssize_t n = ::pwritev(fd, iov, batch, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("write", path, errno);
    }
    if (n == 0) return Status::IOError("write {}: wrote 0 bytes", path);
    offset += static_cast<uint64_t>(n);
    auto left = static_cast<size_t>(n);
    while (count > 0 && left >= iov->iov_len) {
      left -= iov->iov_len;
      ++iov;
      --count;
    }
    if (count > 0) {
      iov->iov_base = static_cast<char*>(iov->iov_base) + left;
      iov->iov_len -= left;
    }
  }
  return Status::Ok();
}

WalFile::WalFile(WalFile&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) {
  other.fd_ = -1;
}

WalFile& WalFile::operator=(WalFile&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    other.fd_ = -1;
  }
  return *this;
}

WalFile::~WalFile() { Close(); }

Result<WalFile> WalFile::Open(const std::string& path, int flags, int mode) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return ErrnoStatus("open", path, errno);
  return WalFile(fd, path);
}

Result<uint64_t> WalFile::Size() const {
  struct stat st;
  if (::fstat(fd_, &st) != 0) return ErrnoStatus("stat", path_, errno);
  return static_cast<uint64_t>(st.st_size);
}

Status WalFile::Truncate(uint64_t size) {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) return ErrnoStatus("truncate", path_, errno);
  return Status::Ok();
}

Status WalFile::DataSync() {
  if (::fdatasync(fd_) != 0) return ErrnoStatus("fdatasync", path_, errno);
  return Status::Ok();
}

void WalFile::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Result<WalFile> CreateWalSegment(const std::string& path, bool sync) {
  ASSIGN_OR_RETURN(WalFile file, WalFile::Open(path, O_WRONLY | O_CREAT | O_EXCL));
  char header[kWalSegmentHeaderSize];
  EncodeWalSegmentHeader(header);
  iovec iov{header, sizeof(header)};
  Status st = PwritevAll(file.fd(), &iov, 1, 0, path);
  if (st.ok() && sync) st = file.DataSync();
  if (!st.ok()) {
    file.Close();
    ::unlink(path.c_str());
    return st;
  }
  return file;
}

Status WalSegmentReader::ReadHeader() {
  ASSIGN_OR_RETURN(bool have, Fill(0, kWalSegmentHeaderSize));
  if (!have) {
    return Status::Corruption("segment is {} bytes, shorter than its {}-byte header", limit_,
                              kWalSegmentHeaderSize);
  }
  RETURN_IF_ERROR(CheckWalSegmentHeader(buf_.data()));
  offset_ = kWalSegmentHeaderSize;
  record_offset_ = offset_;
  return Status::Ok();
}

Result<bool> WalSegmentReader::Fill(uint64_t offset, uint64_t n) {
  if (offset > limit_ || n > limit_ - offset) return false;
  if (offset >= buf_offset_ && offset + n <= buf_offset_ + buf_len_) return true;
  size_t keep = 0;
  if (offset >= buf_offset_ && offset < buf_offset_ + buf_len_) {
    keep = buf_len_ - static_cast<size_t>(offset - buf_offset_);
    std::memmove(buf_.data(), buf_.data() + (offset - buf_offset_), keep);
  }
  uint64_t want = std::min<uint64_t>(std::max<uint64_t>(n, kReadAheadBytes), limit_ - offset);
  if (buf_.size() < want) buf_.resize(want);
  buf_offset_ = offset;
  buf_len_ = keep;
  while (buf_len_ < want) {
    ssize_t r = ::pread(file_->fd(), buf_.data() + buf_len_, want - buf_len_,
                        static_cast<off_t>(offset + buf_len_));
    if (r < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("read", file_->path(), errno);
    }
    if (r == 0) break;
    buf_len_ += static_cast<size_t>(r);
  }
  return buf_len_ >= n;
}

Result<WalSegmentReader::Outcome> WalSegmentReader::Next(WalRecordHeader* header,
                                                         std::string_view* payload) {
  record_offset_ = offset_;
  if (offset_ == limit_) return Outcome::kEnd;
  ASSIGN_OR_RETURN(bool have_header, Fill(offset_, kWalRecordHeaderSize));
  if (!have_header) {
    bad_reason_ = fmt::format("partial record header ({} of {} bytes)", limit_ - offset_,
                              kWalRecordHeaderSize);
    return Outcome::kBad;
  }
  const char* p = buf_.data() + (offset_ - buf_offset_);
  WalRecordHeader h = DecodeWalRecordHeader(p);
  if (h.len > kWalMaxPayloadBytes) {
    bad_reason_ =
        fmt::format("record length {} exceeds the {}-byte maximum", h.len, kWalMaxPayloadBytes);
    return Outcome::kBad;
  }
  uint64_t total = kWalRecordHeaderSize + h.len;
  ASSIGN_OR_RETURN(bool have_record, Fill(offset_, total));
  if (!have_record) {
    bad_reason_ = fmt::format("partial record ({} of {} bytes present)", limit_ - offset_, total);
    return Outcome::kBad;
  }
  p = buf_.data() + (offset_ - buf_offset_);
  std::string_view body(p + kWalRecordHeaderSize, h.len);
  uint32_t crc = WalRecordCrc(Crc32c(body.data(), body.size()), p);
  if (crc != h.crc) {
    bad_reason_ = fmt::format("CRC mismatch (stored {:08x}, computed {:08x})", h.crc, crc);
    return Outcome::kBad;
  }
  if (h.type == 0) {
    bad_reason_ = "record type 0";
    return Outcome::kBad;
  }
  *header = h;
  *payload = body;
  offset_ += total;
  return Outcome::kRecord;
}

}  // namespace periscope
