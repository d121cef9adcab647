#include "storage/wal/shared_wal.h"

#include <fcntl.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "base/crc32c.h"
#include "base/log.h"
#include "storage/wal/wal_segment.h"

namespace periscope {

namespace {

// released file: magic[8] | count u32 | seq u64 × count | crc u32 (CRC-32C of what precedes).
constexpr char kReleasedMagic[8] = {'P', 'S', 'C', 'O', 'P', 'R', 'E', 'L'};
constexpr char kReleasedFile[] = "released";

std::string EncodeReleased(const std::array<uint64_t, kWalSignalCount>& released) {
  std::string out(kReleasedMagic, sizeof(kReleasedMagic));
  const uint32_t count = kWalSignalCount;
  out.append(reinterpret_cast<const char*>(&count), 4);
  for (uint64_t seq : released) out.append(reinterpret_cast<const char*>(&seq), 8);
  const uint32_t crc = Crc32c(out);
  out.append(reinterpret_cast<const char*>(&crc), 4);
  return out;
}

// Reads the numbers of the signals this build knows; a file from a build with more signals keeps
// working, one with fewer leaves the rest at 0.
Status DecodeReleased(std::string_view data, std::array<uint64_t, kWalSignalCount>* released) {
  if (data.size() < sizeof(kReleasedMagic) + 8 ||
      std::memcmp(data.data(), kReleasedMagic, sizeof(kReleasedMagic)) != 0) {
    return Status::Corruption("bad magic");
  }
  uint32_t count;
  std::memcpy(&count, data.data() + sizeof(kReleasedMagic), 4);
  const size_t body = sizeof(kReleasedMagic) + 4 + size_t{count} * 8;
  if (count > 1024 || data.size() != body + 4) return Status::Corruption("bad size");
  uint32_t crc;
  std::memcpy(&crc, data.data() + body, 4);
  if (crc != Crc32c(data.data(), body)) return Status::Corruption("checksum mismatch");
  for (size_t i = 0; i < std::min<size_t>(count, kWalSignalCount); ++i) {
    std::memcpy(&(*released)[i], data.data() + sizeof(kReleasedMagic) + 4 + i * 8, 8);
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<SharedWal>> SharedWal::Open(WalOptions options) {
  std::unique_ptr<SharedWal> w(new SharedWal());
  w->dir_ = options.dir;
  w->fsync_ = options.fsync;
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) return Status::IOError("creating WAL directory {}: {}", options.dir, ec.message());
  RETURN_IF_ERROR(w->LoadReleased());
  for (uint64_t seq : w->released_) {
    options.next_seq_at_least = std::max(options.next_seq_at_least, seq + 1);
  }
  ASSIGN_OR_RETURN(w->wal_, Wal::Open(options));
  return w;
}

Status SharedWal::LoadReleased() {
  const std::string path = dir_ + "/" + kReleasedFile;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Ok();
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Status::IOError("reading {}", path);
  if (Status s = DecodeReleased(data, &released_); !s.ok()) {
    // Losing it only means replaying records again that parts already hold (as before it
    // existed); their tables' own flushed sequence numbers still skip most of them.
    LogWarn("{}: {}; ignored", path, s.message());
    released_ = {};
  }
  return Status::Ok();
}

Status SharedWal::StoreReleased(const std::array<uint64_t, kWalSignalCount>& released) const {
  const std::string path = dir_ + "/" + kReleasedFile;
  const std::string tmp = path + ".tmp";
  const std::string data = EncodeReleased(released);
  {
    ASSIGN_OR_RETURN(WalFile file, WalFile::Open(tmp, O_WRONLY | O_CREAT | O_TRUNC));
    iovec iov{const_cast<char*>(data.data()), data.size()};
    RETURN_IF_ERROR(PwritevAll(file.fd(), &iov, 1, 0, tmp));
    if (fsync_) RETURN_IF_ERROR(file.DataSync());
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return ErrnoStatus("rename", tmp, errno);
  return fsync_ ? FsyncDir(dir_) : Status::Ok();
}

uint64_t SharedWal::released(WalSignal signal) const {
  std::lock_guard lock(mu_);
  return released_[static_cast<size_t>(signal)];
}

Status SharedWal::Release(WalSignal signal, uint64_t seq) {
  std::lock_guard lock(mu_);
  uint64_t& slot = released_[static_cast<size_t>(signal)];
  if (seq <= slot) return Status::Ok();
  std::array<uint64_t, kWalSignalCount> next = released_;
  next[static_cast<size_t>(signal)] = seq;
  RETURN_IF_ERROR(StoreReleased(next));
  slot = seq;
  return wal_->RemoveUpTo(*std::min_element(released_.begin(), released_.end()));
}

}  // namespace periscope
