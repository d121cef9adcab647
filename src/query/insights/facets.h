#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "model/span_query.h"
#include "query/insights/span_search.h"
#include "query/logs/log_search.h"

namespace periscope {

class TraceQueries;

// One value of a facet and how many rows have it.
struct FacetValue {
  std::string value;
  uint64_t count = 0;
};

// Counts of the values of several fields over a stream of rows, bounded in memory: at most
// max_distinct values per field are tracked (later new values are not counted). Not
// thread-safe.
class FacetCounter {
 public:
  explicit FacetCounter(std::vector<std::string> fields, size_t max_distinct = 10000);

  const std::vector<std::string>& fields() const { return fields_; }
  // Counts `value` for field number `field`; empty values are not counted.
  void Add(size_t field, std::string_view value);
  // The `top` most frequent values of field number `field`, by count then value.
  std::vector<FacetValue> Top(size_t field, size_t top) const;

 private:
  std::vector<std::string> fields_;
  size_t max_distinct_;
  std::vector<std::unordered_map<std::string, uint64_t>> counts_;
};

// Upper bounds (ms) of the span duration histogram of trace facets.
const std::vector<double>& FacetDurationBucketsMs();

// Facet counts over spans. Value type.
struct SpanFacets {
  uint64_t total_spans = 0;
  bool sampled = false;  // the scan stopped at max_rows
  std::vector<std::pair<std::string, std::vector<FacetValue>>> facets;  // in field order
  // counts[i] = spans with duration in (bounds[i-1], bounds[i]] ms; the last one above all.
  std::vector<uint64_t> duration_counts;
};

// Facet counts over logs. Value type.
struct LogFacets {
  uint64_t total = 0;
  bool sampled = false;
  std::vector<std::pair<std::string, std::vector<FacetValue>>> facets;
};

// The value of a span field: service env version host name status kind trace_id, or an
// attribute key (with or without '@'; span attributes first, then resource attributes).
std::string SpanFieldValue(const SpanBatch& batch, size_t row, std::string_view field);
// The value of a log field: service env version host level severity trace_id event_name, or an
// attribute key (with or without '@'; log attributes first, then resource attributes).
std::string LogFieldValue(const LogBatch& batch, size_t row, std::string_view field);

// Counts facets of the spans matching `query` and `search`, scanning at most max_rows.
Result<SpanFacets> CountSpanFacets(const TraceQueries& traces, const SpanQuery& query,
                                   const SpanSearch& search, const std::vector<std::string>& fields,
                                   size_t top = 20, uint64_t max_rows = 2000000);

// Counts facets of the logs matching `request` (limit and cursor ignored), at most max_rows.
Result<LogFacets> CountLogFacets(const LogTable& table, const LogSearchRequest& request,
                                 const std::vector<std::string>& fields, size_t top = 20,
                                 uint64_t max_rows = 2000000);

}  // namespace periscope
