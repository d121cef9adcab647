#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/span_query.h"
#include "query/insights/span_search.h"

namespace periscope {

class TraceQueries;

// One attribute key and how many scanned spans carry it.
struct AttributeKeyCount {
  std::string key;
  uint64_t count = 0;
  bool resource = false;  // a resource attribute (else a span attribute)
};

// The attribute keys of the spans matching a search. Value type.
struct SpanAttributeKeys {
  uint64_t total_spans = 0;             // spans scanned
  bool sampled = false;                 // the scan stopped at max_rows
  std::vector<AttributeKeyCount> keys;  // by count (descending), then key
};

// Counts the span and resource attribute keys of the spans matching `query` and `search`
// (newest first, at most max_rows spans); the `limit` most frequent keys are kept. A key that is
// both a span and a resource attribute is listed once per kind.
Result<SpanAttributeKeys> CountSpanAttributeKeys(const TraceQueries& traces, const SpanQuery& query,
                                                 const SpanSearch& search, size_t limit = 500,
                                                 uint64_t max_rows = 200000);

}  // namespace periscope
