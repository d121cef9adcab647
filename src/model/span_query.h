#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "model/span_batch.h"

namespace periscope {

// `key=value` filter on span attributes, resource attributes or the unified tags; the value is
// compared with AnyValue::ToString() of the attribute.
struct AttributeFilter {
  std::string key;
  std::string value;
};

// Row predicate shared by the memtable and part scans. Empty fields match everything; times
// filter on span start. Value type.
struct SpanQuery {
  std::string tenant = "default";
  std::optional<TraceId> trace_id;
  int64_t min_start_ns = std::numeric_limits<int64_t>::min();
  int64_t max_start_ns = std::numeric_limits<int64_t>::max();
  std::string service;
  std::string env;
  std::string name;
  std::optional<int64_t> min_duration_ns;
  std::optional<int64_t> max_duration_ns;
  std::optional<StatusCodeValue> status_code;
  std::optional<SpanKind> kind;
  std::vector<AttributeFilter> attributes;

  // True when row `row` of `batch` satisfies every condition.
  bool Matches(const SpanBatch& batch, size_t row) const;
  // True when a row with these unified tags could match (for pruning blocks and parts).
  bool MayMatchService(std::string_view service_name) const {
    return service.empty() || service == service_name;
  }
  bool MayMatchTime(int64_t min_ns, int64_t max_ns) const {
    return max_ns >= min_start_ns && min_ns <= max_start_ns;
  }
};

}  // namespace periscope
