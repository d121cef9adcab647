#include <fcntl.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <numeric>
#include <set>
#include <string_view>

#include "base/coding.h"
#include "base/crc32c.h"
#include "storage/logs/log_part.h"
#include "storage/logs/log_part_format.h"
#include "storage/logs/log_tokens.h"
#include "storage/logs/template_codec.h"
#include "storage/logs/token_bloom.h"
#include "storage/logs/token_hash_set.h"
#include "storage/part/encoding/attributes_column.h"
#include "storage/part/encoding/string_column.h"
#include "storage/part/encoding/value_column.h"

namespace periscope {

namespace {

using logs::LogChunkInfo;

bool IsText(ValueType t) {
  return t == ValueType::kString || t == ValueType::kArray || t == ValueType::kKvList ||
         t == ValueType::kBytes;
}

// What a thread that writes parts keeps from one part to the next (the flush thread writes one
// every 30 s, a merge thread many): the zstd context, the file buffer and the blocks' columns,
// bloom tokens and templates, so that each part is encoded in warm memory instead of fresh pages
// (first touches cost more than the encoding itself on some VMs). Thread-local.
struct WriterScratch {
  WriterScratch() : cctx(ZSTD_createCCtx()) {}
  ~WriterScratch() { ZSTD_freeCCtx(cctx); }
  WriterScratch(const WriterScratch&) = delete;
  WriterScratch& operator=(const WriterScratch&) = delete;

  ZSTD_CCtx* cctx;
  std::unique_ptr<char[]> buf;
  size_t capacity = 0;
  std::vector<std::string> cols = std::vector<std::string>(logs::kLogColumnCount);
  logs::TokenHashSet tokens;
  logs::TemplateWriter bodies;
};

WriterScratch& ThreadScratch() {
  thread_local WriterScratch scratch;
  return scratch;
}

// Writes a part file through one reused buffer (the file is never whole in memory); chunks are
// compressed straight into the buffer with one reused zstd context (the same bytes as
// part::CompressChunk). The first I/O error sticks and is returned by Finish.
class PartFileWriter {
 public:
  // Borrows the scratch's zstd context and buffer.
  PartFileWriter(int level, WriterScratch& scratch)
      : level_(level), cctx_(scratch.cctx), buf_(scratch.buf), capacity_(scratch.capacity) {}
  ~PartFileWriter() {
    if (fd_ >= 0) ::close(fd_);
  }
  PartFileWriter(const PartFileWriter&) = delete;
  PartFileWriter& operator=(const PartFileWriter&) = delete;

  Status Open(const std::string& path) {
    path_ = path;
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) return Status::IOError("open {}: {}", path, std::strerror(errno));
    return Status::Ok();
  }

  void Append(std::string_view bytes) {
    std::memcpy(Reserve(bytes.size()), bytes.data(), bytes.size());
    used_ += bytes.size();
  }

  LogChunkInfo AddChunk(std::string_view raw, bool compress) {
    LogChunkInfo c;
    c.raw_len = static_cast<uint32_t>(raw.size());
    c.codec = part::ChunkCodec::kRaw;
    if (compress && raw.size() >= 64 && cctx_ != nullptr) {
      const size_t bound = ZSTD_compressBound(raw.size());
      char* out = Reserve(bound);
      const size_t n = ZSTD_compressCCtx(cctx_, out, bound, raw.data(), raw.size(), level_);
      if (!ZSTD_isError(n) && n < raw.size() - raw.size() / 16) {
        c.codec = part::ChunkCodec::kZstd;
        c.offset = written_ + used_;
        c.stored_len = static_cast<uint32_t>(n);
        c.crc = Crc32c(out, n);
        used_ += n;
        return c;
      }
    }
    char* out = Reserve(raw.size());
    c.offset = written_ + used_;
    std::memcpy(out, raw.data(), raw.size());
    c.stored_len = static_cast<uint32_t>(raw.size());
    c.crc = Crc32c(out, raw.size());
    used_ += raw.size();
    return c;
  }

  // Writes what is buffered, fsyncs and closes the file.
  Status Finish() {
    Flush();
    if (status_.ok() && ::fsync(fd_) != 0) {
      status_ = Status::IOError("fsync {}: {}", path_, std::strerror(errno));
    }
    ::close(fd_);
    fd_ = -1;
    return status_;
  }

 private:
  static constexpr size_t kBufferBytes = 1 << 20;

