#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
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

// The texts `wanted` (ascending text indexes of `table`, initialised without variables) built
// from the raw variable streams: only their variables are kept, the other columns are skipped
// over (the layout TemplateTable::LoadVariables reads), so that a few rows of a block cost one
// pass over the streams instead of every variable of the block. out[i] is text wanted[i].
Status SelectedTexts(const logs::TemplateTable& table, std::string_view ints,
                     std::string_view strings, const std::vector<uint32_t>& wanted,
                     std::vector<std::string>* out) {
  struct Want {
    uint32_t id, rank, slot;  // template, rank of the text in it, index into wanted
  };
  std::vector<uint32_t> rows_of(table.template_count(), 0);
  std::vector<Want> wants;
  wants.reserve(wanted.size());
  size_t w = 0;
  for (size_t i = 0; i < table.size() && w < wanted.size(); ++i) {
    const uint32_t id = table.code(i);
    if (wanted[w] == i) wants.push_back({id, rows_of[id], static_cast<uint32_t>(w++)});
    ++rows_of[id];
  }
  if (w != wanted.size()) return Status::InvalidArgument("text selection is out of range");
  for (size_t i = 0; i < table.size(); ++i) {
    if (i > wanted.back()) ++rows_of[table.code(i)];
  }
  std::sort(wants.begin(), wants.end(), [](const Want& a, const Want& b) {
    return a.id != b.id ? a.id < b.id : a.rank < b.rank;
  });
  // vars[slot]: the variables of text wanted[slot], in template order (ints as text).
  std::vector<std::vector<std::string>> vars(wanted.size());
  std::vector<std::string_view> values;
  part::Decoder int_in(ints), str_in(strings);
  size_t next = 0;  // first want of the current template
  for (size_t id = 0; id < table.template_count(); ++id) {
    const std::string_view text = table.template_text(id);
    if (!text.empty() && text[0] == logs::kTemplateLiteral) continue;
    size_t end = next;
    while (end < wants.size() && wants[end].id == id) ++end;
    for (char c : text) {
      if (c == logs::kTemplateIntVar) {
        uint64_t prev = 0;
        size_t p = next;
        for (uint32_t k = 0; k < rows_of[id]; ++k) {
          prev += static_cast<uint64_t>(int_in.Signed());
          for (; p < end && wants[p].rank == k; ++p) {
            char buf[24];
            auto r = std::to_chars(buf, buf + sizeof(buf), prev);
            vars[wants[p].slot].emplace_back(buf, r.ptr);
          }
        }
        if (!int_in.ok()) return Status::Corruption("template integer column is malformed");
      } else if (c == logs::kTemplateStrVar) {
        RETURN_IF_ERROR(part::DecodeStringColumn(&str_in, rows_of[id], &values));
        for (size_t p = next; p < end; ++p) vars[wants[p].slot].emplace_back(values[wants[p].rank]);
      }
    }
    next = end;
  }
  out->assign(wanted.size(), std::string());
  for (size_t i = 0; i < wanted.size(); ++i) {
    const std::string_view text = table.template_text(table.code(wanted[i]));
    std::string& o = (*out)[i];
    if (!text.empty() && text[0] == logs::kTemplateLiteral) {
      o.assign(text.substr(1));
      continue;
    }
    size_t v = 0, lit = 0;
    for (size_t p = 0; p < text.size(); ++p) {
      if (text[p] != logs::kTemplateIntVar && text[p] != logs::kTemplateStrVar) continue;
      o.append(text.substr(lit, p - lit));
      lit = p + 1;
      if (v >= vars[i].size()) return Status::Corruption("template variables are missing");
      o.append(vars[i][v++]);
    }
    o.append(text.substr(lit));
  }
  return Status::Ok();
}

// LogPart over an mmapped file. Immutable after Open; reads allocate per call.
class MappedLogPart final : public LogPart {
 public:
  MappedLogPart(std::string path, std::unique_ptr<Mapping> file, uint32_t version,
                logs::LogPartFooter footer)
      : path_(std::move(path)),
        file_(std::move(file)),
        version_(version),
        footer_(std::move(footer)) {
    for (const auto& b : footer_.blocks) infos_.push_back(b.info);
  }

  const LogPartMeta& meta() const override { return footer_.meta; }
  const std::string& path() const override { return path_; }
  uint64_t file_bytes() const override { return file_->view().size(); }
  const std::vector<LogBlockInfo>& blocks() const override { return infos_; }
  uint32_t format_version() const override { return version_; }
  const std::vector<Resource>& resources() const override { return footer_.resources; }

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
  Status ReadBlockRows(size_t block, const std::vector<uint32_t>& rows,
                       LogBatch* out) const override;

