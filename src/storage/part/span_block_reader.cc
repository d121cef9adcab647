#include <cstring>

#include "storage/part/encoding/attributes_column.h"
#include "storage/part/encoding/decoder.h"
#include "storage/part/encoding/string_column.h"
#include "storage/part/span_block.h"

namespace periscope::part {

namespace {

int64_t WrapAdd(int64_t a, uint64_t delta) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + delta);
}

template <typename Id>
Id ReadId(Decoder* in) {
  Id id;
  std::string_view b = in->Bytes(Id::kSize);
  if (in->ok()) std::memcpy(id.bytes.data(), b.data(), Id::kSize);
  return id;
}

// Resolves a span reference written by PutSpanRef against rows [run_begin, run_end) of out.
bool ReadSpanRef(uint64_t code, Decoder* raw, const SpanBatch& out, size_t run_begin,
                 size_t run_end, SpanId* id) {
  if (code == 0) {
    *id = SpanId();
    return true;
  }
  if (code == 1) {
    *id = ReadId<SpanId>(raw);
    return raw->ok();
  }
  if (code - 2 >= run_end - run_begin) return false;
  *id = out.span_id[run_begin + code - 2];
  return true;
}

Status DecodeEvents(std::string_view chunk, SpanBatch* out) {
  Decoder in(chunk);
  Decoder counts = in.Sub(), times = in.Sub(), dropped = in.Sub();
  if (!in.ok()) return Status::Corruption("events column truncated");
  size_t total = 0;
  std::vector<size_t> per_row(out->size());
  for (size_t& k : per_row) {
    k = counts.Count(0);
    total += k;
    if (total > times.remaining()) return Status::Corruption("events column: bad count");
  }
  std::vector<std::string_view> names;
  RETURN_IF_ERROR(DecodeStringColumn(&in, total, &names));
  std::vector<Attributes> attrs;
  RETURN_IF_ERROR(DecodeAttributesPacked(in.Bytes(in.remaining()), total, &attrs));
  size_t e = 0;
  for (size_t i = 0; i < out->size(); ++i) {
    auto& events = out->events[i];
    events.resize(per_row[i]);
    for (SpanEvent& ev : events) {
      ev.time_ns = WrapAdd(out->start_ns[i], static_cast<uint64_t>(times.Signed()));
      ev.name.assign(names[e]);
      ev.attributes = std::move(attrs[e]);
      ev.dropped_attributes_count = dropped.Varint32();
      ++e;
    }
  }
  if (!counts.ok() || !times.ok() || !dropped.ok()) {
    return Status::Corruption("events column truncated");
  }
  return Status::Ok();
}

Status DecodeLinks(std::string_view chunk, const std::vector<std::pair<size_t, size_t>>& runs,
                   SpanBatch* out) {
  Decoder in(chunk);
  Decoder counts = in.Sub(), modes = in.Sub(), traces = in.Sub(), codes = in.Sub(),
          spans = in.Sub(), nums = in.Sub();
  if (!in.ok()) return Status::Corruption("links column truncated");
  size_t total = 0;
  std::vector<size_t> per_row(out->size());
  for (size_t& k : per_row) {
    k = counts.Count(0);
    total += k;
    if (total > modes.remaining()) return Status::Corruption("links column: bad count");
  }
  std::vector<std::string_view> states;
  RETURN_IF_ERROR(DecodeStringColumn(&in, total, &states));
  std::vector<Attributes> attrs;
  RETURN_IF_ERROR(DecodeAttributesPacked(in.Bytes(in.remaining()), total, &attrs));
  size_t e = 0;
  for (auto [rb, re] : runs) {
    for (size_t i = rb; i < re; ++i) {
      auto& links = out->links[i];
      links.resize(per_row[i]);
      for (SpanLink& l : links) {
        uint8_t mode = modes.Byte();
        if (mode > 1) return Status::Corruption("links column: bad mode");
        l.trace_id = mode == 0 ? out->trace_id[i] : ReadId<TraceId>(&traces);
        uint64_t code = codes.Varint();
        if (code == 0 || (mode == 1 && code != 1) ||
            !ReadSpanRef(code, &spans, *out, rb, re, &l.span_id)) {
          return Status::Corruption("links column: bad span reference");
        }
        l.flags = nums.Varint32();
        l.dropped_attributes_count = nums.Varint32();
        l.trace_state.assign(states[e]);
        l.attributes = std::move(attrs[e]);
        ++e;
      }
    }
  }
  if (!counts.ok() || !modes.ok() || !traces.ok() || !codes.ok() || !nums.ok()) {
    return Status::Corruption("links column truncated");
  }
  return Status::Ok();
}

