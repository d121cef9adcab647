#include "query/trace_queries.h"

#include <algorithm>
#include <numeric>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace periscope {

Result<SpanBatch> TraceQueries::GetTrace(const std::string& tenant, const TraceId& id) const {
  return FetchTrace(tenant, id, false);
}

Result<SpanBatch> TraceQueries::FetchTrace(const std::string& tenant, const TraceId& id,
                                           bool summary_only) const {
  SpanQuery query;
  query.tenant = tenant;
  query.trace_id = id;
  SpanBatch found;
  found.tenant = tenant;
  std::unordered_set<SpanId, BinaryIdHash> seen;
  SpanScanOptions options;
  options.summary_only = summary_only;
  RETURN_IF_ERROR(table_.Scan(query, options, [&](const SpanBatch& batch, size_t row) {
    if (seen.insert(batch.span_id[row]).second) found.AppendRow(batch, row);
    return true;
  }));
  std::vector<uint32_t> order(found.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return found.start_ns[a] < found.start_ns[b]; });
  found.Permute(order);
  return found;
}

TraceSummary TraceQueries::Summarize(const SpanBatch& trace) {
  TraceSummary s;
  if (trace.empty()) return s;
  s.trace_id = trace.trace_id[0];
  s.span_count = trace.size();
  int64_t start = trace.start_ns[0], end = trace.end_ns[0];
  std::set<std::string> services;
  std::unordered_set<SpanId, BinaryIdHash> ids(trace.span_id.begin(), trace.span_id.end());
  size_t root = trace.size();
  size_t orphan = trace.size();
  for (size_t i = 0; i < trace.size(); ++i) {
    start = std::min(start, trace.start_ns[i]);
    end = std::max(end, trace.end_ns[i]);
    services.insert(trace.tags(i).service);
    if (trace.status_code[i] == StatusCodeValue::kError) ++s.error_count;
    if (trace.parent_span_id[i].IsZero()) {
      if (root == trace.size()) root = i;
    } else if (orphan == trace.size() && !ids.count(trace.parent_span_id[i])) {
      orphan = i;
    }
  }
  if (root == trace.size()) root = orphan == trace.size() ? 0 : orphan;
  s.root_service = trace.tags(root).service;
  s.root_name = trace.name[root];
  s.start_ns = start;
  s.duration_ns = end - start;
  s.services.assign(services.begin(), services.end());
  return s;
}

Result<TraceSearchResult> TraceQueries::Search(const SpanQuery& query, size_t limit,
                                               bool with_spans) const {
  return Search(query, SpanSearch(), limit, with_spans);
}

Status TraceQueries::ScanSpans(const SpanQuery& query, const SpanSearch& search,
                               bool with_attributes, const SpanVisitor& visit) const {
  SpanScanOptions options;
  options.newest_first = true;
  options.summary_only = !with_attributes && !search.reads_attributes();
  if (search.matches_all()) return table_.Scan(query, options, visit);
  return table_.Scan(query, options, [&](const SpanBatch& batch, size_t row) {
    return !search.Matches(batch, row) || visit(batch, row);
  });
}

Result<TraceSearchResult> TraceQueries::Search(const SpanQuery& query, const SpanSearch& search,
                                               size_t limit, bool with_spans) const {
  TraceSearchResult result;
  if (limit == 0) return result;
  // Newest matching start per trace. Parts come newest first and their blocks are visited
  // newest first too, so once `limit` traces are known, a block whose newest span is older
  // than the limit-th newest cannot change the result, nor can any later block of that part.
  std::unordered_map<TraceId, int64_t, BinaryIdHash> newest;
  int64_t kth = std::numeric_limits<int64_t>::min();
  size_t kth_size = 0;  // newest.size() when kth was computed
  auto kth_newest = [&]() -> int64_t {
    if (newest.size() < limit) return std::numeric_limits<int64_t>::min();
    if (newest.size() == kth_size) return kth;
    std::vector<int64_t> starts;
    starts.reserve(newest.size());
    for (const auto& [id, t] : newest) starts.push_back(t);
    std::nth_element(starts.begin(), starts.begin() + static_cast<ptrdiff_t>(limit - 1),
                     starts.end(), std::greater<>());
    kth = starts[limit - 1];
    if (newest.size() > 8 * limit + 1024) {
      // Keep memory bounded: drop everything older than the limit-th newest.
      std::erase_if(newest, [&](const auto& kv) { return kv.second < kth; });
    }
    kth_size = newest.size();
    return kth;
  };
  auto visit = [&](const SpanBatch& batch, size_t row) {
    if (!search.Matches(batch, row)) return true;
    auto [it, inserted] = newest.try_emplace(batch.trace_id[row], batch.start_ns[row]);
    if (!inserted) it->second = std::max(it->second, batch.start_ns[row]);
    return true;
  };
  SpanSnapshot snap = table_.Snapshot(query.tenant);
  for (const auto& batch : snap.memtable) {
    for (size_t row = 0; row < batch->size(); ++row) {
      if (query.Matches(*batch, row)) visit(*batch, row);
    }
  }
  SpanScanOptions options;
  options.newest_first = true;
  options.summary_only = !search.reads_attributes();
  options.before_block = [&](int64_t block_max_start_ns) {
    return newest.size() < limit || block_max_start_ns >= kth_newest();
  };
  for (const auto& part : snap.parts) {
    if (!query.MayMatchTime(part->meta().min_start_ns, part->meta().max_start_ns)) continue;
    if (newest.size() >= limit && part->meta().max_start_ns < kth_newest()) break;
    RETURN_IF_ERROR(part->Scan(query, options, visit));
  }
  std::vector<std::pair<int64_t, TraceId>> ranked;
  ranked.reserve(newest.size());
  for (const auto& [id, t] : newest) ranked.emplace_back(t, id);
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  if (ranked.size() > limit) ranked.resize(limit);
  for (const auto& [t, id] : ranked) {
    ASSIGN_OR_RETURN(SpanBatch trace, FetchTrace(query.tenant, id, !with_spans));
    if (trace.empty()) continue;
    result.summaries.push_back(Summarize(trace));
    if (with_spans) result.traces.push_back(std::move(trace));
  }
  return result;
}

std::vector<std::string> TraceQueries::Services(const std::string& tenant) const {
  std::set<std::string> services;
  for (const auto& op : table_.Operations(tenant)) services.insert(op.service);
  return {services.begin(), services.end()};
}

std::vector<OperationKey> TraceQueries::Operations(const std::string& tenant,
                                                   const std::string& service) const {
  std::vector<OperationKey> out;
  for (auto& op : table_.Operations(tenant)) {
    if (op.service == service) out.push_back(std::move(op));
  }
  return out;
}

}  // namespace periscope