  // Room for n more bytes at buf_ + used_ (what is buffered may be written out first).
  char* Reserve(size_t n) {
    if (n > capacity_ - used_) {
      Flush();
      if (n > capacity_) {
        capacity_ = std::max(kBufferBytes, n);
        buf_.reset(new char[capacity_]);  // kept by the scratch for the next part
      }
    }
    return buf_.get() + used_;
  }

  void Flush() {
    size_t done = 0;
    while (status_.ok() && done < used_) {
      const ssize_t n = ::write(fd_, buf_.get() + done, used_ - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        status_ = Status::IOError("write {}: {}", path_, std::strerror(errno));
        break;
      }
      done += static_cast<size_t>(n);
    }
    written_ += used_;
    used_ = 0;
  }

  int level_;
  ZSTD_CCtx* cctx_;
  std::string path_;
  int fd_ = -1;
  Status status_;
  std::unique_ptr<char[]>& buf_;
  size_t& capacity_;
  size_t used_ = 0;       // bytes of buf_ not written yet
  uint64_t written_ = 0;  // file offset of buf_[0]
};

// One row of a part: its source batch and its row there.
struct RowRef {
  uint32_t batch;
  uint32_t row;
};

// The source batches of a part and, per batch, its resource and scope indexes in the part's
// lists.
struct Sources {
  const std::vector<const LogBatch*>& batches;
  std::vector<std::vector<uint32_t>> resource_map;
  std::vector<std::vector<uint32_t>> scope_map;

  const LogBatch& batch(const RowRef& ref) const { return *batches[ref.batch]; }
  uint32_t resource(const RowRef& ref) const {
    return resource_map[ref.batch][batches[ref.batch]->resource_index[ref.row]];
  }
  uint32_t scope(const RowRef& ref) const {
    return scope_map[ref.batch][batches[ref.batch]->scope_index[ref.row]];
  }
};

// Lower-case hex of an id, as trace-id filters look it up in the blooms.
template <size_t N>
std::string_view HexOf(const BinaryId<N>& id, char (&buf)[2 * N]) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (size_t i = 0; i < N; ++i) {
    buf[2 * i] = kDigits[id.bytes[i] >> 4];
    buf[2 * i + 1] = kDigits[id.bytes[i] & 0xf];
  }
  return std::string_view(buf, 2 * N);
}