Status ReadRuns(Decoder* in, size_t rows, std::vector<std::pair<size_t, size_t>>* runs) {
  size_t count = in->Count(17);
  if (count == 0 || count > rows) return Status::Corruption("trace id column: bad run count");
  runs->reserve(count);
  size_t pos = 0;
  for (size_t i = 0; i < count; ++i) {
    uint64_t len = in->Varint();
    if (len == 0 || len > rows - pos) return Status::Corruption("trace id column: bad run");
    runs->emplace_back(pos, pos + len);
    pos += len;
  }
  if (pos != rows || !in->ok()) return Status::Corruption("trace id column: bad runs");
  return Status::Ok();
}

Status DecodeTraceIdsAndRuns(std::string_view chunk, size_t rows, std::vector<TraceId>* out,
                             std::vector<std::pair<size_t, size_t>>* runs) {
  Decoder in(chunk);
  RETURN_IF_ERROR(ReadRuns(&in, rows, runs));
  out->resize(rows);
  for (auto [rb, re] : *runs) {
    TraceId id = ReadId<TraceId>(&in);
    std::fill(out->begin() + static_cast<ptrdiff_t>(rb), out->begin() + static_cast<ptrdiff_t>(re),
              id);
  }
  if (!in.ok() || !in.empty()) return Status::Corruption("trace id column truncated");
  return Status::Ok();
}

template <typename T>
Status ReadEnumBytes(std::string_view chunk, size_t rows, uint8_t max, std::vector<T>* out) {
  if (chunk.size() != rows) return Status::Corruption("enum column size mismatch");
  out->resize(rows);
  for (size_t i = 0; i < rows; ++i) {
    auto v = static_cast<uint8_t>(chunk[i]);
    if (v > max) return Status::Corruption("enum value out of range");
    (*out)[i] = static_cast<T>(v);
  }
  return Status::Ok();
}

Status DecodeStrings(std::string_view chunk, size_t rows, std::vector<std::string>* out) {
  Decoder in(chunk);
  std::vector<std::string_view> views;
  RETURN_IF_ERROR(DecodeStringColumn(&in, rows, &views));
  out->assign(views.begin(), views.end());
  return Status::Ok();
}

Status ReadVarints(Decoder* in, size_t rows, std::vector<uint32_t>* out) {
  out->resize(rows);
  for (uint32_t& v : *out) v = in->Varint32();
  if (!in->ok()) return Status::Corruption("varint column truncated");
  return Status::Ok();
}

}  // namespace

Status DecodeBlockTraceIds(std::string_view chunk, size_t rows, std::vector<TraceId>* out) {
  std::vector<std::pair<size_t, size_t>> runs;
  return DecodeTraceIdsAndRuns(chunk, rows, out, &runs);
}

