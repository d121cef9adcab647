#include <cstring>

#include "base/coding.h"
#include "storage/part/encoding/decoder.h"
#include "storage/part/span_part_format.h"

namespace periscope::part {

namespace {

void PutValue(std::string* out, const AnyValue& v) {
  out->push_back(static_cast<char>(v.type));
  switch (v.type) {
    case ValueType::kEmpty:
      break;
    case ValueType::kBool:
    case ValueType::kInt:
      PutVarintSigned64(out, v.int_value);
      break;
    case ValueType::kDouble: {
      uint64_t bits;
      std::memcpy(&bits, &v.double_value, 8);
      PutFixed64(out, bits);
      break;
    }
    default:
      PutLengthPrefixed(out, v.str);
      break;
  }
}

void PutAttributes(std::string* out, const Attributes& attrs) {
  PutVarint64(out, attrs.size());
  for (const auto& kv : attrs) {
    PutLengthPrefixed(out, kv.key);
    PutValue(out, kv.value);
  }
}

void PutChunk(std::string* out, const ChunkInfo& c) {
  PutVarint64(out, c.offset);
  PutVarint64(out, c.stored_len);
  PutVarint64(out, c.raw_len);
  out->push_back(static_cast<char>(c.codec));
  PutFixed32(out, c.crc);
}

bool GetValue(Decoder* in, AnyValue* v) {
  uint8_t t = in->Byte();
  if (t > static_cast<uint8_t>(ValueType::kKvList)) return false;
  v->type = static_cast<ValueType>(t);
  switch (v->type) {
    case ValueType::kEmpty:
      break;
    case ValueType::kBool:
      v->int_value = in->Signed();
      if (v->int_value != 0 && v->int_value != 1) return false;
      break;
    case ValueType::kInt:
      v->int_value = in->Signed();
      break;
    case ValueType::kDouble: {
      uint64_t bits = in->Fixed64();
      std::memcpy(&v->double_value, &bits, 8);
      break;
    }
    default:
      v->str.assign(in->LengthPrefixed());
      break;
  }
  return in->ok();
}

bool GetAttributes(Decoder* in, Attributes* attrs) {
  size_t n = in->Count(2);
  attrs->resize(n);
  for (auto& kv : *attrs) {
    kv.key.assign(in->LengthPrefixed());
    if (!GetValue(in, &kv.value)) return false;
  }
  return in->ok();
}

bool GetChunk(Decoder* in, uint64_t data_end, ChunkInfo* c) {
  c->offset = in->Varint();
  c->stored_len = in->Varint32();
  c->raw_len = in->Varint32();
  uint8_t codec = in->Byte();
  c->crc = in->Fixed32();
  if (!in->ok() || codec > static_cast<uint8_t>(ChunkCodec::kZstd)) return false;
  c->codec = static_cast<ChunkCodec>(codec);
  return c->offset >= kHeaderSize && c->offset <= data_end &&
         c->stored_len <= data_end - c->offset && c->raw_len <= kMaxChunkRawBytes;
}

TraceId GetTraceId(Decoder* in) {
  TraceId id;
  std::string_view b = in->Bytes(16);
  if (in->ok()) std::memcpy(id.bytes.data(), b.data(), 16);
  return id;
}

}  // namespace

void EncodeFooter(const PartFooter& f, std::string* out) {
  const SpanPartMeta& m = f.meta;
  PutVarint64(out, m.part_id);
  PutLengthPrefixed(out, m.tenant);
  PutVarint64(out, m.level);
  PutVarint64(out, m.rows);
  PutVarintSigned64(out, m.min_start_ns);
  PutVarintSigned64(out, m.max_start_ns);
  PutVarint64(out, m.max_wal_seq);
  PutVarint64(out, m.replaces.size());
  for (uint64_t id : m.replaces) PutVarint64(out, id);

  PutVarint64(out, f.resources.size());
  for (const Resource& r : f.resources) {
    PutAttributes(out, r.attributes);
    PutVarint64(out, r.dropped_attributes_count);
    PutLengthPrefixed(out, r.schema_url);
  }
  PutVarint64(out, f.scopes.size());
  for (const Scope& s : f.scopes) {
    PutLengthPrefixed(out, s.name);
    PutLengthPrefixed(out, s.version);
    PutAttributes(out, s.attributes);
    PutVarint64(out, s.dropped_attributes_count);
    PutLengthPrefixed(out, s.schema_url);
  }
  PutVarint64(out, f.operations.size());
  for (const OperationKey& op : f.operations) {
    PutLengthPrefixed(out, op.service);
    PutLengthPrefixed(out, op.name);
    out->push_back(static_cast<char>(op.kind));
  }
  PutVarint64(out, f.blocks.size());
  for (const BlockInfo& b : f.blocks) {
    PutVarint64(out, b.rows);
    PutVarintSigned64(out, b.min_start_ns);
    PutVarintSigned64(out, b.max_start_ns);
    out->append(b.min_trace_id.View());
    out->append(b.max_trace_id.View());
    PutVarint64(out, b.resources.size());
    for (uint32_t r : b.resources) PutVarint64(out, r);
    PutChunk(out, b.bloom);
    PutVarint64(out, b.chunks.size());
    for (const ChunkInfo& c : b.chunks) PutChunk(out, c);
  }
  PutChunk(out, f.bloom);
}

Status DecodeFooter(std::string_view data, uint64_t data_end, PartFooter* f) {
  Decoder in(data);
  SpanPartMeta& m = f->meta;
  m.part_id = in.Varint();
  m.tenant.assign(in.LengthPrefixed());
  m.level = in.Varint32();
  m.rows = in.Varint();
  m.min_start_ns = in.Signed();
  m.max_start_ns = in.Signed();
  m.max_wal_seq = in.Varint();
  m.replaces.resize(in.Count(1));
  for (uint64_t& id : m.replaces) id = in.Varint();
  if (!in.ok()) return Status::Corruption("part footer: bad meta");

  f->resources.resize(in.Count(3));
  for (Resource& r : f->resources) {
    if (!GetAttributes(&in, &r.attributes)) return Status::Corruption("part footer: bad resource");
    r.dropped_attributes_count = in.Varint32();
    r.schema_url.assign(in.LengthPrefixed());
    r.tags = ExtractUnifiedTags(r.attributes);
  }
  f->scopes.resize(in.Count(5));
  for (Scope& s : f->scopes) {
    s.name.assign(in.LengthPrefixed());
    s.version.assign(in.LengthPrefixed());
    if (!GetAttributes(&in, &s.attributes)) return Status::Corruption("part footer: bad scope");
    s.dropped_attributes_count = in.Varint32();
    s.schema_url.assign(in.LengthPrefixed());
  }
  f->operations.resize(in.Count(3));
  for (OperationKey& op : f->operations) {
    op.service.assign(in.LengthPrefixed());
    op.name.assign(in.LengthPrefixed());
    uint8_t kind = in.Byte();
    if (kind > static_cast<uint8_t>(SpanKind::kConsumer)) {
      return Status::Corruption("part footer: bad span kind");
    }
    op.kind = static_cast<SpanKind>(kind);
  }
  if (!in.ok()) return Status::Corruption("part footer: truncated dictionaries");

  f->blocks.resize(in.Count(40));
  uint64_t rows = 0;
  for (BlockInfo& b : f->blocks) {
    b.rows = in.Varint32();
    b.min_start_ns = in.Signed();
    b.max_start_ns = in.Signed();
    b.min_trace_id = GetTraceId(&in);
    b.max_trace_id = GetTraceId(&in);
    b.resources.resize(in.Count(1));
    for (uint32_t& r : b.resources) {
      r = in.Varint32();
      if (r >= f->resources.size()) return Status::Corruption("part footer: bad resource id");
    }
    if (!GetChunk(&in, data_end, &b.bloom)) return Status::Corruption("part footer: bad bloom");
    b.chunks.resize(in.Count(8));
    if (b.chunks.size() < kColFirstDedicated) {
      return Status::Corruption("part footer: block has too few columns");
    }
    for (ChunkInfo& c : b.chunks) {
      if (!GetChunk(&in, data_end, &c)) return Status::Corruption("part footer: bad chunk");
    }
    if (b.rows == 0 || b.rows > kMaxRowsPerBlock || b.resources.empty()) {
      return Status::Corruption("part footer: bad block row count");
    }
    rows += b.rows;
  }
  if (!GetChunk(&in, data_end, &f->bloom)) return Status::Corruption("part footer: bad bloom");
  if (!in.empty()) return Status::Corruption("part footer: trailing bytes");
  if (rows != m.rows) return Status::Corruption("part footer: row count mismatch");
  return Status::Ok();
}

}  // namespace periscope::part