  Status ReadColumn(size_t block, uint32_t column, std::string* out) const override {
    if (block >= footer_.blocks.size() || column >= logs::kLogColumnCount) {
      return Status::InvalidArgument("no block {} column {}", block, column);
    }
    return Chunk(footer_.blocks[block].chunks[column], out);
  }

 private:
  // Decodes the rows in *select (every row when null).
  Status ReadRows(size_t block, const std::vector<uint32_t>* select, LogBatch* out) const;

  Status Chunk(const LogChunkInfo& c, std::string* out) const {
    std::string_view stored = file_->view().substr(c.offset, c.stored_len);
    if (Crc32c(stored) != c.crc) return Status::Corruption("{}: chunk checksum mismatch", path_);
    return part::DecompressChunk(stored, c.codec, c.raw_len, out);
  }

  std::string path_;
  std::unique_ptr<Mapping> file_;
  uint32_t version_;
  logs::LogPartFooter footer_;
  std::vector<LogBlockInfo> infos_;
};

Status MappedLogPart::ReadBlock(size_t block, LogBatch* out) const {
  return ReadRows(block, nullptr, out);
}

Status MappedLogPart::ReadBlockRows(size_t block, const std::vector<uint32_t>& rows,
                                    LogBatch* out) const {
  return ReadRows(block, &rows, out);
}

