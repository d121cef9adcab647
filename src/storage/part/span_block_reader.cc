#include <algorithm>
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
bool ReadSpanRef(uint64_t code, Decoder* raw, const std::vector<SpanId>& span_ids, size_t run_begin,
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
  *id = span_ids[run_begin + code - 2];
  return true;
}

// Decodes the events of rows [begin, end) into out->events[i - begin]; out's start_ns covers
// every row of the block.
Status DecodeEvents(std::string_view chunk, size_t begin, size_t end, SpanBatch* out) {
  Decoder in(chunk);
  Decoder counts = in.Sub(), times = in.Sub(), dropped = in.Sub();
  if (!in.ok()) return Status::Corruption("events column truncated");
  const size_t n = out->start_ns.size();
  size_t total = 0, first = 0, last = 0;
  std::vector<size_t> per_row(n);
  for (size_t i = 0; i < n; ++i) {
    if (i == begin) first = total;
    per_row[i] = counts.Count(0);
    total += per_row[i];
    if (total > times.remaining()) return Status::Corruption("events column: bad count");
    if (i + 1 == end) last = total;
  }
  if (begin >= end) first = last = total;
  std::vector<std::string_view> names;
  RETURN_IF_ERROR(DecodeStringColumn(&in, total, &names));
  std::vector<Attributes> attrs;
  RETURN_IF_ERROR(
      DecodeAttributesPackedRange(in.Bytes(in.remaining()), total, first, last, &attrs));
  size_t e = 0;
  for (size_t i = 0; i < n; ++i) {
    const bool keep = i >= begin && i < end;
    if (keep) out->events[i - begin].resize(per_row[i]);
    for (size_t k = 0; k < per_row[i]; ++k, ++e) {
      const uint64_t delta = static_cast<uint64_t>(times.Signed());
      const uint32_t dropped_attrs = dropped.Varint32();
      if (!keep) continue;
      SpanEvent& ev = out->events[i - begin][k];
      ev.time_ns = WrapAdd(out->start_ns[i], delta);
      ev.name.assign(names[e]);
      ev.attributes = std::move(attrs[e - first]);
      ev.dropped_attributes_count = dropped_attrs;
    }
  }
  if (!counts.ok() || !times.ok() || !dropped.ok()) {
    return Status::Corruption("events column truncated");
  }
  return Status::Ok();
}

