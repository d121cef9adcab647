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
// bucket are neighbours, and blocks hold narrow time ranges. Sorts traces, then the few rows of
// each trace. Fills rows->refs; rows->batches and rows->part_resource must be set.
void SortRows(const std::vector<Resource>& part_resources, part::SortedRows* rows) {
  struct TraceInfo {
    TraceId id;
    int64_t min_start = INT64_MAX;
    int64_t root_start = INT64_MAX;
    uint32_t resource = 0;
    uint32_t service = 0;
    uint32_t first = 0;  // position of its first row in the output
    uint32_t count = 0;
  };
  size_t total = 0;
  for (const SpanBatch* b : rows->batches) total += b->size();
  std::unordered_map<TraceId, uint32_t, BinaryIdHash> index;
  index.reserve(total / 2 + 1);
  std::vector<TraceInfo> traces;
  std::vector<uint32_t> trace_of;  // per input row, batch after batch
  trace_of.reserve(total);
  for (uint32_t bi = 0; bi < rows->batches.size(); ++bi) {
    const SpanBatch& b = *rows->batches[bi];
    for (size_t i = 0; i < b.size(); ++i) {
      auto [it, inserted] = index.try_emplace(b.trace_id[i], static_cast<uint32_t>(traces.size()));
      if (inserted) traces.emplace_back().id = b.trace_id[i];
      TraceInfo& t = traces[it->second];
      trace_of.push_back(it->second);
      ++t.count;
      t.min_start = std::min(t.min_start, b.start_ns[i]);
      // Root span first, else the earliest span, names the trace's service.
      int64_t rank = b.parent_span_id[i].IsZero() ? INT64_MIN : b.start_ns[i];
      if (rank < t.root_start) {
        t.root_start = rank;
        t.resource = rows->part_resource[bi][b.resource_index[i]];
      }
    }
  }
  std::vector<uint32_t> by_name(part_resources.size());
  for (uint32_t i = 0; i < by_name.size(); ++i) by_name[i] = i;
  std::sort(by_name.begin(), by_name.end(), [&](uint32_t x, uint32_t y) {
    return part_resources[x].tags.service < part_resources[y].tags.service;
  });
  std::vector<uint32_t> service_rank(part_resources.size());
  for (uint32_t i = 0; i < by_name.size(); ++i) {
    bool same = i > 0 && part_resources[by_name[i]].tags.service ==
                             part_resources[by_name[i - 1]].tags.service;
    service_rank[by_name[i]] = same ? service_rank[by_name[i - 1]] : i;
  }
  for (TraceInfo& t : traces) {
    t.service = service_rank[t.resource];
    t.min_start = FloorDiv(t.min_start, part::kTimeBucketNs);  // now the bucket
  }
  std::vector<uint32_t> order(traces.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
    const TraceInfo& a = traces[x];
    const TraceInfo& b = traces[y];
    return std::tie(a.service, a.min_start, a.id) < std::tie(b.service, b.min_start, b.id);
  });
  uint32_t pos = 0;
  for (uint32_t t : order) {
    traces[t].first = pos;
    pos += traces[t].count;
  }
  rows->refs.resize(total);
  std::vector<uint32_t> fill(traces.size(), 0);
  size_t k = 0;
  for (uint32_t bi = 0; bi < rows->batches.size(); ++bi) {
    const size_t n = rows->batches[bi]->size();
    for (size_t i = 0; i < n; ++i, ++k) {
      const uint32_t t = trace_of[k];
      rows->refs[traces[t].first + fill[t]++] = part::SortedRows::Ref{bi, static_cast<uint32_t>(i)};
    }
  }
  auto by_start = [&](const part::SortedRows::Ref& x, const part::SortedRows::Ref& y) {
    const SpanBatch& a = *rows->batches[x.batch];
    const SpanBatch& b = *rows->batches[y.batch];
    return std::tie(a.start_ns[x.row], a.span_id[x.row], x.batch, x.row) <
           std::tie(b.start_ns[y.row], b.span_id[y.row], y.batch, y.row);
  };
  for (const TraceInfo& t : traces) {
    if (t.count > 1) {
      std::sort(rows->refs.begin() + t.first, rows->refs.begin() + t.first + t.count, by_start);
    }
  }
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
size_t BlockEnd(const part::SortedRows& b, size_t begin) {
  size_t end = begin;
  while (end < b.size() && end - begin < part::kTargetRowsPerBlock) {
    size_t run_end = end + 1;
    while (run_end < b.size() && b.trace_id(run_end) == b.trace_id(end)) ++run_end;
    if (run_end - begin > part::kMaxRowsPerBlock) {
      return end > begin ? end : begin + part::kMaxRowsPerBlock;
    }
    end = run_end;
  }
  return end;
}

