#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/span_batch.h"
#include "model/span_query.h"
#include "query/insights/span_search.h"
#include "storage/span_table.h"

namespace periscope {

// One trace in a search result, summarised from all of its spans.
struct TraceSummary {
  TraceId trace_id;
  std::string root_service;
  std::string root_name;
  int64_t start_ns = 0;
  int64_t duration_ns = 0;
  size_t span_count = 0;
  size_t error_count = 0;
  std::vector<std::string> services;
};

struct TraceSearchResult {
  std::vector<TraceSummary> summaries;  // newest first
  std::vector<SpanBatch> traces;        // the spans of each, when asked for
};

// Trace lookups and searches over a SpanTable; stateless, thread-safe.
class TraceQueries {
 public:
  explicit TraceQueries(const SpanTable& table) : table_(table) {}

  // Every span of a trace, sorted by start time, each span once (duplicates from a replay or a
  // re-sent batch are dropped by span id). Empty batch when the trace is unknown.
  Result<SpanBatch> GetTrace(const std::string& tenant, const TraceId& id) const;

  // Traces with at least one span matching `query`, newest first (by the newest matching span),
  // at most `limit`. With `with_spans`, also returns every span of each trace.
  Result<TraceSearchResult> Search(const SpanQuery& query, size_t limit, bool with_spans) const;
  // Same, with a span having to satisfy `query` and `search` both.
  Result<TraceSearchResult> Search(const SpanQuery& query, const SpanSearch& search, size_t limit,
                                   bool with_spans) const;

  // Visits the spans satisfying `query` and `search`: memtable first, then parts newest first
  // (blocks newest first). Batches carry the summary columns, plus span attributes when
  // `with_attributes` or the search reads them. visit returning false stops the scan.
  Status ScanSpans(const SpanQuery& query, const SpanSearch& search, bool with_attributes,
                   const SpanVisitor& visit) const;

  std::vector<std::string> Services(const std::string& tenant) const;
  std::vector<OperationKey> Operations(const std::string& tenant, const std::string& service) const;

  static TraceSummary Summarize(const SpanBatch& trace);

 private:
  // GetTrace; with `summary_only`, the spans carry only the columns Summarize needs.
  Result<SpanBatch> FetchTrace(const std::string& tenant, const TraceId& id,
                               bool summary_only) const;

  const SpanTable& table_;
};

}  // namespace periscope
