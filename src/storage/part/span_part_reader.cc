#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

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

// A read-only memory mapping of a whole file. Immutable after construction; thread-safe.
class MappedFile {
 public:
  MappedFile(const void* data, size_t size) : data_(static_cast<const char*>(data)), size_(size) {}
  ~MappedFile() { ::munmap(const_cast<char*>(data_), size_); }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  std::string_view view() const { return {data_, size_}; }

 private:
  const char* data_;
  size_t size_;
};

// SpanPart over an mmapped file. Immutable after Open; Scan allocates per call, so concurrent
// scans are safe.
class MappedSpanPart final : public SpanPart {
 public:
  MappedSpanPart(std::string path, std::unique_ptr<MappedFile> file, part::PartFooter footer)
      : path_(std::move(path)), file_(std::move(file)), footer_(std::move(footer)) {
    bloom_ = part::BloomFilterView(Slice(footer_.bloom));
  }

  const SpanPartMeta& meta() const override { return footer_.meta; }
  const std::vector<OperationKey>& operations() const override { return footer_.operations; }
  const std::string& path() const override { return path_; }
  uint64_t file_bytes() const override { return file_->view().size(); }

  bool MayContainTrace(const TraceId& id) const override { return bloom_.MayContain(id); }

  Status Scan(const SpanQuery& query, const SpanScanOptions& options,
              const SpanVisitor& visit) const override;
  Result<std::vector<std::shared_ptr<const SpanBatch>>> ReadAllBlocks() const override;

  // Checks the CRC of every bloom filter (they are read in place, without per-read checks).
  Status VerifyBlooms() const {
    RETURN_IF_ERROR(CheckBloom(footer_.bloom));
    for (const BlockInfo& b : footer_.blocks) RETURN_IF_ERROR(CheckBloom(b.bloom));
    return Status::Ok();
  }

 private:
  std::string_view Slice(const ChunkInfo& c) const {
    return file_->view().substr(c.offset, c.stored_len);
  }
  Status CheckBloom(const ChunkInfo& c) const {
    if (c.codec != part::ChunkCodec::kRaw || Crc32c(Slice(c)) != c.crc ||
        !part::BloomFilterView::Valid(Slice(c))) {
      return Status::Corruption("span part {}: bad bloom filter", path_);
    }
    return Status::Ok();
  }
  Status ReadChunk(const ChunkInfo& c, std::string* out) const {
    std::string_view stored = Slice(c);
    if (Crc32c(stored) != c.crc) {
      return Status::Corruption("span part {}: chunk at {} fails its checksum", path_, c.offset);
    }
    return part::DecompressChunk(stored, c.codec, c.raw_len, out);
  }
  bool MayMatchBlock(const SpanQuery& q, const BlockInfo& b) const;
  // Reads the chunks `sel` needs and decodes the selected rows of block `b` into *out.
  Status DecodeBlock(const BlockInfo& b, const part::BlockSelection& sel,
                     std::vector<std::string>* chunks, SpanBatch* out) const;

  std::string path_;
  std::unique_ptr<MappedFile> file_;
  part::PartFooter footer_;
  part::BloomFilterView bloom_;
};

bool MappedSpanPart::MayMatchBlock(const SpanQuery& q, const BlockInfo& b) const {
  if (!q.MayMatchTime(b.min_start_ns, b.max_start_ns)) return false;
  if (q.trace_id) {
    if (*q.trace_id < b.min_trace_id || b.max_trace_id < *q.trace_id) return false;
    if (!part::BloomFilterView(Slice(b.bloom)).MayContain(*q.trace_id)) return false;
  }
  if (!q.service.empty() || !q.env.empty()) {
    bool any = false;
    for (uint32_t r : b.resources) {
      const UnifiedTags& tags = footer_.resources[r].tags;
      any |= q.MayMatchService(tags.service) && (q.env.empty() || q.env == tags.env);
    }
    if (!any) return false;
  }
  return true;
}

Status MappedSpanPart::DecodeBlock(const BlockInfo& b, const part::BlockSelection& sel,
                                   std::vector<std::string>* chunks, SpanBatch* out) const {
  chunks->resize(b.chunks.size());
  for (size_t c = 0; c < b.chunks.size(); ++c) {
    if (part::SelectionNeedsColumn(sel, c)) {
      RETURN_IF_ERROR(ReadChunk(b.chunks[c], &(*chunks)[c]));
    } else {
      (*chunks)[c].clear();
    }
  }
  *out = SpanBatch();
  out->tenant = footer_.meta.tenant;
  Status st = part::DecodeSpanBlock(b, footer_.resources, footer_.scopes, *chunks, out, sel);
  if (!st.ok()) return Status::Corruption("span part {}: {}", path_, st.message());
  return Status::Ok();
}