Status WriteFile(const std::string& tmp, const part::SortedRows& rows, PartFooter& footer) {
  // Rows are sorted, so each trace is one run and operations repeat in long stretches.
  std::set<std::tuple<std::string_view, std::string_view, SpanKind>> ops;
  size_t trace_count = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const SpanBatch& b = rows.batch(i);
    const size_t r = rows.row(i);
    ops.emplace(b.tags(r).service, b.name[r], b.kind[r]);
    trace_count += i == 0 || rows.trace_id(i) != rows.trace_id(i - 1);
  }
  for (const auto& [service, name, kind] : ops) {
    footer.operations.push_back(OperationKey{std::string(service), std::string(name), kind});
  }
  part::BloomFilterBuilder part_bloom(trace_count);
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i == 0 || rows.trace_id(i) != rows.trace_id(i - 1)) part_bloom.Add(rows.trace_id(i));
  }

  FileSink sink;
  RETURN_IF_ERROR(sink.Open(tmp));
  std::string header(part::kPartMagic, sizeof(part::kPartMagic));
  PutFixed32(&header, part::kFormatVersion);
  RETURN_IF_ERROR(sink.Append(header));
  for (size_t begin = 0; begin < rows.size();) {
    size_t end = BlockEnd(rows, begin);
    EncodedBlock block = part::EncodeSpanBlock(rows, begin, end);
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
  std::vector<std::shared_ptr<const SpanBatch>> batches;
  batches.push_back(std::make_shared<const SpanBatch>(std::move(rows)));
  return WriteSpanPart(path, batches, meta);
}

Status WriteSpanPart(const std::string& path,
                     const std::vector<std::shared_ptr<const SpanBatch>>& batches,
                     const SpanPartMeta& meta) {
  part::SortedRows rows;
  PartFooter footer;
  footer.meta = meta;
  footer.meta.min_start_ns = INT64_MAX;
  footer.meta.max_start_ns = INT64_MIN;
  size_t total = 0;
  for (const auto& b : batches) {
    if (b->empty()) continue;
    if (!b->IsConsistent()) {
      return Status::InvalidArgument("span part {}: inconsistent batch", path);
    }
    if (meta.tenant != b->tenant) {
      return Status::InvalidArgument("span part {}: meta tenant {} differs from rows' tenant {}",
                                     path, meta.tenant, b->tenant);
    }
    rows.batches.push_back(b.get());
    rows.part_resource.push_back(Dedup(b->resources, &footer.resources));
    rows.part_scope.push_back(Dedup(b->scopes, &footer.scopes));
    total += b->size();
    for (int64_t t : b->start_ns) {
      footer.meta.min_start_ns = std::min(footer.meta.min_start_ns, t);
      footer.meta.max_start_ns = std::max(footer.meta.max_start_ns, t);
    }
  }
  if (total == 0) return Status::InvalidArgument("span part {}: no rows", path);
  if (total > UINT32_MAX) return Status::InvalidArgument("span part {}: too many rows", path);
  footer.meta.rows = total;
  SortRows(footer.resources, &rows);

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
