#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "model/span_batch.h"
#include "query/logs/log_search_query.h"

namespace periscope {

// A parsed span search (`q=` of GET /api/traces, docs/api.md): the logs search syntax with the
// span fields service env version host status kind name trace_id span_id duration @attribute;
// free words and phrases match the span name. Immutable after Parse; thread-safe.
class SpanSearch {
 public:
  SpanSearch() = default;
  // InvalidArgument naming the 0-based byte position of the problem.
  static Result<SpanSearch> Parse(std::string_view query);

  // True when row `row` of `batch` satisfies the search.
  bool Matches(const SpanBatch& batch, size_t row) const;
  // True for the empty search.
  bool matches_all() const { return node_.kind == LogSearchNode::Kind::kAll; }
  // True when matching reads span or resource attributes (scans must decode them).
  bool reads_attributes() const { return reads_attributes_; }
  const LogSearchNode& node() const { return node_; }

 private:
  LogSearchNode node_;
  bool reads_attributes_ = false;
};

}  // namespace periscope
