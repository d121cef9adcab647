#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>
#include <tuple>
#include <unordered_map>

#include "base/coding.h"
#include "base/crc32c.h"
#include "storage/part/bloom_filter.h"
#include "storage/part/span_block.h"
#include "storage/part/span_part.h"
#include "storage/part/span_part_format.h"

namespace periscope {

namespace {

using part::BlockInfo;
using part::ChunkInfo;
using part::EncodedBlock;
using part::PartFooter;

// Appends to a file through a buffer, tracking the offset. Not thread-safe.
class FileSink {
 public:
  ~FileSink() {
    if (fd_ >= 0) ::close(fd_);
  }
  Status Open(const std::string& path) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) return Status::IOError("open {}: {}", path, std::strerror(errno));
    path_ = path;
    return Status::Ok();
  }
  Status Append(std::string_view data) {
    buf_.append(data);
    offset_ += data.size();
    return buf_.size() >= (1u << 20) ? Flush() : Status::Ok();
  }
  // Appends a chunk and describes where it went.
  Status AppendChunk(std::string_view stored, std::string_view raw, part::ChunkCodec codec,
                     ChunkInfo* info) {
    info->offset = offset_;
    info->stored_len = static_cast<uint32_t>(stored.size());
    info->raw_len = static_cast<uint32_t>(raw.size());
    info->codec = codec;
    info->crc = Crc32c(stored);
    return Append(stored);
  }
  Status Flush() {
    size_t done = 0;
    while (done < buf_.size()) {
      ssize_t n = ::write(fd_, buf_.data() + done, buf_.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::IOError("write {}: {}", path_, std::strerror(errno));
      done += static_cast<size_t>(n);
    }
    buf_.clear();
    return Status::Ok();
  }
  Status SyncAndClose() {
    RETURN_IF_ERROR(Flush());
    if (::fsync(fd_) != 0) return Status::IOError("fsync {}: {}", path_, std::strerror(errno));
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return Status::IOError("close {}: {}", path_, std::strerror(errno));
    return Status::Ok();
  }
  uint64_t offset() const { return offset_; }

 private:
  int fd_ = -1;
  std::string path_;
  std::string buf_;
  uint64_t offset_ = 0;
};

Status SyncDir(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  const std::filesystem::path dir = parent.empty() ? std::filesystem::path(".") : parent;
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("open dir {}: {}", dir.string(), std::strerror(errno));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Status::IOError("fsync dir {}: {}", dir.string(), std::strerror(errno));
  return Status::Ok();
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0)); }

// Orders rows by (root service of the trace, start bucket of the trace, trace id, start,
// span id): a trace's spans are contiguous and ordered, traces of one root service and time
// bucket are neighbours, and blocks hold narrow trace-id and time ranges.
std::vector<uint32_t> SortOrder(const SpanBatch& b) {
  struct TraceInfo {
    int64_t min_start = INT64_MAX;
    int64_t root_start = INT64_MAX;
    uint32_t resource = 0;
  };
  std::unordered_map<TraceId, TraceInfo, BinaryIdHash> traces;
  traces.reserve(b.size());
  for (size_t i = 0; i < b.size(); ++i) {
    TraceInfo& t = traces[b.trace_id[i]];
    t.min_start = std::min(t.min_start, b.start_ns[i]);
    // Root span first, else the earliest span, names the trace's service.
    int64_t rank = b.parent_span_id[i].IsZero() ? INT64_MIN : b.start_ns[i];
    if (rank < t.root_start) {
      t.root_start = rank;
      t.resource = b.resource_index[i];
    }
  }
  std::vector<uint32_t> by_name(b.resources.size());
  for (uint32_t i = 0; i < by_name.size(); ++i) by_name[i] = i;
  std::sort(by_name.begin(), by_name.end(), [&](uint32_t x, uint32_t y) {
    return b.resources[x].tags.service < b.resources[y].tags.service;
  });
  std::vector<uint32_t> service_rank(b.resources.size());
  for (uint32_t i = 0; i < by_name.size(); ++i) {
    bool same =
        i > 0 && b.resources[by_name[i]].tags.service == b.resources[by_name[i - 1]].tags.service;
    service_rank[by_name[i]] = same ? service_rank[by_name[i - 1]] : i;
  }

  struct Key {
    uint32_t service;
    int64_t bucket;
    TraceId trace;
    int64_t start;
    SpanId span;
    uint32_t row;
  };
  std::vector<Key> keys(b.size());
  for (size_t i = 0; i < b.size(); ++i) {
    const TraceInfo& t = traces[b.trace_id[i]];
    keys[i] = Key{service_rank[t.resource],
                  FloorDiv(t.min_start, part::kTimeBucketNs),
                  b.trace_id[i],
                  b.start_ns[i],
                  b.span_id[i],
                  static_cast<uint32_t>(i)};
  }
  std::sort(keys.begin(), keys.end(), [](const Key& x, const Key& y) {
    return std::tie(x.service, x.bucket, x.trace, x.start, x.span, x.row) <
           std::tie(y.service, y.bucket, y.trace, y.start, y.span, y.row);
  });
  std::vector<uint32_t> order(b.size());
  for (size_t i = 0; i < keys.size(); ++i) order[i] = keys[i].row;
  return order;
}

