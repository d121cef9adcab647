#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <numeric>
#include <set>

#include "base/coding.h"
#include "base/crc32c.h"
#include "storage/logs/log_part.h"
#include "storage/logs/log_part_format.h"
#include "storage/logs/log_tokens.h"
#include "storage/logs/template_codec.h"
#include "storage/logs/token_bloom.h"
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

// Accumulates the file image in memory.
class FileImage {
 public:
  FileImage(int level, uint32_t version) : level_(level) {
    data_.append(logs::kLogPartMagic, sizeof(logs::kLogPartMagic));
    PutFixed32(&data_, version);
  }
  LogChunkInfo AddChunk(std::string_view raw, bool compress) {
    LogChunkInfo c;
    c.offset = data_.size();
    c.raw_len = static_cast<uint32_t>(raw.size());
    std::string stored;
    if (compress) {
      stored = part::CompressChunk(raw, level_, &c.codec);
    } else {
      stored.assign(raw);
      c.codec = part::ChunkCodec::kRaw;
    }
    c.stored_len = static_cast<uint32_t>(stored.size());
    c.crc = Crc32c(stored);
    data_ += stored;
    return c;
  }
  std::string& data() { return data_; }

 private:
  int level_;
  std::string data_;
};

// One row of one source batch, with its resource and scope indexes in the part's lists.
struct RowRef {
  const LogBatch* batch;
  uint32_t row;
  uint32_t resource;
  uint32_t scope;
};

void EncodeBlock(const std::vector<RowRef>& rows, const std::vector<Resource>& resources,
                 size_t begin, size_t end, const LogPartWriteOptions& options, FileImage& file,
                 logs::LogBlockEntry& entry) {
  std::vector<std::string> cols(logs::kLogColumnCount);
  std::vector<uint64_t> tokens;
  const bool numeric_tokens = options.format_version >= 2;
  auto add_tokens = [&](std::string_view text) {
    logs::ForEachToken(text, [&](std::string_view t) {
      if (numeric_tokens || logs::IsFormat1BloomToken(t)) tokens.push_back(logs::TokenHash(t));
    });
  };
  logs::TemplateWriter bodies(options.split_variables);
  part::ValueColumnWriter other_bodies;
  part::StringColumnWriter sev_texts, event_names;
  part::AttributesWriter attrs;
  std::vector<std::string> scalar_text;  // display text of non-string bodies, for the bloom
  int64_t prev_time = 0;
  int64_t min_time = INT64_MAX, max_time = INT64_MIN;
  for (size_t i = begin; i < end; ++i) {
    const LogBatch& b = *rows[i].batch;
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
      bodies.Add(body.str);
      if (body.type != ValueType::kBytes) add_tokens(body.str);
    } else {
      other_bodies.Add(body);
      if (body.type != ValueType::kEmpty) add_tokens(body.ToString());
    }
    const bool has_trace = !b.trace_id[r].IsZero();
    cols[logs::kLogColTraceIds].push_back(has_trace ? 1 : 0);
    if (has_trace) {
      cols[logs::kLogColTraceIds].append(b.trace_id[r].View());
      tokens.push_back(logs::TokenHash(b.trace_id[r].Hex()));  // trace_id: filters use blooms
    }
    const bool has_span = !b.span_id[r].IsZero();
    cols[logs::kLogColSpanIds].push_back(has_span ? 1 : 0);
    if (has_span) cols[logs::kLogColSpanIds].append(b.span_id[r].View());
    PutVarint64(&cols[logs::kLogColFlags], b.flags[r]);
    event_names.Add(b.event_name[r]);
    attrs.Add(&b.attributes[r]);
    for (const auto& kv : b.attributes[r]) {
      if (kv.value.type == ValueType::kString) add_tokens(kv.value.str);
    }
    PutVarint64(&cols[logs::kLogColDropped], b.dropped_attributes_count[r]);
    PutVarint64(&cols[logs::kLogColResources], rows[i].resource);
    PutVarint64(&cols[logs::kLogColScopes], rows[i].scope);
  }
  sev_texts.Finish(&cols[logs::kLogColSeverityTexts]);
  event_names.Finish(&cols[logs::kLogColEventNames]);
  auto streams = bodies.Finish();
  cols[logs::kLogColBodyTemplates] = std::move(streams.templates);
  cols[logs::kLogColBodyInts] = std::move(streams.ints);
  cols[logs::kLogColBodyStrings] = std::move(streams.strings);
  other_bodies.Finish(&cols[logs::kLogColBodyOther]);
  cols[logs::kLogColAttributes] = attrs.FinishPacked();

  entry.info.rows = static_cast<uint32_t>(end - begin);
  entry.info.min_time_ns = min_time;
  entry.info.max_time_ns = max_time;
  entry.info.service = resources[rows[begin].resource].tags.service;
  entry.bloom = file.AddChunk(logs::TokenBloomBuilder::Build(std::move(tokens)), false);
  for (const auto& c : cols) entry.chunks.push_back(file.AddChunk(c, true));
}

