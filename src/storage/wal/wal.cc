#include "storage/wal/wal.h"

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <system_error>
#include <utility>
#include <vector>

#include "base/crc32c.h"
#include "base/log.h"
#include "storage/wal/wal_record_format.h"
#include "storage/wal/wal_segment.h"

namespace periscope {

namespace {

// A group takes at most this many records and bytes (but always its leader's record).
constexpr size_t kMaxGroupRecords = 512;
constexpr uint64_t kMaxGroupBytes = 32ull << 20;

// One pending Append or Rotate; lives on its caller's stack, guarded by WalImpl::mu_.
struct WalWriter {
  bool rotate = false;
  WalRecordType type{};
  std::string_view prefix;
  std::string_view payload;
  uint32_t payload_crc = 0;
  char header[kWalRecordHeaderSize] = {};
  uint64_t seq = 0;
  Status status;
  bool done = false;
  std::condition_variable cv;
};

// What the log knows about one segment file. Value type.
struct SegmentInfo {
  uint64_t first_seq = 0;  // from the file name; a lower bound of its records' sequence numbers
  uint64_t last_seq = 0;   // meaningful when has_records
  bool has_records = false;
  uint64_t bytes = 0;  // header plus acknowledged records
};

// The Wal implementation. Thread-safe: appenders queue under mu_ and the writer at the front of
// the queue (the leader) does the I/O for a whole group without holding mu_.
class WalImpl final : public Wal {
 public:
  explicit WalImpl(WalOptions options) : options_(std::move(options)) {}

  Status Recover();

  Status Replay(uint64_t after_seq,
                const std::function<Status(uint64_t seq, WalRecordType type,
                                           std::string_view payload)>& fn) override;
  Result<uint64_t> Append(WalRecordType type, std::string_view prefix,
                          std::string_view payload) override;
  Result<uint64_t> Rotate() override;
  Status RemoveUpTo(uint64_t seq) override;

  uint64_t last_seq() const override { return last_seq_.load(std::memory_order_acquire); }
  uint64_t bytes_appended() const override {
    return bytes_appended_.load(std::memory_order_relaxed);
  }
  uint64_t fsyncs() const override { return fsyncs_.load(std::memory_order_relaxed); }
  uint64_t disk_bytes() const override;
  size_t segment_count() const override;

 private:
  std::string PathOf(uint64_t first_seq) const {
    return options_.dir + "/" + WalSegmentFileName(first_seq);
  }
  // Validates one segment at open, truncating a bad tail; advances *max_seq.
  Result<SegmentInfo> RecoverSegment(WalFile* file, uint64_t first_seq, uint64_t* max_seq);
  Status RewriteHeader(WalFile* file);

  // Leader only: the caller is at the front of queue_ and holds lock.
  void Lead(std::unique_lock<std::mutex>& lock, WalWriter* self);
  // Leader only, without mu_: writes and syncs group_.
  Status WriteGroup(uint64_t first_seq, uint64_t bytes);
  // Leader only (or Recover), without mu_: makes a new header-only segment the active one.
  Status SwitchSegment(uint64_t first_seq);
  Status InjectedFault(std::string_view op) const;

  const WalOptions options_;

  mutable std::mutex mu_;
  std::deque<WalWriter*> queue_;       // guarded by mu_
  std::vector<SegmentInfo> segments_;  // guarded by mu_; back() is the active segment
  Status poisoned_;                    // guarded by mu_; non-ok after a failed sync

  // Leader-only state.
  uint64_t next_seq_ = 1;
  WalFile active_;
  uint64_t active_size_ = 0;
  bool active_has_records_ = false;
  std::vector<WalWriter*> group_;
  std::vector<iovec> iov_;

  std::mutex remove_mu_;  // serializes RemoveUpTo with Replay
  std::atomic<uint64_t> last_seq_{0};
  std::atomic<uint64_t> bytes_appended_{0};
  std::atomic<uint64_t> fsyncs_{0};
};

Status WalImpl::InjectedFault(std::string_view op) const {
  if (!options_.fault_injector_for_testing) return Status::Ok();
  return options_.fault_injector_for_testing(op);
}

Status WalImpl::Recover() {
  std::error_code ec;
  std::filesystem::create_directories(options_.dir, ec);
  if (ec) return Status::IOError("create WAL directory {}: {}", options_.dir, ec.message());
  std::vector<uint64_t> firsts;
  std::filesystem::directory_iterator it(options_.dir, ec);
  for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    uint64_t first;
    if (ParseWalSegmentFileName(it->path().filename().string(), &first) &&
        it->is_regular_file(ec)) {
      firsts.push_back(first);
    }
  }
  if (ec) return Status::IOError("list WAL directory {}: {}", options_.dir, ec.message());
  std::sort(firsts.begin(), firsts.end());

