#include <algorithm>
#include <unordered_map>

#include "base/coding.h"
#include "storage/part/bloom_filter.h"
#include "storage/part/encoding/attributes_column.h"
#include "storage/part/encoding/string_column.h"
#include "storage/part/span_block.h"

namespace periscope::part {

namespace {

uint64_t WrapDelta(int64_t a, int64_t b) {
  return static_cast<uint64_t>(a) - static_cast<uint64_t>(b);
}

// Row positions of the spans of one trace run, for parent and link references.
class RunIndex {
 public:
  void Reset(const SortedRows& b, size_t begin, size_t end) {
    begin_ = begin;
    end_ = end;
    map_.clear();
    if (end - begin > 16) {
      for (size_t i = begin; i < end; ++i) map_.try_emplace(b.span_id(i), i - begin);
    }
    rows_ = &b;
  }
  // Index of span `id` inside the run, or -1.
  int64_t Find(const SpanId& id) const {
    if (!map_.empty()) {
      auto it = map_.find(id);
      return it == map_.end() ? -1 : static_cast<int64_t>(it->second);
    }
    for (size_t i = begin_; i < end_; ++i) {
      if (rows_->span_id(i) == id) return static_cast<int64_t>(i - begin_);
    }
    return -1;
  }

 private:
  const SortedRows* rows_ = nullptr;
  size_t begin_ = 0, end_ = 0;
  std::unordered_map<SpanId, size_t, BinaryIdHash> map_;
};

void PutSpanRef(std::string* codes, std::string* raw, const RunIndex& run, const SpanId& id) {
  int64_t k = run.Find(id);
  if (k >= 0) {
    PutVarint64(codes, static_cast<uint64_t>(k) + 2);
  } else {
    PutVarint64(codes, 1);
    raw->append(id.View());
  }
}

}  // namespace

EncodedBlock EncodeSpanBlock(const SortedRows& rows, size_t begin, size_t end) {
  EncodedBlock out;
  BlockInfo& info = out.info;
  const size_t n = end - begin;
  info.rows = static_cast<uint32_t>(n);
  info.min_start_ns = rows.start_ns(begin);
  info.max_start_ns = rows.start_ns(begin);
  info.min_trace_id = rows.trace_id(begin);
  info.max_trace_id = rows.trace_id(begin);
  for (size_t i = begin; i < end; ++i) {
    info.min_start_ns = std::min(info.min_start_ns, rows.start_ns(i));
    info.max_start_ns = std::max(info.max_start_ns, rows.start_ns(i));
    info.min_trace_id = std::min(info.min_trace_id, rows.trace_id(i));
    info.max_trace_id = std::max(info.max_trace_id, rows.trace_id(i));
  }

  std::vector<std::pair<size_t, size_t>> runs;
  for (size_t i = begin; i < end;) {
    size_t j = i + 1;
    while (j < end && rows.trace_id(j) == rows.trace_id(i)) ++j;
    runs.emplace_back(i, j);
    i = j;
  }
  BloomFilterBuilder bloom(runs.size());
  for (auto [rb, re] : runs) bloom.Add(rows.trace_id(rb));
  out.bloom = bloom.data();

  std::vector<std::string>& c = out.chunks;
  c.resize(kColFirstDedicated);

  // Trace ids: run count, run lengths, then the 16-byte ids.
  PutVarint64(&c[kColTraceIds], runs.size());
  for (auto [rb, re] : runs) PutVarint64(&c[kColTraceIds], re - rb);
  for (auto [rb, re] : runs) c[kColTraceIds].append(rows.trace_id(rb).View());

  for (size_t i = begin; i < end; ++i) c[kColSpanIds].append(rows.span_id(i).View());

  // Parents, link span ids: 0 none, 1 raw id follows, 2+k the k-th span of the trace run.
  std::string parent_codes, parent_raw;
  std::string starts_base, starts_delta, durations;
  std::string link_counts, link_modes, link_traces, link_codes, link_spans, link_nums;
  StringColumnWriter link_states;
  AttributesWriter link_attrs;
  std::string event_counts, event_times, event_dropped;
  StringColumnWriter event_names;
  AttributesWriter event_attrs;
  RunIndex run;
  for (auto [rb, re] : runs) {
    run.Reset(rows, rb, re);
    PutVarint64(&starts_base, WrapDelta(rows.start_ns(rb), info.min_start_ns));
    for (size_t i = rb; i < re; ++i) {
      const SpanBatch& b = rows.batch(i);
      const size_t r = rows.row(i);
      if (b.parent_span_id[r].IsZero()) {
        PutVarint64(&parent_codes, 0);
      } else {
        PutSpanRef(&parent_codes, &parent_raw, run, b.parent_span_id[r]);
      }
      if (i > rb)
        PutVarintSigned64(&starts_delta,
                          static_cast<int64_t>(WrapDelta(b.start_ns[r], rows.start_ns(i - 1))));
      PutVarintSigned64(&durations, static_cast<int64_t>(WrapDelta(b.end_ns[r], b.start_ns[r])));

      PutVarint64(&event_counts, b.events[r].size());
      for (const SpanEvent& e : b.events[r]) {
        PutVarintSigned64(&event_times, static_cast<int64_t>(WrapDelta(e.time_ns, b.start_ns[r])));
        event_names.Add(e.name);
        event_attrs.Add(&e.attributes);
        PutVarint64(&event_dropped, e.dropped_attributes_count);
      }
      PutVarint64(&link_counts, b.links[r].size());
      for (const SpanLink& l : b.links[r]) {
        bool same_trace = l.trace_id == b.trace_id[r];
        link_modes.push_back(same_trace ? 0 : 1);
        if (!same_trace) link_traces.append(l.trace_id.View());
        if (same_trace) {
          PutSpanRef(&link_codes, &link_spans, run, l.span_id);
        } else {
          PutVarint64(&link_codes, 1);
          link_spans.append(l.span_id.View());
        }
        PutVarint64(&link_nums, l.flags);
        PutVarint64(&link_nums, l.dropped_attributes_count);
        link_states.Add(l.trace_state);
        link_attrs.Add(&l.attributes);
      }
    }
  }
  PutLengthPrefixed(&c[kColParents], parent_codes);
  c[kColParents].append(parent_raw);
  PutLengthPrefixed(&c[kColStarts], starts_base);
  c[kColStarts].append(starts_delta);
  c[kColDurations] = std::move(durations);

  PutLengthPrefixed(&c[kColEvents], event_counts);
  PutLengthPrefixed(&c[kColEvents], event_times);
  PutLengthPrefixed(&c[kColEvents], event_dropped);
  event_names.Finish(&c[kColEvents]);
  c[kColEvents].append(event_attrs.FinishPacked());

  PutLengthPrefixed(&c[kColLinks], link_counts);
  PutLengthPrefixed(&c[kColLinks], link_modes);
  PutLengthPrefixed(&c[kColLinks], link_traces);
  PutLengthPrefixed(&c[kColLinks], link_codes);
  PutLengthPrefixed(&c[kColLinks], link_spans);
  PutLengthPrefixed(&c[kColLinks], link_nums);
  link_states.Finish(&c[kColLinks]);
  c[kColLinks].append(link_attrs.FinishPacked());

  StringColumnWriter names, messages, states;
  std::string dropped_attrs, dropped_events, dropped_links;
  std::unordered_map<uint32_t, uint32_t> local_resource, local_scope;
  std::vector<uint32_t> scopes;
  AttributesWriter attrs;
  std::vector<uint32_t> row_scopes(n);
  for (size_t i = begin; i < end; ++i) {
    const SpanBatch& b = rows.batch(i);
    const size_t r = rows.row(i);
    names.Add(b.name[r]);
    messages.Add(b.status_message[r]);
    states.Add(b.trace_state[r]);
    c[kColKinds].push_back(static_cast<char>(b.kind[r]));
    c[kColStatusCodes].push_back(static_cast<char>(b.status_code[r]));
    PutVarint64(&c[kColFlags], b.flags[r]);
    PutVarint64(&dropped_attrs, b.dropped_attributes_count[r]);
    PutVarint64(&dropped_events, b.dropped_events_count[r]);
    PutVarint64(&dropped_links, b.dropped_links_count[r]);
    uint32_t res = rows.resource(i);
    auto [rit, rnew] =
        local_resource.try_emplace(res, static_cast<uint32_t>(info.resources.size()));
    if (rnew) info.resources.push_back(res);
    PutVarint64(&c[kColResources], rit->second);
    uint32_t s = rows.scope(i);
    auto [sit, snew] = local_scope.try_emplace(s, static_cast<uint32_t>(scopes.size()));
    if (snew) scopes.push_back(s);
    row_scopes[i - begin] = sit->second;
    attrs.Add(&b.attributes[r]);
  }
  names.Finish(&c[kColNames]);
  messages.Finish(&c[kColStatusMessages]);
  states.Finish(&c[kColTraceStates]);
  PutLengthPrefixed(&c[kColDropped], dropped_attrs);
  PutLengthPrefixed(&c[kColDropped], dropped_events);
  c[kColDropped].append(dropped_links);
  std::string scope_codes;
  for (uint32_t code : row_scopes) PutVarint64(&scope_codes, code);
  PutVarint64(&c[kColScopes], scopes.size());
  for (uint32_t s : scopes) PutVarint64(&c[kColScopes], s);
  c[kColScopes].append(scope_codes);

  std::vector<std::string> attr_chunks = attrs.Finish(kMaxDedicatedColumns);
  c[kColAttrKeys] = std::move(attr_chunks[0]);
  c[kColAttrShared] = std::move(attr_chunks[1]);
  for (size_t i = 2; i < attr_chunks.size(); ++i) c.push_back(std::move(attr_chunks[i]));
  return out;
}

}  // namespace periscope::part