Status WriteFileDurably(const std::string& path, const std::string& data) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("open {}: {}", tmp, std::strerror(errno));
  size_t done = 0;
  Status st;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      st = Status::IOError("write {}: {}", tmp, std::strerror(errno));
      break;
    }
    done += static_cast<size_t>(n);
  }
  if (st.ok() && ::fsync(fd) != 0) st = Status::IOError("fsync {}: {}", tmp, std::strerror(errno));
  ::close(fd);
  if (st.ok() && std::rename(tmp.c_str(), path.c_str()) != 0) {
    st = Status::IOError("rename {}: {}", tmp, std::strerror(errno));
  }
  if (!st.ok()) {
    std::remove(tmp.c_str());
    return st;
  }
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
  std::vector<RowRef> rows;
  size_t total = 0;
  for (const LogBatch* b : sources) total += b->size();
  rows.reserve(total);
  for (const LogBatch* b : sources) {
    std::vector<uint32_t> rmap, smap;
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
    for (size_t r = 0; r < b->size(); ++r) {
      rows.push_back(
          {b, static_cast<uint32_t>(r), rmap[b->resource_index[r]], smap[b->scope_index[r]]});
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
  std::stable_sort(rows.begin(), rows.end(), [&](const RowRef& a, const RowRef& b) {
    const uint32_t sa = service_rank[a.resource], sb = service_rank[b.resource];
    if (sa != sb) return sa < sb;
    return a.batch->time_ns[a.row] < b.batch->time_ns[b.row];
  });

  footer.meta = meta;
  footer.meta.rows = rows.size();
  footer.meta.min_time_ns = rows.empty() ? 0 : INT64_MAX;
  footer.meta.max_time_ns = rows.empty() ? 0 : INT64_MIN;
  std::vector<uint8_t> service_used(services.size(), 0);
  for (const auto& r : rows) {
    const int64_t t = r.batch->time_ns[r.row];
    footer.meta.min_time_ns = std::min(footer.meta.min_time_ns, t);
    footer.meta.max_time_ns = std::max(footer.meta.max_time_ns, t);
    service_used[service_rank[r.resource]] = 1;
  }
  footer.meta.services.clear();
  size_t rank = 0;
  for (const auto& service : services) {
    if (service_used[rank++]) footer.meta.services.push_back(service);
  }

  FileImage file(options.zstd_level, options.format_version);
  size_t begin = 0;
  while (begin < rows.size()) {
    size_t end = begin;
    size_t body_bytes = 0;
    const uint32_t service = service_rank[rows[begin].resource];
    while (end < rows.size() && end - begin < logs::kMaxRowsPerLogBlock &&
           body_bytes < logs::kMaxLogBlockBodyBytes &&
           service_rank[rows[end].resource] == service) {
      body_bytes += rows[end].batch->body[rows[end].row].str.size();
      ++end;
    }
    EncodeBlock(rows, footer.resources, begin, end, options, file, footer.blocks.emplace_back());
    begin = end;
  }
  std::string footer_bytes;
  EncodeLogFooter(footer, &footer_bytes);
  std::string& data = file.data();
  data += footer_bytes;
  PutFixed32(&data, static_cast<uint32_t>(footer_bytes.size()));
  PutFixed32(&data, Crc32c(footer_bytes));
  data.append(logs::kLogPartMagic, sizeof(logs::kLogPartMagic));
  return WriteFileDurably(path, data);
}

}  // namespace periscope
