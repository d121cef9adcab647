#include "storage/metrics/metric_part.h"

#include <fcntl.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>

#include "base/coding.h"
#include "base/crc32c.h"
#include "model/metric_labels.h"
#include "storage/metrics/series_block.h"
#include "storage/part/encoding/zstd_context.h"

namespace periscope {

namespace {

constexpr char kMagic[8] = {'P', 'S', 'C', 'M', 'P', 'R', 'T', '1'};
constexpr size_t kChunkTarget = 256u << 10;
constexpr int kZstdLevel = 3;
constexpr size_t kTrailerBytes = 8 + 4 + 4 + 8;  // raw footer len, compressed len, crc, magic
constexpr uint64_t kMaxFooterBytes = 1ull << 31;

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError("write {}: {}", path, std::strerror(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

std::string Compress(std::string_view raw) {
  std::string out(ZSTD_compressBound(raw.size()), '\0');
  size_t n = ZSTD_compressCCtx(part::ThreadCompressContext(), out.data(), out.size(), raw.data(),
                               raw.size(), kZstdLevel);
  out.resize(ZSTD_isError(n) ? 0 : n);
  return out;
}

Result<std::string> Decompress(std::string_view compressed, size_t raw_size) {
  std::string out(raw_size, '\0');
  size_t n = ZSTD_decompressDCtx(part::ThreadDecompressContext(), out.data(), out.size(),
                                 compressed.data(), compressed.size());
  if (ZSTD_isError(n) || n != raw_size) {
    return Status::Corruption("zstd: {}", ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short");
  }
  return out;
}

Status PRead(int fd, uint64_t offset, size_t n, std::string* out, const std::string& path) {
  out->resize(n);
  size_t done = 0;
  while (done < n) {
    ssize_t r = ::pread(fd, out->data() + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return Status::IOError("read {}: {}", path, std::strerror(errno));
    if (r == 0) return Status::Corruption("{} is truncated", path);
    done += static_cast<size_t>(r);
  }
  return Status::Ok();
}

void PutLabels(std::string* out, const Labels& labels) {
  PutVarint64(out, labels.size());
  for (const auto& [k, v] : labels) {
    PutLengthPrefixed(out, k);
    PutLengthPrefixed(out, v);
  }
}

}  // namespace

Status WriteMetricPart(const std::string& path, const MetricPartMeta& meta,
                       const std::vector<PartSeriesRef>& series) {
  const std::string tmp = path + ".tmp";
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("create {}: {}", tmp, std::strerror(errno));
  std::string footer, chunk_table, raw_chunk, block;
  uint64_t file_offset = sizeof kMagic;
  uint32_t chunk_count = 0;
  uint64_t entries = 0;
  int64_t min_t = INT64_MAX, max_t = INT64_MIN;
  uint64_t samples = 0;
  std::string series_table;
  Status st = WriteAll(fd, std::string_view(kMagic, sizeof kMagic), tmp);
  auto flush_chunk = [&]() -> Status {
    if (raw_chunk.empty()) return Status::Ok();
    std::string compressed = Compress(raw_chunk);
    if (compressed.empty()) return Status::Internal("zstd compression failed");
    RETURN_IF_ERROR(WriteAll(fd, compressed, tmp));
    PutVarint64(&chunk_table, file_offset);
    PutVarint64(&chunk_table, compressed.size());
    PutVarint64(&chunk_table, raw_chunk.size());
    file_offset += compressed.size();
    ++chunk_count;
    raw_chunk.clear();
    return Status::Ok();
  };
  for (const PartSeriesRef& ref : series) {
    const MetricSeries* s = ref.series;
    if (!st.ok()) break;
    if (s->time_ms.empty()) continue;
    block.clear();
    EncodeSeriesBlock(*s, &block);
    PutFixed64(&series_table, ref.id);
    series_table.push_back(static_cast<char>(s->kind));
    PutLabels(&series_table, s->labels);
    PutVarint64(&series_table, chunk_count);
    PutVarint64(&series_table, raw_chunk.size());
    PutVarint64(&series_table, block.size());
    PutVarint64(&series_table, s->time_ms.size());
    PutVarintSigned64(&series_table, s->time_ms.front());
    PutVarintSigned64(&series_table, s->time_ms.back());
    min_t = std::min(min_t, s->time_ms.front());
    max_t = std::max(max_t, s->time_ms.back());
    samples += s->time_ms.size();
    ++entries;
    raw_chunk += block;
    if (raw_chunk.size() >= kChunkTarget) st = flush_chunk();
  }
  if (st.ok()) st = flush_chunk();
  if (st.ok()) {
    PutLengthPrefixed(&footer, meta.tenant);
    PutVarint64(&footer, meta.covered_wal_seq);
    PutVarintSigned64(&footer, entries ? min_t : 0);
    PutVarintSigned64(&footer, entries ? max_t : 0);
    PutVarint64(&footer, samples);
    PutVarint64(&footer, chunk_count);
    footer += chunk_table;
    PutVarint64(&footer, entries);
    footer += series_table;
    std::string compressed = Compress(footer);
    std::string trailer;
    PutFixed64(&trailer, footer.size());
    PutFixed32(&trailer, static_cast<uint32_t>(compressed.size()));
    PutFixed32(&trailer, Crc32c(compressed));
    trailer.append(kMagic, sizeof kMagic);
    st = WriteAll(fd, compressed + trailer, tmp);
  }
  if (st.ok() && ::fsync(fd) != 0) st = Status::IOError("fsync {}: {}", tmp, std::strerror(errno));
  ::close(fd);
  if (st.ok() && std::rename(tmp.c_str(), path.c_str()) != 0) {
    st = Status::IOError("rename {}: {}", tmp, std::strerror(errno));
  }
  if (!st.ok()) {
    std::filesystem::remove(tmp, ec);
    return st;
  }
  const auto dir = std::filesystem::path(path).parent_path();
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

MetricPart::~MetricPart() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::shared_ptr<MetricPart>> MetricPart::Open(const std::string& path) {
  std::shared_ptr<MetricPart> part(new MetricPart());
  part->path_ = path;
  part->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (part->fd_ < 0) return Status::IOError("open {}: {}", path, std::strerror(errno));
  off_t size = ::lseek(part->fd_, 0, SEEK_END);
  if (size < 0) return Status::IOError("seek {}: {}", path, std::strerror(errno));
  part->file_bytes_ = static_cast<uint64_t>(size);
  if (part->file_bytes_ < sizeof kMagic + kTrailerBytes) {
    return Status::Corruption("{} is too short for a metric part", path);
  }
  std::string trailer;
  RETURN_IF_ERROR(
      PRead(part->fd_, part->file_bytes_ - kTrailerBytes, kTrailerBytes, &trailer, path));
  if (std::memcmp(trailer.data() + 16, kMagic, sizeof kMagic) != 0) {
    return Status::Corruption("{} has no metric part trailer", path);
  }
  const uint64_t raw_len = DecodeFixed64(trailer.data());
  const uint32_t compressed_len = DecodeFixed32(trailer.data() + 8);
  const uint32_t crc = DecodeFixed32(trailer.data() + 12);
  if (compressed_len > part->file_bytes_ - kTrailerBytes - sizeof kMagic ||
      raw_len > kMaxFooterBytes) {
    return Status::Corruption("{} has a bad footer length", path);
  }
  std::string compressed;
  RETURN_IF_ERROR(PRead(part->fd_, part->file_bytes_ - kTrailerBytes - compressed_len,
                        compressed_len, &compressed, path));
  if (Crc32c(compressed) != crc) return Status::Corruption("{} footer checksum mismatch", path);
  ASSIGN_OR_RETURN(std::string footer, Decompress(compressed, raw_len));
  ByteReader in(footer);
  std::string_view tenant;
  uint64_t chunks, entries;
  MetricPartMeta& m = part->meta_;
  if (!in.GetLengthPrefixed(&tenant) || !in.GetVarint64(&m.covered_wal_seq) ||
      !in.GetVarintSigned64(&m.min_time_ms) || !in.GetVarintSigned64(&m.max_time_ms) ||
      !in.GetVarint64(&m.samples) || !in.GetVarint64(&chunks) || chunks > footer.size()) {
    return Status::Corruption("{} footer header is malformed", path);
  }
  m.tenant = std::string(tenant);
  const uint64_t data_end = part->file_bytes_ - kTrailerBytes - compressed_len;
  for (uint64_t i = 0; i < chunks; ++i) {
    uint64_t off, clen, rlen;
    if (!in.GetVarint64(&off) || !in.GetVarint64(&clen) || !in.GetVarint64(&rlen) ||
        off < sizeof kMagic || clen > data_end || off > data_end - clen || rlen > (1u << 30)) {
      return Status::Corruption("{} chunk {} is out of bounds", path, i);
    }
    part->chunks_.push_back({off, static_cast<uint32_t>(clen), static_cast<uint32_t>(rlen)});
  }
  if (!in.GetVarint64(&entries) || entries > footer.size()) {
    return Status::Corruption("{} series table is malformed", path);
  }
  part->series_.reserve(entries);
  for (uint64_t i = 0; i < entries; ++i) {
    PartSeriesEntry e;
    std::string_view kind;
    uint64_t nlabels, chunk, offset, length, count;
    if (!in.GetFixed64(&e.series_id) || !in.GetBytes(1, &kind) || !in.GetVarint64(&nlabels) ||
        nlabels > in.remaining()) {
      return Status::Corruption("{} series {} is malformed", path, i);
    }
    e.kind = static_cast<MetricKind>(kind[0]);
    for (uint64_t l = 0; l < nlabels; ++l) {
      std::string_view k, v;
      if (!in.GetLengthPrefixed(&k) || !in.GetLengthPrefixed(&v)) {
        return Status::Corruption("{} series {} labels are truncated", path, i);
      }
      e.labels.emplace_back(k, v);
    }
    if (!in.GetVarint64(&chunk) || !in.GetVarint64(&offset) || !in.GetVarint64(&length) ||
        !in.GetVarint64(&count) || !in.GetVarintSigned64(&e.min_time_ms) ||
        !in.GetVarintSigned64(&e.max_time_ms) || chunk >= part->chunks_.size() ||
        offset > part->chunks_[chunk].raw || length > part->chunks_[chunk].raw - offset) {
      return Status::Corruption("{} series {} location is malformed", path, i);
    }
    e.chunk = static_cast<uint32_t>(chunk);
    e.offset = static_cast<uint32_t>(offset);
    e.length = static_cast<uint32_t>(length);
    e.samples = static_cast<uint32_t>(count);
    // Parts written before ids were checked for collisions may list one twice: first wins.
    if (part->by_id_.Find(e.series_id) == SeriesIdMap::kNone) {
      part->by_id_.Insert(e.series_id, static_cast<uint32_t>(part->series_.size()));
    }
    part->series_.push_back(std::move(e));
  }
  return part;
}

int64_t MetricPart::Find(uint64_t series_id) const {
  const uint32_t e = by_id_.Find(series_id);
  return e == SeriesIdMap::kNone ? -1 : static_cast<int64_t>(e);
}

Status MetricPart::Read(
    std::span<const uint32_t> entries,
    const std::function<void(uint32_t entry, MetricSeries&& samples)>& visit) const {
  std::map<uint32_t, std::vector<uint32_t>> by_chunk;
  for (uint32_t e : entries) {
    if (e < series_.size()) by_chunk[series_[e].chunk].push_back(e);
  }
  std::string compressed;
  for (const auto& [chunk_index, list] : by_chunk) {
    const Chunk& c = chunks_[chunk_index];
    RETURN_IF_ERROR(PRead(fd_, c.offset, c.compressed, &compressed, path_));
    auto raw = Decompress(compressed, c.raw);
    if (!raw.ok())
      return Status::Corruption("{} chunk {}: {}", path_, chunk_index, raw.status().message());
    for (uint32_t e : list) {
      const PartSeriesEntry& entry = series_[e];
      MetricSeries samples;
      Status s =
          DecodeSeriesBlock(std::string_view(*raw).substr(entry.offset, entry.length), &samples);
      if (!s.ok()) return Status::Corruption("{} series {}: {}", path_, e, s.message());
      samples.kind = entry.kind;
      visit(e, std::move(samples));
    }
  }
  return Status::Ok();
}

Status MetricPart::ReadEntry(uint32_t e, PartChunkCursor& cursor, MetricSeries* out) const {
  if (e >= series_.size()) return Status::InvalidArgument("{} has no series {}", path_, e);
  const PartSeriesEntry& entry = series_[e];
  if (cursor.chunk != static_cast<int64_t>(entry.chunk)) {
    cursor.chunk = -1;
    const Chunk& c = chunks_[entry.chunk];
    RETURN_IF_ERROR(PRead(fd_, c.offset, c.compressed, &cursor.compressed, path_));
    cursor.raw.resize(c.raw);
    const size_t n =
        ZSTD_decompressDCtx(part::ThreadDecompressContext(), cursor.raw.data(), cursor.raw.size(),
                            cursor.compressed.data(), cursor.compressed.size());
    if (ZSTD_isError(n) || n != c.raw) {
      return Status::Corruption("{} chunk {}: zstd: {}", path_, entry.chunk,
                                ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short");
    }
    cursor.chunk = entry.chunk;
  }
  Status s =
      DecodeSeriesBlock(std::string_view(cursor.raw).substr(entry.offset, entry.length), out);
  if (!s.ok()) return Status::Corruption("{} series {}: {}", path_, e, s.message());
  out->kind = entry.kind;
  return Status::Ok();
}

}  // namespace periscope
