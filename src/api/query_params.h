#pragma once

#include <optional>
#include <string>

#include "api/http_types.h"
#include "base/status.h"
#include "model/span_query.h"

namespace periscope {

// Parses the trace-search parameters of GET /api/traces (docs/api.md) into a SpanQuery;
// InvalidArgument naming the bad parameter.
Result<SpanQuery> ParseTraceSearch(const HttpRequest& req, int64_t now_ns);
// A duration parameter: "250ms", "2s", or an integer of `bare_unit_ns` nanoseconds.
Result<int64_t> ParseDurationParam(std::string_view name, std::string_view value,
                                   int64_t bare_unit_ns);
// A time parameter: RFC 3339 or an integer in `bare_unit_ns` nanoseconds.
Result<int64_t> ParseTimeParam(std::string_view name, std::string_view value, int64_t bare_unit_ns);
// "limit" in [1, max], default `fallback`.
Result<size_t> ParseLimit(const HttpRequest& req, size_t fallback, size_t max);

}  // namespace periscope
