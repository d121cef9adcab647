#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/metric_batch.h"
#include "storage/metrics/label_matcher.h"
#include "storage/metrics/metric_table.h"

namespace periscope {

// Time buckets aligned to multiples of step: bucket i covers [first_ms + i*step, + step).
// Value type.
struct StepGrid {
  int64_t start_ms = 0;  // the range asked for, [start_ms, end_ms]
  int64_t end_ms = 0;
  int64_t step_ms = 60000;
  int64_t first_ms = 0;  // start_ms rounded down to a multiple of step_ms
  size_t steps = 0;

  // InvalidArgument for step <= 0, end < start or more than max_steps buckets.
  static Result<StepGrid> Make(int64_t start_ms, int64_t end_ms, int64_t step_ms,
                               size_t max_steps = 11000);
  int64_t time_of(size_t i) const { return first_ms + static_cast<int64_t>(i) * step_ms; }
  double range_seconds() const;
};

// How much one cumulative counter series grew in each bucket of a grid and in the whole range.
// Value type.
struct SeriesIncrease {
  Labels labels;
  std::vector<double> steps;  // one per grid bucket
  double total = 0;
};

// Exact increases (no extrapolation) of the counter series matching `matchers`: each sample in
// (start, end] adds its growth over the previous sample of the series (its whole value after a
// reset: a lower value or a changed start time) to the bucket holding its time; the first
// sample seen (lookback_ms before start at most) is the baseline. Delta counters add their
// values. Series without growth data in the range are left out. Errors from MetricTable::Select.
Result<std::vector<SeriesIncrease>> CounterIncreases(const MetricTable& table,
                                                     const std::string& tenant,
                                                     const std::vector<LabelMatcher>& matchers,
                                                     const StepGrid& grid,
                                                     int64_t lookback_ms = 600000);

}  // namespace periscope