Status DecodeSpanBlock(const BlockInfo& info, const std::vector<Resource>& part_resources,
                       const std::vector<Scope>& part_scopes, const std::vector<std::string>& c,
                       SpanBatch* out) {
  const size_t n = info.rows;
  if (c.size() < kColFirstDedicated) return Status::Corruption("block has too few columns");
  std::vector<std::pair<size_t, size_t>> runs;
  RETURN_IF_ERROR(DecodeTraceIdsAndRuns(c[kColTraceIds], n, &out->trace_id, &runs));

  if (c[kColSpanIds].size() != n * SpanId::kSize) return Status::Corruption("span id size");
  out->span_id.resize(n);
  for (size_t i = 0; i < n; ++i) {
    std::memcpy(out->span_id[i].bytes.data(), c[kColSpanIds].data() + i * SpanId::kSize,
                SpanId::kSize);
  }

  Decoder parents_in(c[kColParents]);
  Decoder parent_codes = parents_in.Sub();
  Decoder starts_in(c[kColStarts]);
  Decoder bases = starts_in.Sub();
  Decoder durations(c[kColDurations]);
  out->parent_span_id.resize(n);
  out->start_ns.resize(n);
  out->end_ns.resize(n);
  for (auto [rb, re] : runs) {
    int64_t start = WrapAdd(info.min_start_ns, bases.Varint());
    for (size_t i = rb; i < re; ++i) {
      if (i > rb) start = WrapAdd(start, static_cast<uint64_t>(starts_in.Signed()));
      out->start_ns[i] = start;
      out->end_ns[i] = WrapAdd(start, static_cast<uint64_t>(durations.Signed()));
      if (!ReadSpanRef(parent_codes.Varint(), &parents_in, *out, rb, re, &out->parent_span_id[i])) {
        return Status::Corruption("bad parent reference");
      }
    }
  }
  if (!parents_in.ok() || !parent_codes.ok() || !starts_in.ok() || !bases.ok() || !durations.ok()) {
    return Status::Corruption("time or parent column truncated");
  }

  RETURN_IF_ERROR(DecodeStrings(c[kColNames], n, &out->name));
  RETURN_IF_ERROR(DecodeStrings(c[kColStatusMessages], n, &out->status_message));
  RETURN_IF_ERROR(DecodeStrings(c[kColTraceStates], n, &out->trace_state));
  RETURN_IF_ERROR(
      ReadEnumBytes(c[kColKinds], n, static_cast<uint8_t>(SpanKind::kConsumer), &out->kind));
  RETURN_IF_ERROR(ReadEnumBytes(c[kColStatusCodes], n,
                                static_cast<uint8_t>(StatusCodeValue::kError), &out->status_code));
  Decoder flags(c[kColFlags]);
  RETURN_IF_ERROR(ReadVarints(&flags, n, &out->flags));
  Decoder dropped(c[kColDropped]);
  Decoder dropped_attrs = dropped.Sub(), dropped_events = dropped.Sub();
  RETURN_IF_ERROR(ReadVarints(&dropped_attrs, n, &out->dropped_attributes_count));
  RETURN_IF_ERROR(ReadVarints(&dropped_events, n, &out->dropped_events_count));
  RETURN_IF_ERROR(ReadVarints(&dropped, n, &out->dropped_links_count));

  Decoder resources(c[kColResources]);
  RETURN_IF_ERROR(ReadVarints(&resources, n, &out->resource_index));
  out->resources.clear();
  for (uint32_t r : info.resources) {
    if (r >= part_resources.size()) return Status::Corruption("resource id out of range");
    out->resources.push_back(part_resources[r]);
  }
  Decoder scopes(c[kColScopes]);
  size_t scope_count = scopes.Count(1);
  out->scopes.clear();
  for (size_t i = 0; i < scope_count; ++i) {
    uint64_t s = scopes.Varint();
    if (s >= part_scopes.size()) return Status::Corruption("scope id out of range");
    out->scopes.push_back(part_scopes[s]);
  }
  RETURN_IF_ERROR(ReadVarints(&scopes, n, &out->scope_index));
  for (size_t i = 0; i < n; ++i) {
    if (out->resource_index[i] >= out->resources.size() ||
        out->scope_index[i] >= out->scopes.size()) {
      return Status::Corruption("resource or scope code out of range");
    }
  }

  std::vector<std::string_view> dedicated(c.begin() + kColFirstDedicated, c.end());
  RETURN_IF_ERROR(
      DecodeAttributes(c[kColAttrKeys], c[kColAttrShared], dedicated, n, &out->attributes));
  out->events.assign(n, {});
  out->links.assign(n, {});
  RETURN_IF_ERROR(DecodeEvents(c[kColEvents], out));
  RETURN_IF_ERROR(DecodeLinks(c[kColLinks], runs, out));
  if (!out->IsConsistent()) return Status::Corruption("block columns inconsistent");
  return Status::Ok();
}

}  // namespace periscope::part