// Maps each item of `items` to an id in the deduplicated `*out`.
template <typename T>
std::vector<uint32_t> Dedup(const std::vector<T>& items, std::vector<T>* out) {
  std::vector<uint32_t> ids(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    auto it = std::find(out->begin(), out->end(), items[i]);
    ids[i] = static_cast<uint32_t>(it - out->begin());
    if (it == out->end()) out->push_back(items[i]);
  }
  return ids;
}

// Ends the block that starts at `begin` at a trace boundary once it has the target row count,
// never past kMaxRowsPerBlock.
size_t BlockEnd(const SpanBatch& b, size_t begin) {
  size_t end = begin;
  while (end < b.size() && end - begin < part::kTargetRowsPerBlock) {
    size_t run_end = end + 1;
    while (run_end < b.size() && b.trace_id[run_end] == b.trace_id[end]) ++run_end;
    if (run_end - begin > part::kMaxRowsPerBlock) {
      return end > begin ? end : begin + part::kMaxRowsPerBlock;
    }
    end = run_end;
  }
  return end;
}

Status WriteFile(const std::string& tmp, SpanBatch& rows, PartFooter& footer) {
  std::vector<uint32_t> part_resource = Dedup(rows.resources, &footer.resources);
  std::vector<uint32_t> part_scope = Dedup(rows.scopes, &footer.scopes);
  // Rows are sorted, so each trace is one run and operations repeat in long stretches.
  std::set<std::tuple<std::string_view, std::string_view, SpanKind>> ops;
  size_t trace_count = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    ops.emplace(rows.tags(i).service, rows.name[i], rows.kind[i]);
    trace_count += i == 0 || rows.trace_id[i] != rows.trace_id[i - 1];
  }
  for (const auto& [service, name, kind] : ops) {
    footer.operations.push_back(OperationKey{std::string(service), std::string(name), kind});
  }
  part::BloomFilterBuilder part_bloom(trace_count);
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i == 0 || rows.trace_id[i] != rows.trace_id[i - 1]) part_bloom.Add(rows.trace_id[i]);
  }

  FileSink sink;
  RETURN_IF_ERROR(sink.Open(tmp));
  std::string header(part::kPartMagic, sizeof(part::kPartMagic));
  PutFixed32(&header, part::kFormatVersion);
  RETURN_IF_ERROR(sink.Append(header));
  for (size_t begin = 0; begin < rows.size();) {
    size_t end = BlockEnd(rows, begin);
    EncodedBlock block = part::EncodeSpanBlock(rows, begin, end, part_resource, part_scope);
    BlockInfo& info = footer.blocks.emplace_back(std::move(block.info));
    info.chunks.resize(block.chunks.size());
    for (size_t c = 0; c < block.chunks.size(); ++c) {
      part::ChunkCodec codec;
      std::string stored = part::CompressChunk(block.chunks[c], part::kZstdLevel, &codec);
      RETURN_IF_ERROR(sink.AppendChunk(stored, block.chunks[c], codec, &info.chunks[c]));
    }
    RETURN_IF_ERROR(
        sink.AppendChunk(block.bloom, block.bloom, part::ChunkCodec::kRaw, &info.bloom));
    begin = end;
  }
  RETURN_IF_ERROR(sink.AppendChunk(part_bloom.data(), part_bloom.data(), part::ChunkCodec::kRaw,
                                   &footer.bloom));
  std::string tail;
  part::EncodeFooter(footer, &tail);
  const auto footer_len = static_cast<uint32_t>(tail.size());
  const uint32_t footer_crc = Crc32c(tail);
  PutFixed32(&tail, footer_len);
  PutFixed32(&tail, footer_crc);
  PutFixed32(&tail, part::kFormatVersion);
  tail.append(part::kPartMagic, sizeof(part::kPartMagic));
  RETURN_IF_ERROR(sink.Append(tail));
  return sink.SyncAndClose();
}

}  // namespace

Status WriteSpanPart(const std::string& path, SpanBatch rows, const SpanPartMeta& meta) {
  if (rows.empty()) return Status::InvalidArgument("span part {}: no rows", path);
  if (!rows.IsConsistent())
    return Status::InvalidArgument("span part {}: inconsistent batch", path);
  if (meta.tenant != rows.tenant) {
    return Status::InvalidArgument("span part {}: meta tenant {} differs from rows' tenant {}",
                                   path, meta.tenant, rows.tenant);
  }
  rows.Permute(SortOrder(rows));

  PartFooter footer;
  footer.meta = meta;
  footer.meta.rows = rows.size();
  footer.meta.min_start_ns = *std::min_element(rows.start_ns.begin(), rows.start_ns.end());
  footer.meta.max_start_ns = *std::max_element(rows.start_ns.begin(), rows.start_ns.end());

  const std::string tmp = path + ".tmp";
  Status st = WriteFile(tmp, rows, footer);
  if (st.ok() && std::rename(tmp.c_str(), path.c_str()) != 0) {
    st = Status::IOError("rename {}: {}", tmp, std::strerror(errno));
  }
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  return SyncDir(path);
}

}  // namespace periscope