void EncodeBlock(const std::vector<RowRef>& rows, const Sources& sources,
                 const std::vector<Resource>& resources, size_t begin, size_t end,
                 const LogPartWriteOptions& options, WriterScratch& scratch, PartFileWriter& file,
                 logs::LogBlockEntry& entry) {
  std::vector<std::string>& cols = scratch.cols;
  for (auto& c : cols) c.clear();
  logs::TokenHashSet& tokens = scratch.tokens;
  const bool numeric_tokens = options.format_version >= 2;
  logs::TemplateWriter& bodies = scratch.bodies;
  bodies.Clear();
  part::ValueColumnWriter other_bodies;
  part::StringColumnWriter sev_texts, event_names;
  part::AttributesWriter attrs;
  int64_t prev_time = 0;
  int64_t min_time = INT64_MAX, max_time = INT64_MIN;
  char trace_hex[32];
  for (size_t i = begin; i < end; ++i) {
    const LogBatch& b = sources.batch(rows[i]);
    const size_t r = rows[i].row;
    min_time = std::min(min_time, b.time_ns[r]);
    max_time = std::max(max_time, b.time_ns[r]);
    PutVarintSigned64(&cols[logs::kLogColTimes], b.time_ns[r] - prev_time);
    prev_time = b.time_ns[r];
    const auto observed_delta = static_cast<int64_t>(static_cast<uint64_t>(b.observed_time_ns[r]) -
                                                     static_cast<uint64_t>(b.time_ns[r]));
    PutVarint64(&cols[logs::kLogColObserved],
                b.observed_time_ns[r] == 0 ? 0 : ZigZagEncode(observed_delta) + 1);
    PutVarintSigned64(&cols[logs::kLogColSeverityNumbers], b.severity_number[r]);
    sev_texts.Add(b.severity_text[r]);
    const AnyValue& body = b.body[r];
    cols[logs::kLogColBodyTypes].push_back(static_cast<char>(body.type));
    if (IsText(body.type)) {
      bodies.Add(body.str, body.type != ValueType::kBytes ? &tokens : nullptr, numeric_tokens);
    } else {
      other_bodies.Add(body);
      if (body.type != ValueType::kEmpty) tokens.InsertTokens(body.ToString(), numeric_tokens);
    }
    const bool has_trace = !b.trace_id[r].IsZero();
    cols[logs::kLogColTraceIds].push_back(has_trace ? 1 : 0);
    if (has_trace) {
      cols[logs::kLogColTraceIds].append(b.trace_id[r].View());
      tokens.Insert(logs::TokenHash(HexOf(b.trace_id[r], trace_hex)));  // filters use blooms
    }
    const bool has_span = !b.span_id[r].IsZero();
    cols[logs::kLogColSpanIds].push_back(has_span ? 1 : 0);
    if (has_span) cols[logs::kLogColSpanIds].append(b.span_id[r].View());
    PutVarint64(&cols[logs::kLogColFlags], b.flags[r]);
    event_names.Add(b.event_name[r]);
    attrs.Add(&b.attributes[r]);
    for (const auto& kv : b.attributes[r]) {
      if (kv.value.type == ValueType::kString) tokens.InsertTokens(kv.value.str, numeric_tokens);
    }
    PutVarint64(&cols[logs::kLogColDropped], b.dropped_attributes_count[r]);
    PutVarint64(&cols[logs::kLogColResources], sources.resource(rows[i]));
    PutVarint64(&cols[logs::kLogColScopes], sources.scope(rows[i]));
  }
  sev_texts.Finish(&cols[logs::kLogColSeverityTexts]);
  event_names.Finish(&cols[logs::kLogColEventNames]);
  bodies.FinishInto(&cols[logs::kLogColBodyTemplates], &cols[logs::kLogColBodyInts],
                    &cols[logs::kLogColBodyStrings]);
  other_bodies.Finish(&cols[logs::kLogColBodyOther]);
  cols[logs::kLogColAttributes] = attrs.FinishPacked();

  entry.info.rows = static_cast<uint32_t>(end - begin);
  entry.info.min_time_ns = min_time;
  entry.info.max_time_ns = max_time;
  entry.info.service = resources[sources.resource(rows[begin])].tags.service;
  entry.bloom = file.AddChunk(logs::TokenBloomBuilder::Build(tokens.Take()), false);
  for (const auto& c : cols) entry.chunks.push_back(file.AddChunk(c, true));
}

