#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/coding.h"
#include "base/crc32c.h"
#include "storage/logs/log_part.h"
#include "storage/logs/log_part_format.h"
#include "storage/logs/template_codec.h"
#include "storage/logs/token_bloom.h"
#include "storage/part/encoding/attributes_column.h"
#include "storage/part/encoding/decoder.h"
#include "storage/part/encoding/string_column.h"
#include "storage/part/encoding/value_column.h"

namespace periscope {

namespace {

using logs::LogChunkInfo;

// A read-only memory mapping of a whole file. Immutable after construction; thread-safe.
class Mapping {
 public:
  Mapping(const void* data, size_t size) : data_(static_cast<const char*>(data)), size_(size) {}
  ~Mapping() {
    if (size_ > 0) ::munmap(const_cast<char*>(data_), size_);
  }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  std::string_view view() const { return {data_, size_}; }

 private:
  const char* data_;
  size_t size_;
};

bool IsText(ValueType t) {
  return t == ValueType::kString || t == ValueType::kArray || t == ValueType::kKvList ||
         t == ValueType::kBytes;
}

// LogPart over an mmapped file. Immutable after Open; reads allocate per call.
class MappedLogPart final : public LogPart {
 public:
  MappedLogPart(std::string path, std::unique_ptr<Mapping> file, logs::LogPartFooter footer)
      : path_(std::move(path)), file_(std::move(file)), footer_(std::move(footer)) {
    for (const auto& b : footer_.blocks) infos_.push_back(b.info);
  }

  const LogPartMeta& meta() const override { return footer_.meta; }
  const std::string& path() const override { return path_; }
  uint64_t file_bytes() const override { return file_->view().size(); }
  const std::vector<LogBlockInfo>& blocks() const override { return infos_; }

  bool BlockMayContainAll(size_t block, const std::vector<uint64_t>& hashes) const override {
    if (block >= footer_.blocks.size()) return false;
    const LogChunkInfo& c = footer_.blocks[block].bloom;
    logs::TokenBloomView bloom(file_->view().substr(c.offset, c.stored_len));
    for (uint64_t h : hashes) {
      if (!bloom.MayContain(h)) return false;
    }
    return true;
  }

  Status ReadBlock(size_t block, LogBatch* out) const override;

 private:
  Status Chunk(const LogChunkInfo& c, std::string* out) const {
    std::string_view stored = file_->view().substr(c.offset, c.stored_len);
    if (Crc32c(stored) != c.crc) return Status::Corruption("{}: chunk checksum mismatch", path_);
    return part::DecompressChunk(stored, c.codec, c.raw_len, out);
  }

