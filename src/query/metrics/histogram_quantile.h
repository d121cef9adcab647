#pragma once

#include <utility>
#include <vector>

#include "base/status.h"
#include "query/metrics/range_query.h"

namespace periscope {

// One cumulative histogram bucket: upper bound `le` (+Inf allowed) and the count of values
// <= le.
struct HistogramBucket {
  double le = 0;
  double count = 0;
};

// Prometheus histogram_quantile: the q-quantile of a classic histogram, interpolating linearly
// inside the bucket that holds the rank (the first bucket from 0 when its bound is positive).
// Buckets may come in any order; counts are made monotonic. NaN when there are fewer than two
// buckets, no +Inf bucket, or no observations; -Inf for q < 0, +Inf for q > 1. A rank in the
// +Inf bucket gives the highest finite bound.
double HistogramQuantile(double q, std::vector<HistogramBucket> buckets);

// Runs `query` (its fn, window and by) as sum by (by + le) (rate(<query>[window])) over the
// `_bucket` series it selects, then histogram_quantile(q) per group and step. The answer's
// series carry the `by` labels; steps without observations are left out. InvalidArgument for
// q outside [0, 1] or a bad query.
Result<std::vector<MetricResultSeries>> RunHistogramQuantileQuery(const MetricTable& table,
                                                                  MetricRangeQuery query, double q);

}  // namespace periscope
