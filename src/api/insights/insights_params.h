#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "api/http_types.h"
#include "base/status.h"
#include "query/insights/counter_increase.h"
#include "query/insights/red_stats.h"
#include "query/trace_queries.h"

namespace periscope {

// start/end of an insights request in nanoseconds. Value type.
struct InsightsRange {
  int64_t start_ns = 0;
  int64_t end_ns = 0;
};

// A time: RFC 3339, or Unix time told apart by magnitude (seconds with a fraction,
// milliseconds, microseconds or nanoseconds); nanoseconds. InvalidArgument naming `name`.
Result<int64_t> ParseInsightsTime(std::string_view name, std::string_view value);
// `start`/`end` (default: the hour up to now); InvalidArgument when start > end.
Result<InsightsRange> ParseInsightsRange(const HttpRequest& req, int64_t now_ns);
// The step grid over the range in ms: `step` (a duration, or bare seconds), default
// max(15 s, range / 60) rounded up to whole seconds.
Result<StepGrid> ParseInsightsGrid(const HttpRequest& req, const InsightsRange& range);
// Comma-separated parameter values (repeatable), trimmed, empty items dropped; `fallback`
// when the parameter is absent.
std::vector<std::string> CommaList(const HttpRequest& req, std::string_view name,
                                   std::vector<std::string> fallback);

// 400 for InvalidArgument, 404 for NotFound, else 500.
HttpResponse InsightsError(const Status& s);

// A JSON number, or null for NaN and infinities.
boost::json::value JsonNumber(double v);
// [[t_ms, v], ...]
boost::json::array StepSeriesJson(const StepSeries& series);
// requests, rate, errors, error_rate, p50_ms, p95_ms, p99_ms into `o`.
void AddRedSummary(const RedSummary& s, boost::json::object& o);
// One row of GET /api/traces answers.
boost::json::object TraceSummaryToJson(const TraceSummary& s);

}  // namespace periscope