  uint64_t max_seq = 0;
  WalFile last_file;
  for (uint64_t first : firsts) {
    ASSIGN_OR_RETURN(WalFile file, WalFile::Open(PathOf(first), O_RDWR));
    ASSIGN_OR_RETURN(SegmentInfo info, RecoverSegment(&file, first, &max_seq));
    segments_.push_back(info);
    last_file = std::move(file);
  }
  next_seq_ = std::max(max_seq + 1, options_.next_seq_at_least);
  if (!firsts.empty()) next_seq_ = std::max(next_seq_, firsts.back());
  last_seq_.store(next_seq_ - 1, std::memory_order_release);

  if (!segments_.empty() &&
      (segments_.back().bytes < options_.segment_bytes || !segments_.back().has_records)) {
    active_ = std::move(last_file);
    active_size_ = segments_.back().bytes;
    active_has_records_ = segments_.back().has_records;
  } else {
    last_file.Close();
    RETURN_IF_ERROR(SwitchSegment(next_seq_));
  }
  LogInfo("WAL {}: {} segment(s), {} bytes, next sequence number {}", options_.dir,
          segments_.size(), disk_bytes(), next_seq_);
  return Status::Ok();
}

Status WalImpl::RewriteHeader(WalFile* file) {
  RETURN_IF_ERROR(file->Truncate(0));
  char header[kWalSegmentHeaderSize];
  EncodeWalSegmentHeader(header);
  iovec iov{header, sizeof(header)};
  RETURN_IF_ERROR(PwritevAll(file->fd(), &iov, 1, 0, file->path()));
  if (options_.fsync) RETURN_IF_ERROR(file->DataSync());
  return Status::Ok();
}

Result<SegmentInfo> WalImpl::RecoverSegment(WalFile* file, uint64_t first_seq, uint64_t* max_seq) {
  SegmentInfo info;
  info.first_seq = first_seq;
  ASSIGN_OR_RETURN(uint64_t size, file->Size());
  WalSegmentReader reader(file, size);
  Status header = reader.ReadHeader();
  if (header.code() == StatusCode::kUnsupported) {
    return Status::Unsupported("{}: {}", file->path(), header.message());
  }
  if (header.code() == StatusCode::kIOError) return header;
  if (!header.ok()) {
    LogWarn("WAL segment {}: {}; dropping {} bytes from offset 0 and rewriting its header",
            file->path(), header.message(), size);
    RETURN_IF_ERROR(RewriteHeader(file));
    info.bytes = kWalSegmentHeaderSize;
    return info;
  }

  uint64_t cut = 0;
  std::string reason;
  while (true) {
    WalRecordHeader h;
    std::string_view payload;
    ASSIGN_OR_RETURN(WalSegmentReader::Outcome outcome, reader.Next(&h, &payload));
    if (outcome == WalSegmentReader::Outcome::kEnd) break;
    if (outcome == WalSegmentReader::Outcome::kBad) {
      cut = reader.record_offset();
      reason = reader.bad_reason();
      break;
    }
    if (h.seq < first_seq || h.seq <= *max_seq) {
      cut = reader.record_offset();
      reason = fmt::format("sequence number {} out of order (segment starts at {}, previous {})",
                           h.seq, first_seq, *max_seq);
      break;
    }
    *max_seq = h.seq;
    info.last_seq = h.seq;
    info.has_records = true;
  }
  info.bytes = reader.valid_end();
  if (!reason.empty()) {
    info.bytes = cut;
    LogWarn("WAL segment {}: {} at offset {}; truncating there, {} bytes dropped", file->path(),
            reason, cut, size - cut);
    RETURN_IF_ERROR(file->Truncate(cut));
    if (options_.fsync) RETURN_IF_ERROR(file->DataSync());
  }
  return info;
}

Status WalImpl::SwitchSegment(uint64_t first_seq) {
  std::string path = PathOf(first_seq);
  ASSIGN_OR_RETURN(WalFile file, CreateWalSegment(path, options_.fsync));
  if (options_.fsync) {
    Status st = FsyncDir(options_.dir);
    if (!st.ok()) {
      file.Close();
      ::unlink(path.c_str());
      return st;
    }
  }
  active_ = std::move(file);
  active_size_ = kWalSegmentHeaderSize;
  active_has_records_ = false;
  SegmentInfo info;
  info.first_seq = first_seq;
  info.bytes = kWalSegmentHeaderSize;
  std::lock_guard<std::mutex> lock(mu_);
  segments_.push_back(info);
  return Status::Ok();
}

Result<uint64_t> WalImpl::Append(WalRecordType type, std::string_view prefix,
                                 std::string_view payload) {
  const size_t size = prefix.size() + payload.size();
  if (size > kWalMaxPayloadBytes) {
    return Status::InvalidArgument("WAL record of {} bytes exceeds the {}-byte maximum", size,
                                   kWalMaxPayloadBytes);
  }
  if (static_cast<uint8_t>(type) == 0) return Status::InvalidArgument("WAL record type 0");
  WalWriter w;
  w.type = type;
  w.prefix = prefix;
  w.payload = payload;
  w.payload_crc = Crc32c(payload.data(), payload.size(), Crc32c(prefix.data(), prefix.size()));
  std::unique_lock<std::mutex> lock(mu_);
  queue_.push_back(&w);
  while (!w.done && queue_.front() != &w) w.cv.wait(lock);
  if (!w.done) Lead(lock, &w);
  if (!w.status.ok()) return w.status;
  return w.seq;
}

Result<uint64_t> WalImpl::Rotate() {
  WalWriter w;
  w.rotate = true;
  std::unique_lock<std::mutex> lock(mu_);
  queue_.push_back(&w);
  while (!w.done && queue_.front() != &w) w.cv.wait(lock);
  if (!w.done) Lead(lock, &w);
  if (!w.status.ok()) return w.status;
  return w.seq;
}

void WalImpl::Lead(std::unique_lock<std::mutex>& lock, WalWriter* self) {
  group_.clear();
  if (!poisoned_.ok()) {
    self->status = poisoned_;
    group_.push_back(self);
  } else if (self->rotate) {
    group_.push_back(self);
    lock.unlock();
    Status st = active_has_records_ ? SwitchSegment(next_seq_) : Status::Ok();
    lock.lock();
    self->status = st;
    self->seq = last_seq_.load(std::memory_order_relaxed);
  } else {
    uint64_t bytes = 0;
    for (WalWriter* w : queue_) {
      uint64_t size = kWalRecordHeaderSize + w->prefix.size() + w->payload.size();
      if (w->rotate) break;
      if (!group_.empty() && (group_.size() >= kMaxGroupRecords || bytes + size > kMaxGroupBytes)) {
        break;
      }
      group_.push_back(w);
      bytes += size;
    }
    uint64_t first_seq = next_seq_;
    for (WalWriter* w : group_) {
      w->seq = next_seq_++;
      EncodeWalRecordHeader(w->header, w->payload_crc,
                            static_cast<uint32_t>(w->prefix.size() + w->payload.size()),
                            static_cast<uint8_t>(w->type), w->seq);
    }
    lock.unlock();
    Status st = WriteGroup(first_seq, bytes);
    lock.lock();
    if (st.ok()) {
      SegmentInfo& active = segments_.back();
      active.bytes += bytes;
      active.has_records = true;
      active.last_seq = group_.back()->seq;
      last_seq_.store(active.last_seq, std::memory_order_release);
      bytes_appended_.fetch_add(bytes, std::memory_order_relaxed);
    } else {
      next_seq_ = first_seq;
    }
    for (WalWriter* w : group_) w->status = st;
  }
  for (WalWriter* w : group_) {
    w->done = true;
    queue_.pop_front();
    if (w != self) w->cv.notify_one();
  }
  if (!queue_.empty()) queue_.front()->cv.notify_one();
}

Status WalImpl::WriteGroup(uint64_t first_seq, uint64_t bytes) {
  if (active_has_records_ && active_size_ >= options_.segment_bytes) {
    RETURN_IF_ERROR(SwitchSegment(first_seq));
  }
  iov_.clear();
  for (WalWriter* w : group_) {
    iov_.push_back({w->header, kWalRecordHeaderSize});
    if (!w->prefix.empty()) {
      iov_.push_back({const_cast<char*>(w->prefix.data()), w->prefix.size()});
    }
    if (!w->payload.empty()) {
      iov_.push_back({const_cast<char*>(w->payload.data()), w->payload.size()});
    }
  }
  uint64_t start = active_size_;
  Status st = InjectedFault("write");
  if (st.ok()) {
    st =
        PwritevAll(active_.fd(), iov_.data(), static_cast<int>(iov_.size()), start, active_.path());
  }
  bool sync_failed = false;
  if (st.ok() && options_.fsync) {
    st = InjectedFault("sync");
    if (st.ok()) st = active_.DataSync();
    fsyncs_.fetch_add(1, std::memory_order_relaxed);
    sync_failed = !st.ok();
  }
  if (st.ok()) {
    active_size_ += bytes;
    active_has_records_ = true;
    return st;
  }
  // Take the failed records back out of the file so that no later open claims them. After a
  // failed sync the file's cached state is unknown, so the log refuses further writes.
  Status undo = active_.Truncate(start);
  if (undo.ok() && options_.fsync) undo = active_.DataSync();
  if (sync_failed || !undo.ok()) {
    LogError("WAL {}: {}; rolled back to offset {} ({}); refusing further appends", active_.path(),
             st.message(), start, undo.ok() ? "ok" : undo.message());
    std::lock_guard<std::mutex> lock(mu_);
    poisoned_ = Status::IOError("WAL is unusable after an I/O error ({}); restart to recover",
                                st.message());
  }
  return st;
}

Status WalImpl::Replay(
    uint64_t after_seq,
    const std::function<Status(uint64_t seq, WalRecordType type, std::string_view payload)>& fn) {
  std::lock_guard<std::mutex> remove_lock(remove_mu_);
  std::vector<SegmentInfo> segments;
  {
    std::lock_guard<std::mutex> lock(mu_);
    segments = segments_;
  }
  for (const SegmentInfo& seg : segments) {
    if (!seg.has_records || seg.last_seq <= after_seq) continue;
    ASSIGN_OR_RETURN(WalFile file, WalFile::Open(PathOf(seg.first_seq), O_RDONLY));
    WalSegmentReader reader(&file, seg.bytes);
    RETURN_IF_ERROR(reader.ReadHeader());
    while (true) {
      WalRecordHeader h;
      std::string_view payload;
      ASSIGN_OR_RETURN(WalSegmentReader::Outcome outcome, reader.Next(&h, &payload));
      if (outcome == WalSegmentReader::Outcome::kEnd) break;
      if (outcome == WalSegmentReader::Outcome::kBad) {
        return Status::Corruption("WAL segment {} changed after open: {} at offset {}", file.path(),
                                  reader.bad_reason(), reader.record_offset());
      }
      if (h.seq > after_seq)
        RETURN_IF_ERROR(fn(h.seq, static_cast<WalRecordType>(h.type), payload));
    }
  }
  return Status::Ok();
}

Status WalImpl::RemoveUpTo(uint64_t seq) {
  std::lock_guard<std::mutex> remove_lock(remove_mu_);
  std::vector<uint64_t> victims;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 0; i + 1 < segments_.size(); ++i) {
      if (!segments_[i].has_records || segments_[i].last_seq <= seq) {
        victims.push_back(segments_[i].first_seq);
      }
    }
  }
  Status status;
  std::vector<uint64_t> removed;
  for (uint64_t first : victims) {
    std::string path = PathOf(first);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      if (status.ok()) status = ErrnoStatus("remove", path, errno);
      continue;
    }
    removed.push_back(first);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::erase_if(segments_, [&](const SegmentInfo& s) {
      return std::find(removed.begin(), removed.end(), s.first_seq) != removed.end();
    });
  }
  if (!removed.empty() && options_.fsync) {
    Status st = FsyncDir(options_.dir);
    if (status.ok()) status = st;
  }
  return status;
}

uint64_t WalImpl::disk_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t total = 0;
  for (const SegmentInfo& s : segments_) total += s.bytes;
  return total;
}

size_t WalImpl::segment_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return segments_.size();
}

}  // namespace

Result<std::unique_ptr<Wal>> Wal::Open(const WalOptions& options) {
  if (options.dir.empty()) return Status::InvalidArgument("WAL directory is empty");
  auto wal = std::make_unique<WalImpl>(options);
  RETURN_IF_ERROR(wal->Recover());
  return std::unique_ptr<Wal>(std::move(wal));
}

}  // namespace periscope