Status MappedLogPart::ReadRows(size_t block, const std::vector<uint32_t>* select,
                               LogBatch* out) const {
  if (block >= footer_.blocks.size()) return Status::InvalidArgument("no block {}", block);
  const logs::LogBlockEntry& e = footer_.blocks[block];
  const size_t n = e.info.rows;
  auto corrupt = [&](std::string_view what) {
    return Status::Corruption("{}: block {} {} column is malformed", path_, block, what);
  };
  // keep[r]: row r goes to *out, as row slot[r].
  std::vector<uint8_t> keep(n, select ? 0 : 1);
  if (select) {
    uint32_t prev = 0;
    for (size_t i = 0; i < select->size(); ++i) {
      const uint32_t r = (*select)[i];
      if (r >= n || (i > 0 && r <= prev)) {
        return Status::InvalidArgument("row selection is not ascending inside the block");
      }
      keep[r] = 1;
      prev = r;
    }
  }
  const size_t m = select ? select->size() : n;
  std::vector<std::string> raw(logs::kLogColumnCount);
  for (size_t i = 0; i < raw.size(); ++i) RETURN_IF_ERROR(Chunk(e.chunks[i], &raw[i]));
  *out = LogBatch();
  LogBatch& b = *out;
  b.tenant = footer_.meta.tenant;
  b.resources = footer_.resources;
  b.scopes = footer_.scopes;

  part::Decoder times(raw[logs::kLogColTimes]), observed(raw[logs::kLogColObserved]),
      sev(raw[logs::kLogColSeverityNumbers]), flags(raw[logs::kLogColFlags]),
      dropped(raw[logs::kLogColDropped]), res(raw[logs::kLogColResources]),
      scopes(raw[logs::kLogColScopes]), traces(raw[logs::kLogColTraceIds]),
      spans(raw[logs::kLogColSpanIds]);
  b.time_ns.resize(m);
  b.observed_time_ns.resize(m);
  b.severity_number.resize(m);
  b.trace_id.resize(m);
  b.span_id.resize(m);
  b.flags.resize(m);
  b.dropped_attributes_count.resize(m);
  b.resource_index.resize(m);
  b.scope_index.resize(m);
  int64_t t = 0;
  size_t k = 0;  // next output row
  for (size_t r = 0; r < n; ++r) {
    t = static_cast<int64_t>(static_cast<uint64_t>(t) + static_cast<uint64_t>(times.Signed()));
    const uint64_t o = observed.Varint();
    const auto severity = static_cast<int32_t>(sev.Signed());
    std::string_view trace, span;
    if (traces.Byte() == 1) trace = traces.Bytes(TraceId::kSize);
    if (spans.Byte() == 1) span = spans.Bytes(SpanId::kSize);
    const uint32_t f = flags.Varint32(), d = dropped.Varint32(), ri = res.Varint32(),
                   si = scopes.Varint32();
    if (ri >= b.resources.size() || si >= b.scopes.size()) return corrupt("resource/scope");
    if (!keep[r]) continue;
    b.time_ns[k] = t;
    b.observed_time_ns[k] = o == 0
                                ? 0
                                : static_cast<int64_t>(static_cast<uint64_t>(t) +
                                                       static_cast<uint64_t>(ZigZagDecode(o - 1)));
    b.severity_number[k] = severity;
    if (!trace.empty()) {
      if (auto id = TraceId::FromBytes(trace)) b.trace_id[k] = *id;
    }
    if (!span.empty()) {
      if (auto id = SpanId::FromBytes(span)) b.span_id[k] = *id;
    }
    b.flags[k] = f;
    b.dropped_attributes_count[k] = d;
    b.resource_index[k] = ri;
    b.scope_index[k] = si;
    ++k;
  }
  if (!times.ok() || !observed.ok() || !sev.ok() || !traces.ok() || !spans.ok() || !flags.ok() ||
      !dropped.ok() || !res.ok() || !scopes.ok()) {
    return corrupt("fixed");
  }

  auto pick_strings = [&](uint32_t column, std::vector<std::string>* to) -> Status {
    std::vector<std::string_view> views;
    part::Decoder in(raw[column]);
    RETURN_IF_ERROR(part::DecodeStringColumn(&in, n, &views));
    to->reserve(m);
    for (size_t r = 0; r < n; ++r) {
      if (keep[r]) to->emplace_back(views[r]);
    }
    return Status::Ok();
  };
  RETURN_IF_ERROR(pick_strings(logs::kLogColSeverityTexts, &b.severity_text));
  RETURN_IF_ERROR(pick_strings(logs::kLogColEventNames, &b.event_name));
  if (select) {
    const size_t first = select->empty() ? 0 : select->front();
    const size_t end = select->empty() ? 0 : select->back() + 1;
    std::vector<Attributes> range;
    RETURN_IF_ERROR(
        part::DecodeAttributesPackedRange(raw[logs::kLogColAttributes], n, first, end, &range));
    b.attributes.reserve(m);
    for (uint32_t r : *select) b.attributes.push_back(std::move(range[r - first]));
  } else {
    RETURN_IF_ERROR(part::DecodeAttributesPacked(raw[logs::kLogColAttributes], n, &b.attributes));
  }

  const std::string& types = raw[logs::kLogColBodyTypes];
  if (types.size() != n) return corrupt("body type");
  size_t text_count = 0;
  for (char c : types) text_count += IsText(static_cast<ValueType>(c)) ? 1 : 0;
  logs::TemplateTable texts;
  RETURN_IF_ERROR(texts.Init(raw[logs::kLogColBodyTemplates], text_count));
  // A selection builds only its own texts; a whole block loads every variable once.
  std::vector<uint32_t> wanted_texts;
  std::vector<std::string> selected_texts;
  if (select) {
    size_t next = 0;
    for (size_t r = 0; r < n; ++r) {
      if (!IsText(static_cast<ValueType>(types[r]))) continue;
      if (keep[r]) wanted_texts.push_back(static_cast<uint32_t>(next));
      ++next;
    }
    if (!wanted_texts.empty()) {
      RETURN_IF_ERROR(SelectedTexts(texts, raw[logs::kLogColBodyInts],
                                    raw[logs::kLogColBodyStrings], wanted_texts, &selected_texts));
    }
  } else {
    RETURN_IF_ERROR(texts.LoadVariables(raw[logs::kLogColBodyInts], raw[logs::kLogColBodyStrings]));
  }
  part::Decoder other_in(raw[logs::kLogColBodyOther]);
  part::ValueColumnReader other;
  RETURN_IF_ERROR(other.Init(&other_in));
  b.body.resize(m);
  size_t next_text = 0, next_selected = 0;
  k = 0;
  AnyValue skipped;
  for (size_t r = 0; r < n; ++r) {
    const auto type = static_cast<ValueType>(types[r]);
    if (IsText(type)) {
      if (keep[r]) {
        b.body[k].type = type;
        if (select) {
          b.body[k].str = std::move(selected_texts[next_selected++]);
        } else {
          texts.AppendText(next_text, &b.body[k].str);
        }
      }
      ++next_text;
    } else {
      RETURN_IF_ERROR(other.Next(keep[r] ? &b.body[k] : &skipped));
    }
    if (keep[r]) ++k;
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
  if (version < logs::kLogOldestFormatVersion || version > logs::kLogFormatVersion) {
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
      std::make_shared<MappedLogPart>(path, std::move(file), version, std::move(footer)));
}

}  // namespace periscope
