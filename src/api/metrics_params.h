#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_types.h"
#include "base/status.h"
#include "model/metric_labels.h"
#include "storage/metrics/label_matcher.h"

namespace periscope {

// RFC 3339, or Unix time in seconds (fractions allowed), milliseconds or nanoseconds, told
// apart by magnitude. Returns milliseconds.
Result<int64_t> ParseMetricTimeMs(std::string_view name, std::string_view value);
// "5m", "250ms", "1h" or bare (fractional) seconds; milliseconds.
Result<int64_t> ParseMetricDurationMs(std::string_view name, std::string_view value);

// Every selector given as `param` (repeatable), concatenated; empty values are skipped.
Result<std::vector<LabelMatcher>> SelectorMatchers(const HttpRequest& req, std::string_view param);

// start/end/step of a metric query: end defaults to now, start to end - 1 h, step to 1/250 of
// the range (at least 1 s). Value type.
struct MetricTimeRange {
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  int64_t step_ms = 0;
};
Result<MetricTimeRange> ParseMetricTimeRange(const HttpRequest& req);

// "a, b,c" -> {"a", "b", "c"}: comma-separated items, trimmed of spaces, empty ones dropped.
std::vector<std::string> SplitLabelList(std::string_view s);

boost::json::object LabelsToJson(const Labels& labels);

}  // namespace periscope
