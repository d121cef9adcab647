#include "query/insights/attribute_keys.h"

#include <algorithm>
#include <unordered_map>

#include "query/trace_queries.h"

namespace periscope {

Result<SpanAttributeKeys> CountSpanAttributeKeys(const TraceQueries& traces, const SpanQuery& query,
                                                 const SpanSearch& search, size_t limit,
                                                 uint64_t max_rows) {
  // Bounded like FacetCounter: keys past this many distinct ones are not tracked.
  constexpr size_t kMaxDistinct = 10000;
  SpanAttributeKeys out;
  std::unordered_map<std::string, uint64_t> span_keys, resource_keys;
  auto count = [&](std::unordered_map<std::string, uint64_t>& m, const std::string& key) {
    if (key.empty()) return;
    if (auto it = m.find(key); it != m.end()) {
      ++it->second;
    } else if (m.size() < kMaxDistinct) {
      m.emplace(key, 1);
    }
  };
  RETURN_IF_ERROR(traces.ScanSpans(query, search, true, [&](const SpanBatch& b, size_t row) {
    if (out.total_spans == max_rows) {
      out.sampled = true;
      return false;
    }
    ++out.total_spans;
    for (const KeyValue& kv : b.attributes[row]) count(span_keys, kv.key);
    for (const KeyValue& kv : b.resource(row).attributes) count(resource_keys, kv.key);
    return true;
  }));
  out.keys.reserve(span_keys.size() + resource_keys.size());
  for (auto& [k, n] : span_keys) out.keys.push_back({k, n, false});
  for (auto& [k, n] : resource_keys) out.keys.push_back({k, n, true});
  auto order = [](const AttributeKeyCount& a, const AttributeKeyCount& b) {
    if (a.count != b.count) return a.count > b.count;
    if (a.key != b.key) return a.key < b.key;
    return !a.resource && b.resource;
  };
  if (out.keys.size() > limit) {
    std::partial_sort(out.keys.begin(), out.keys.begin() + static_cast<ptrdiff_t>(limit),
                      out.keys.end(), order);
    out.keys.resize(limit);
  } else {
    std::sort(out.keys.begin(), out.keys.end(), order);
  }
  return out;
}

}  // namespace periscope