  std::string path_;
  std::unique_ptr<Mapping> file_;
  logs::LogPartFooter footer_;
  std::vector<LogBlockInfo> infos_;
};

Status MappedLogPart::ReadBlock(size_t block, LogBatch* out) const {
  if (block >= footer_.blocks.size()) return Status::InvalidArgument("no block {}", block);
  const logs::LogBlockEntry& e = footer_.blocks[block];
  const size_t n = e.info.rows;
  std::vector<std::string> raw(logs::kLogColumnCount);
  for (size_t i = 0; i < raw.size(); ++i) RETURN_IF_ERROR(Chunk(e.chunks[i], &raw[i]));
  *out = LogBatch();
  LogBatch& b = *out;
  b.tenant = footer_.meta.tenant;
  b.resources = footer_.resources;
  b.scopes = footer_.scopes;
  auto corrupt = [&](std::string_view what) {
    return Status::Corruption("{}: block {} {} column is malformed", path_, block, what);
  };

  part::Decoder times(raw[logs::kLogColTimes]), observed(raw[logs::kLogColObserved]),
      sev(raw[logs::kLogColSeverityNumbers]), flags(raw[logs::kLogColFlags]),
      dropped(raw[logs::kLogColDropped]), res(raw[logs::kLogColResources]),
      scopes(raw[logs::kLogColScopes]), traces(raw[logs::kLogColTraceIds]),
      spans(raw[logs::kLogColSpanIds]);
  b.time_ns.resize(n);
  b.observed_time_ns.resize(n);
  b.severity_number.resize(n);
  b.trace_id.resize(n);
  b.span_id.resize(n);
  b.flags.resize(n);
  b.dropped_attributes_count.resize(n);
  b.resource_index.resize(n);
  b.scope_index.resize(n);
  int64_t t = 0;
  for (size_t r = 0; r < n; ++r) {
    t = static_cast<int64_t>(static_cast<uint64_t>(t) + static_cast<uint64_t>(times.Signed()));
    b.time_ns[r] = t;
    const uint64_t o = observed.Varint();
    b.observed_time_ns[r] = o == 0
                                ? 0
                                : static_cast<int64_t>(static_cast<uint64_t>(t) +
                                                       static_cast<uint64_t>(ZigZagDecode(o - 1)));
    b.severity_number[r] = static_cast<int32_t>(sev.Signed());
    if (traces.Byte() == 1) {
      auto id = TraceId::FromBytes(traces.Bytes(TraceId::kSize));
      if (id) b.trace_id[r] = *id;
    }
    if (spans.Byte() == 1) {
      auto id = SpanId::FromBytes(spans.Bytes(SpanId::kSize));
      if (id) b.span_id[r] = *id;
    }
    b.flags[r] = flags.Varint32();
    b.dropped_attributes_count[r] = dropped.Varint32();
    b.resource_index[r] = res.Varint32();
    b.scope_index[r] = scopes.Varint32();
  }
  if (!times.ok() || !observed.ok() || !sev.ok() || !traces.ok() || !spans.ok() || !flags.ok() ||
      !dropped.ok() || !res.ok() || !scopes.ok()) {
    return corrupt("fixed");
  }

  std::vector<std::string_view> views;
  part::Decoder st(raw[logs::kLogColSeverityTexts]);
  RETURN_IF_ERROR(part::DecodeStringColumn(&st, n, &views));
  b.severity_text.assign(views.begin(), views.end());
  part::Decoder en(raw[logs::kLogColEventNames]);
  RETURN_IF_ERROR(part::DecodeStringColumn(&en, n, &views));
  b.event_name.assign(views.begin(), views.end());
  RETURN_IF_ERROR(part::DecodeAttributesPacked(raw[logs::kLogColAttributes], n, &b.attributes));

  const std::string& types = raw[logs::kLogColBodyTypes];
  if (types.size() != n) return corrupt("body type");
  size_t text_count = 0;
  for (char c : types) text_count += IsText(static_cast<ValueType>(c)) ? 1 : 0;
  std::vector<std::string> texts;
  RETURN_IF_ERROR(logs::DecodeTemplates(raw[logs::kLogColBodyTemplates], raw[logs::kLogColBodyInts],
                                        raw[logs::kLogColBodyStrings], text_count, &texts));
  part::Decoder other_in(raw[logs::kLogColBodyOther]);
  part::ValueColumnReader other;
  RETURN_IF_ERROR(other.Init(&other_in));
  b.body.resize(n);
  size_t next_text = 0;
  for (size_t r = 0; r < n; ++r) {
    const auto type = static_cast<ValueType>(types[r]);
    if (IsText(type)) {
      b.body[r].type = type;
      b.body[r].str = std::move(texts[next_text++]);
    } else {
      RETURN_IF_ERROR(other.Next(&b.body[r]));
    }
  }
  for (size_t r = 0; r < n; ++r) {
    if (b.resource_index[r] >= b.resources.size() || b.scope_index[r] >= b.scopes.size()) {
      return corrupt("resource/scope");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::shared_ptr<LogPart>> LogPart::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("open {}: {}", path, std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return Status::IOError("stat {}: {}", path, std::strerror(errno));
  }
  const auto size = static_cast<size_t>(st.st_size);
  if (size < logs::kLogHeaderSize + logs::kLogTrailerSize) {
    ::close(fd);
    return Status::Corruption("{}: {} bytes is too small for a log part", path, size);
  }
  void* addr = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (addr == MAP_FAILED) return Status::IOError("mmap {}: {}", path, std::strerror(errno));
  auto file = std::make_unique<Mapping>(addr, size);
  std::string_view data = file->view();
  if (data.substr(0, 8) != std::string_view(logs::kLogPartMagic, 8) ||
      data.substr(size - 8) != std::string_view(logs::kLogPartMagic, 8)) {
    return Status::Corruption("{}: bad magic", path);
  }
  const uint32_t version = DecodeFixed32(data.data() + 8);
  if (version != logs::kLogFormatVersion) {
    return Status::Unsupported("{}: log part format version {}", path, version);
  }
  const uint32_t footer_len = DecodeFixed32(data.data() + size - 16);
  const uint32_t footer_crc = DecodeFixed32(data.data() + size - 12);
  if (footer_len > size - logs::kLogHeaderSize - logs::kLogTrailerSize) {
    return Status::Corruption("{}: footer length {} out of range", path, footer_len);
  }
  const size_t footer_start = size - logs::kLogTrailerSize - footer_len;
  std::string_view footer_bytes = data.substr(footer_start, footer_len);
  if (Crc32c(footer_bytes) != footer_crc) return Status::Corruption("{}: footer checksum", path);
  logs::LogPartFooter footer;
  Status s = logs::DecodeLogFooter(footer_bytes, footer_start, &footer);
  if (!s.ok()) return Status::Corruption("{}: {}", path, s.message());
  return std::shared_ptr<LogPart>(
      std::make_shared<MappedLogPart>(path, std::move(file), std::move(footer)));
}

}  // namespace periscope
