#include "storage/logs/log_part_format.h"

#include "base/coding.h"
#include "storage/part/encoding/attributes_column.h"
#include "storage/part/encoding/decoder.h"

namespace periscope::logs {

namespace {

void PutAttrs(std::string* out, const Attributes& attrs) {
  part::AttributesWriter w;
  w.Add(&attrs);
  PutLengthPrefixed(out, w.FinishPacked());
}

Status GetAttrs(part::Decoder& d, Attributes* attrs) {
  std::string_view packed = d.LengthPrefixed();
  if (!d.ok()) return Status::Corruption("log part footer truncated in attributes");
  std::vector<Attributes> lists;
  RETURN_IF_ERROR(part::DecodeAttributesPacked(packed, 1, &lists));
  *attrs = std::move(lists[0]);
  return Status::Ok();
}

void PutChunk(std::string* out, const LogChunkInfo& c) {
  PutVarint64(out, c.offset);
  PutVarint64(out, c.stored_len);
  PutVarint64(out, c.raw_len);
  out->push_back(static_cast<char>(c.codec));
  PutFixed32(out, c.crc);
}

LogChunkInfo GetChunk(part::Decoder& d) {
  LogChunkInfo c;
  c.offset = d.Varint();
  c.stored_len = d.Varint32();
  c.raw_len = d.Varint32();
  c.codec = static_cast<part::ChunkCodec>(d.Byte());
  c.crc = d.Fixed32();
  return c;
}

bool ChunkInRange(const LogChunkInfo& c, uint64_t data_end) {
  return c.offset >= kLogHeaderSize && c.offset <= data_end && c.stored_len <= data_end - c.offset;
}

}  // namespace

void EncodeLogFooter(const LogPartFooter& f, std::string* out) {
  const LogPartMeta& m = f.meta;
  PutVarint64(out, m.part_id);
  PutLengthPrefixed(out, m.tenant);
  PutVarint64(out, m.level);
  PutVarint64(out, m.rows);
  PutVarintSigned64(out, m.min_time_ns);
  PutVarintSigned64(out, m.max_time_ns);
  PutVarint64(out, m.max_wal_seq);
  PutVarint64(out, m.replaces.size());
  for (uint64_t r : m.replaces) PutVarint64(out, r);
  PutVarint64(out, m.services.size());
  for (const auto& s : m.services) PutLengthPrefixed(out, s);
  PutVarint64(out, f.resources.size());
  for (const auto& r : f.resources) {
    PutAttrs(out, r.attributes);
    PutVarint64(out, r.dropped_attributes_count);
    PutLengthPrefixed(out, r.schema_url);
  }
  PutVarint64(out, f.scopes.size());
  for (const auto& s : f.scopes) {
    PutLengthPrefixed(out, s.name);
    PutLengthPrefixed(out, s.version);
    PutAttrs(out, s.attributes);
    PutVarint64(out, s.dropped_attributes_count);
    PutLengthPrefixed(out, s.schema_url);
  }
  PutVarint64(out, f.blocks.size());
  for (const auto& b : f.blocks) {
    PutVarint64(out, b.info.rows);
    PutVarintSigned64(out, b.info.min_time_ns);
    PutVarintSigned64(out, b.info.max_time_ns);
    PutLengthPrefixed(out, b.info.service);
    PutChunk(out, b.bloom);
    PutVarint64(out, b.chunks.size());
    for (const auto& c : b.chunks) PutChunk(out, c);
  }
}

Status DecodeLogFooter(std::string_view data, uint64_t data_end, LogPartFooter* out) {
  part::Decoder d(data);
  LogPartMeta& m = out->meta;
  m.part_id = d.Varint();
  m.tenant = std::string(d.LengthPrefixed());
  m.level = d.Varint32();
  m.rows = d.Varint();
  m.min_time_ns = d.Signed();
  m.max_time_ns = d.Signed();
  m.max_wal_seq = d.Varint();
  m.replaces.resize(d.Count(1));
  for (auto& r : m.replaces) r = d.Varint();
  m.services.resize(d.Count(1));
  for (auto& s : m.services) s = std::string(d.LengthPrefixed());
  out->resources.resize(d.Count(2));
  for (auto& r : out->resources) {
    RETURN_IF_ERROR(GetAttrs(d, &r.attributes));
    r.dropped_attributes_count = d.Varint32();
    r.schema_url = std::string(d.LengthPrefixed());
    r.tags = ExtractUnifiedTags(r.attributes);
  }
  out->scopes.resize(d.Count(4));
  for (auto& s : out->scopes) {
    s.name = std::string(d.LengthPrefixed());
    s.version = std::string(d.LengthPrefixed());
    RETURN_IF_ERROR(GetAttrs(d, &s.attributes));
    s.dropped_attributes_count = d.Varint32();
    s.schema_url = std::string(d.LengthPrefixed());
  }
  out->blocks.resize(d.Count(8));
  uint64_t rows = 0;
  for (auto& b : out->blocks) {
    b.info.rows = d.Varint32();
    b.info.min_time_ns = d.Signed();
    b.info.max_time_ns = d.Signed();
    b.info.service = std::string(d.LengthPrefixed());
    b.bloom = GetChunk(d);
    const size_t n = d.Count(8);
    if (d.ok() && n != kLogColumnCount) return Status::Corruption("log block has {} chunks", n);
    b.chunks.resize(n);
    for (auto& c : b.chunks) c = GetChunk(d);
    if (!d.ok()) break;
    if (!ChunkInRange(b.bloom, data_end)) return Status::Corruption("bloom chunk out of range");
    for (const auto& c : b.chunks) {
      if (!ChunkInRange(c, data_end)) return Status::Corruption("column chunk out of range");
    }
    rows += b.info.rows;
  }
  if (!d.ok() || !d.empty()) return Status::Corruption("log part footer is malformed");
  if (rows != m.rows) return Status::Corruption("block rows {} != part rows {}", rows, m.rows);
  return Status::Ok();
}

}  // namespace periscope::logs