Status SyncDirectoryOf(const std::string& path) {
  const std::string dir = std::filesystem::path(path).parent_path().string();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    const int rc = ::fsync(dfd);
    ::close(dfd);
    if (rc != 0) return Status::IOError("fsync dir {}: {}", dir, std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace

Status WriteLogPart(const std::string& path, LogBatch rows, const LogPartMeta& meta,
                    const LogPartWriteOptions& options) {
  return WriteLogPart(path, std::vector<const LogBatch*>{&rows}, meta, options);
}

Status WriteLogPart(const std::string& path, const std::vector<const LogBatch*>& sources,
                    const LogPartMeta& meta, const LogPartWriteOptions& options) {
  if (options.format_version < logs::kLogOldestFormatVersion ||
      options.format_version > logs::kLogFormatVersion) {
    return Status::InvalidArgument("cannot write log part format version {}",
                                   options.format_version);
  }
  logs::LogPartFooter footer;
  // The part's resources and scopes: each distinct one once, in order of first use.
  Sources src{sources, {}, {}};
  size_t total = 0;
  for (const LogBatch* b : sources) {
    total += b->size();
    auto& rmap = src.resource_map.emplace_back();
    auto& smap = src.scope_map.emplace_back();
    for (const auto& r : b->resources) {
      auto it = std::find(footer.resources.begin(), footer.resources.end(), r);
      rmap.push_back(static_cast<uint32_t>(it - footer.resources.begin()));
      if (it == footer.resources.end()) footer.resources.push_back(r);
    }
    for (const auto& sc : b->scopes) {
      auto it = std::find(footer.scopes.begin(), footer.scopes.end(), sc);
      smap.push_back(static_cast<uint32_t>(it - footer.scopes.begin()));
      if (it == footer.scopes.end()) footer.scopes.push_back(sc);
    }
  }
  // Rows sorted by (service, time), stably: compare service ranks, not strings.
  std::set<std::string> services;
  for (const auto& r : footer.resources) services.insert(r.tags.service);
  std::vector<uint32_t> service_rank(footer.resources.size());
  for (size_t i = 0; i < footer.resources.size(); ++i) {
    service_rank[i] = static_cast<uint32_t>(
        std::distance(services.begin(), services.find(footer.resources[i].tags.service)));
  }
  // Placed by service rank (a stable counting sort), then each service's rows by time unless
  // they already are in order (memtable batches of one service mostly arrive in time order):
  // the order of a stable sort by (service, time).
  std::vector<RowRef> rows(total);
  std::vector<size_t> group_begin(services.size() + 1, 0);
  footer.meta = meta;
  footer.meta.rows = total;
  footer.meta.min_time_ns = total == 0 ? 0 : INT64_MAX;
  footer.meta.max_time_ns = total == 0 ? 0 : INT64_MIN;
  for (uint32_t bi = 0; bi < sources.size(); ++bi) {
    const LogBatch& b = *sources[bi];
    for (size_t r = 0; r < b.size(); ++r) {
      ++group_begin[service_rank[src.resource_map[bi][b.resource_index[r]]] + 1];
      footer.meta.min_time_ns = std::min(footer.meta.min_time_ns, b.time_ns[r]);
      footer.meta.max_time_ns = std::max(footer.meta.max_time_ns, b.time_ns[r]);
    }
  }
  for (size_t g = 1; g < group_begin.size(); ++g) group_begin[g] += group_begin[g - 1];
  {
    std::vector<size_t> next(group_begin.begin(), group_begin.end() - 1);
    for (uint32_t bi = 0; bi < sources.size(); ++bi) {
      const LogBatch& b = *sources[bi];
      for (size_t r = 0; r < b.size(); ++r) {
        rows[next[service_rank[src.resource_map[bi][b.resource_index[r]]]]++] = {
            bi, static_cast<uint32_t>(r)};
      }
    }
  }
  auto by_time = [&](const RowRef& a, const RowRef& b) {
    return sources[a.batch]->time_ns[a.row] < sources[b.batch]->time_ns[b.row];
  };
  footer.meta.services.clear();
  size_t rank = 0;
  for (const auto& service : services) {
    const auto first = rows.begin() + static_cast<std::ptrdiff_t>(group_begin[rank]);
    const auto last = rows.begin() + static_cast<std::ptrdiff_t>(group_begin[rank + 1]);
    ++rank;
    if (first == last) continue;
    footer.meta.services.push_back(service);
    if (!std::is_sorted(first, last, by_time)) std::stable_sort(first, last, by_time);
  }

  const std::string tmp = path + ".tmp";
  WriterScratch& scratch = ThreadScratch();
  scratch.bodies.set_split_variables(options.split_variables);
  PartFileWriter file(options.zstd_level, scratch);
  RETURN_IF_ERROR(file.Open(tmp));
  {
    std::string header(logs::kLogPartMagic, sizeof(logs::kLogPartMagic));
    PutFixed32(&header, options.format_version);
    file.Append(header);
  }
  size_t begin = 0;
  while (begin < rows.size()) {
    size_t end = begin;
    size_t body_bytes = 0;
    const uint32_t service = service_rank[src.resource(rows[begin])];
    while (end < rows.size() && end - begin < logs::kMaxRowsPerLogBlock &&
           body_bytes < logs::kMaxLogBlockBodyBytes &&
           service_rank[src.resource(rows[end])] == service) {
      body_bytes += src.batch(rows[end]).body[rows[end].row].str.size();
      ++end;
    }
    EncodeBlock(rows, src, footer.resources, begin, end, options, scratch, file,
                footer.blocks.emplace_back());
    begin = end;
  }
  std::string footer_bytes;
  EncodeLogFooter(footer, &footer_bytes);
  const auto footer_len = static_cast<uint32_t>(footer_bytes.size());
  const uint32_t footer_crc = Crc32c(footer_bytes);
  PutFixed32(&footer_bytes, footer_len);
  PutFixed32(&footer_bytes, footer_crc);
  footer_bytes.append(logs::kLogPartMagic, sizeof(logs::kLogPartMagic));
  file.Append(footer_bytes);
  Status st = file.Finish();
  if (st.ok() && std::rename(tmp.c_str(), path.c_str()) != 0) {
    st = Status::IOError("rename {}: {}", tmp, std::strerror(errno));
  }
  if (!st.ok()) {
    std::remove(tmp.c_str());
    return st;
  }
  return SyncDirectoryOf(path);
}

}  // namespace periscope
