#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "storage/metrics/metric_table.h"

namespace periscope {

// Parses a series selector: `name`, `name{a="x",b!="y",c=~"r.*",d!~"z"}` or `{...}`; values
// are double-quoted with \" \\ \n escapes (single quotes too). InvalidArgument when malformed.
Result<std::vector<LabelMatcher>> ParseSeriesSelector(std::string_view text);

// A range query over one selector (docs/api.md GET /api/metrics/query_range). Value type.
struct MetricRangeQuery {
  std::string tenant = "default";
  std::vector<LabelMatcher> matchers;
  std::string fn;              // "", "rate" or "increase"
  int64_t window_ms = 300000;  // rate/increase window; also the lookback of raw values
  std::string agg;             // "", "sum", "avg", "min", "max" or "count"
  std::vector<std::string> by;
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  int64_t step_ms = 60000;
};

// One output series: its labels and one point per step that has a value. Value type.
struct MetricResultSeries {
  Labels labels;
  std::vector<std::pair<int64_t, double>> points;
};

// Evaluates at t = start, start+step, ..., end. Raw: the newest sample in (t - window, t].
// rate/increase: from the samples in (t - window, t]; a value lower than the previous one, or a
// changed start time, is a counter reset (the new value counts as the increase since it);
// increase is extrapolated to the whole window from the sampled span, rate = increase / window;
// delta counters sum their samples instead. Stale markers are skipped. fn and agg drop
// `__name__`; agg groups by the `by` labels. InvalidArgument for a bad fn/agg/step or more than
// 11,000 steps.
Result<std::vector<MetricResultSeries>> RunMetricRangeQuery(const MetricTable& table,
                                                            const MetricRangeQuery& query);

}  // namespace periscope