Status MappedSpanPart::Scan(const SpanQuery& query, const SpanScanOptions& options,
                            const SpanVisitor& visit) const {
  const SpanPartMeta& m = footer_.meta;
  if (query.tenant != m.tenant || !query.MayMatchTime(m.min_start_ns, m.max_start_ns)) {
    return Status::Ok();
  }
  if (query.trace_id && !MayContainTrace(*query.trace_id)) return Status::Ok();
  std::vector<uint32_t> order;
  order.reserve(footer_.blocks.size());
  for (uint32_t i = 0; i < footer_.blocks.size(); ++i) {
    if (MayMatchBlock(query, footer_.blocks[i])) order.push_back(i);
  }
  if (options.newest_first) {
    std::stable_sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
      return footer_.blocks[x].max_start_ns > footer_.blocks[y].max_start_ns;
    });
  }
  std::vector<std::string> chunks;
  SpanBatch batch;
  part::BlockSelection sel;
  sel.summary_only = options.summary_only;
  sel.attributes = !query.attributes.empty();
  for (uint32_t bi : order) {
    const BlockInfo& b = footer_.blocks[bi];
    if (options.before_block && !options.before_block(b.max_start_ns)) return Status::Ok();
    sel.begin = 0;
    sel.end = b.rows;
    if (query.trace_id) {
      if (b.chunks.size() <= part::kColTraceIds) {
        return Status::Corruption("span part {}: block without trace ids", path_);
      }
      std::string ids;
      RETURN_IF_ERROR(ReadChunk(b.chunks[part::kColTraceIds], &ids));
      Status st = part::FindTraceRows(ids, b.rows, *query.trace_id, &sel.begin, &sel.end);
      if (!st.ok()) return Status::Corruption("span part {}: {}", path_, st.message());
      if (sel.begin == sel.end) continue;
    }
    RETURN_IF_ERROR(DecodeBlock(b, sel, &chunks, &batch));
    for (size_t row = 0; row < batch.size(); ++row) {
      if (query.Matches(batch, row) && !visit(batch, row)) return Status::Ok();
    }
  }
  return Status::Ok();
}

Result<std::vector<std::shared_ptr<const SpanBatch>>> MappedSpanPart::ReadAllBlocks() const {
  std::vector<std::shared_ptr<const SpanBatch>> out;
  out.reserve(footer_.blocks.size());
  std::vector<std::string> chunks;
  for (const BlockInfo& b : footer_.blocks) {
    auto batch = std::make_shared<SpanBatch>();
    RETURN_IF_ERROR(DecodeBlock(b, part::BlockSelection(), &chunks, batch.get()));
    out.push_back(std::move(batch));
  }
  return out;
}

}  // namespace

Result<std::shared_ptr<SpanPart>> SpanPart::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("span part {} does not exist", path);
    return Status::IOError("open {}: {}", path, std::strerror(errno));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    Status s = Status::IOError("stat {}: {}", path, std::strerror(errno));
    ::close(fd);
    return s;
  }
  const auto size = static_cast<size_t>(st.st_size);
  if (size < part::kHeaderSize + part::kTrailerSize) {
    ::close(fd);
    return Status::Corruption("span part {}: too short ({} bytes)", path, size);
  }
  void* addr = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (addr == MAP_FAILED) return Status::IOError("mmap {}: {}", path, std::strerror(errno));
  auto file = std::make_unique<MappedFile>(addr, size);
  std::string_view data = file->view();

  std::string_view magic(part::kPartMagic, sizeof(part::kPartMagic));
  std::string_view trailer = data.substr(size - part::kTrailerSize);
  if (data.substr(0, 8) != magic || trailer.substr(12) != magic) {
    return Status::Corruption("span part {}: bad magic", path);
  }
  const uint32_t version = DecodeFixed32(data.data() + 8);
  if (version != part::kFormatVersion || DecodeFixed32(trailer.data() + 8) != version) {
    return Status::Corruption("span part {}: unsupported format version {}", path, version);
  }
  const uint32_t footer_len = DecodeFixed32(trailer.data());
  const uint32_t footer_crc = DecodeFixed32(trailer.data() + 4);
  if (footer_len > size - part::kHeaderSize - part::kTrailerSize) {
    return Status::Corruption("span part {}: bad footer length {}", path, footer_len);
  }
  const size_t footer_start = size - part::kTrailerSize - footer_len;
  std::string_view footer_bytes = data.substr(footer_start, footer_len);
  if (Crc32c(footer_bytes) != footer_crc) {
    return Status::Corruption("span part {}: footer fails its checksum", path);
  }
  part::PartFooter footer;
  Status s = part::DecodeFooter(footer_bytes, footer_start, &footer);
  if (!s.ok()) return Status::Corruption("span part {}: {}", path, s.message());
  auto result = std::make_shared<MappedSpanPart>(path, std::move(file), std::move(footer));
  RETURN_IF_ERROR(result->VerifyBlooms());
  return std::shared_ptr<SpanPart>(std::move(result));
}

}  // namespace periscope