// Decodes the links of rows [begin, end) into out->links[i - begin]; out's trace and span ids
// cover every row of the block.
Status DecodeLinks(std::string_view chunk, const std::vector<std::pair<size_t, size_t>>& runs,
                   size_t begin, size_t end, SpanBatch* out) {
  Decoder in(chunk);
  Decoder counts = in.Sub(), modes = in.Sub(), traces = in.Sub(), codes = in.Sub(),
          spans = in.Sub(), nums = in.Sub();
  if (!in.ok()) return Status::Corruption("links column truncated");
  const size_t n = out->trace_id.size();
  size_t total = 0, first = 0, last = 0;
  std::vector<size_t> per_row(n);
  for (size_t i = 0; i < n; ++i) {
    if (i == begin) first = total;
    per_row[i] = counts.Count(0);
    total += per_row[i];
    if (total > modes.remaining()) return Status::Corruption("links column: bad count");
    if (i + 1 == end) last = total;
  }
  if (begin >= end) first = last = total;
  std::vector<std::string_view> states;
  RETURN_IF_ERROR(DecodeStringColumn(&in, total, &states));
  std::vector<Attributes> attrs;
  RETURN_IF_ERROR(
      DecodeAttributesPackedRange(in.Bytes(in.remaining()), total, first, last, &attrs));
  size_t e = 0;
  SpanLink scratch;
  for (auto [rb, re] : runs) {
    for (size_t i = rb; i < re; ++i) {
      const bool keep = i >= begin && i < end;
      if (keep) out->links[i - begin].resize(per_row[i]);
      for (size_t k = 0; k < per_row[i]; ++k, ++e) {
        SpanLink& l = keep ? out->links[i - begin][k] : scratch;
        uint8_t mode = modes.Byte();
        if (mode > 1) return Status::Corruption("links column: bad mode");
        l.trace_id = mode == 0 ? out->trace_id[i] : ReadId<TraceId>(&traces);
        uint64_t code = codes.Varint();
        if (code == 0 || (mode == 1 && code != 1) ||
            !ReadSpanRef(code, &spans, out->span_id, rb, re, &l.span_id)) {
          return Status::Corruption("links column: bad span reference");
        }
        l.flags = nums.Varint32();
        l.dropped_attributes_count = nums.Varint32();
        if (!keep) continue;
        l.trace_state.assign(states[e]);
        l.attributes = std::move(attrs[e - first]);
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

Status DecodeStrings(std::string_view chunk, size_t rows, size_t begin, size_t end,
                     std::vector<std::string>* out) {
  Decoder in(chunk);
  std::vector<std::string_view> views;
  RETURN_IF_ERROR(DecodeStringColumn(&in, rows, &views));
  out->assign(views.begin() + static_cast<ptrdiff_t>(begin),
              views.begin() + static_cast<ptrdiff_t>(end));
  return Status::Ok();
}

template <typename T>
void Slice(std::vector<T>* col, size_t begin, size_t end) {
  if (end < col->size()) col->resize(end);
  col->erase(col->begin(), col->begin() + static_cast<ptrdiff_t>(begin));
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

Status FindTraceRows(std::string_view chunk, size_t rows, const TraceId& id, size_t* begin,
                     size_t* end) {
  Decoder in(chunk);
  std::vector<std::pair<size_t, size_t>> runs;
  RETURN_IF_ERROR(ReadRuns(&in, rows, &runs));
  std::string_view ids = in.Bytes(runs.size() * TraceId::kSize);
  if (!in.ok() || !in.empty()) return Status::Corruption("trace id column truncated");
  *begin = *end = 0;
  for (size_t k = 0; k < runs.size(); ++k) {
    if (std::memcmp(ids.data() + k * TraceId::kSize, id.bytes.data(), TraceId::kSize) != 0) {
      continue;
    }
    if (*begin == *end) *begin = runs[k].first;
    *end = runs[k].second;
  }
  return Status::Ok();
}

bool SelectionNeedsColumn(const BlockSelection& sel, size_t column) {
  if (!sel.summary_only) return true;
  switch (column) {
    case kColTraceIds:
    case kColSpanIds:
    case kColParents:
    case kColStarts:
    case kColDurations:
    case kColNames:
    case kColKinds:
    case kColStatusCodes:
    case kColResources:
    case kColScopes:
      return true;
    default:
      return sel.attributes && column >= kColAttrKeys && column != kColEvents &&
             column != kColLinks;
  }
}

Status DecodeSpanBlock(const BlockInfo& info, const std::vector<Resource>& part_resources,
                       const std::vector<Scope>& part_scopes, const std::vector<std::string>& c,
                       SpanBatch* out, const BlockSelection& sel) {
  const size_t n = info.rows;
  const size_t end = std::min(sel.end, n);
  const size_t begin = std::min(sel.begin, end);
  const size_t m = end - begin;
  const bool all_columns = !sel.summary_only;
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
      if (!ReadSpanRef(parent_codes.Varint(), &parents_in, out->span_id, rb, re,
                       &out->parent_span_id[i])) {
        return Status::Corruption("bad parent reference");
      }
    }
  }
  if (!parents_in.ok() || !parent_codes.ok() || !starts_in.ok() || !bases.ok() || !durations.ok()) {
    return Status::Corruption("time or parent column truncated");
  }

  RETURN_IF_ERROR(DecodeStrings(c[kColNames], n, begin, end, &out->name));
  if (all_columns) {
    RETURN_IF_ERROR(DecodeStrings(c[kColStatusMessages], n, begin, end, &out->status_message));
    RETURN_IF_ERROR(DecodeStrings(c[kColTraceStates], n, begin, end, &out->trace_state));
  } else {
    out->status_message.assign(m, std::string());
    out->trace_state.assign(m, std::string());
  }
  RETURN_IF_ERROR(
      ReadEnumBytes(c[kColKinds], n, static_cast<uint8_t>(SpanKind::kConsumer), &out->kind));
  RETURN_IF_ERROR(ReadEnumBytes(c[kColStatusCodes], n,
                                static_cast<uint8_t>(StatusCodeValue::kError), &out->status_code));
  if (all_columns) {
    Decoder flags(c[kColFlags]);
    RETURN_IF_ERROR(ReadVarints(&flags, n, &out->flags));
    Decoder dropped(c[kColDropped]);
    Decoder dropped_attrs = dropped.Sub(), dropped_events = dropped.Sub();
    RETURN_IF_ERROR(ReadVarints(&dropped_attrs, n, &out->dropped_attributes_count));
    RETURN_IF_ERROR(ReadVarints(&dropped_events, n, &out->dropped_events_count));
    RETURN_IF_ERROR(ReadVarints(&dropped, n, &out->dropped_links_count));
  } else {
    out->flags.assign(n, 0);
    out->dropped_attributes_count.assign(n, 0);
    out->dropped_events_count.assign(n, 0);
    out->dropped_links_count.assign(n, 0);
  }

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

  if (all_columns || sel.attributes) {
    std::vector<std::string_view> dedicated(c.begin() + kColFirstDedicated, c.end());
    RETURN_IF_ERROR(DecodeAttributesRange(c[kColAttrKeys], c[kColAttrShared], dedicated, n, begin,
                                          end, &out->attributes));
  } else {
    out->attributes.assign(m, {});
  }
  out->events.assign(m, {});
  out->links.assign(m, {});
  if (all_columns) {
    RETURN_IF_ERROR(DecodeEvents(c[kColEvents], begin, end, out));
    RETURN_IF_ERROR(DecodeLinks(c[kColLinks], runs, begin, end, out));
  }
  if (m != n) {
    Slice(&out->trace_id, begin, end);
    Slice(&out->span_id, begin, end);
    Slice(&out->parent_span_id, begin, end);
    Slice(&out->start_ns, begin, end);
    Slice(&out->end_ns, begin, end);
    Slice(&out->kind, begin, end);
    Slice(&out->status_code, begin, end);
    Slice(&out->flags, begin, end);
    Slice(&out->dropped_attributes_count, begin, end);
    Slice(&out->dropped_events_count, begin, end);
    Slice(&out->dropped_links_count, begin, end);
    Slice(&out->resource_index, begin, end);
    Slice(&out->scope_index, begin, end);
  }
  if (!out->IsConsistent()) return Status::Corruption("block columns inconsistent");
  return Status::Ok();
}

}  // namespace periscope::part
