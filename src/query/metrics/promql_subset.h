#pragma once

#include <string_view>

#include "base/status.h"
#include "query/metrics/range_query.h"

namespace periscope {

// A parsed query of the PromQL subset the Prometheus-compatible API answers. Value type.
struct PromQuery {
  enum class Kind {
    kScalar,             // arithmetic of number literals, e.g. `1+1`
    kSeries,             // `query` below: a selector, rate/increase, aggregation
    kHistogramQuantile,  // histogram_quantile(quantile, sum by (le, ...) (rate(sel[w])))
  };
  Kind kind = Kind::kSeries;
  double scalar = 0;
  double quantile = 0;
  MetricRangeQuery query;  // matchers, fn, window_ms, agg and by; `by` without `le`
};

// Parses `[agg [by (l, ...)]] ( [rate|increase] ( selector[w] ) ) [by (l, ...)]`, a bare
// selector, `histogram_quantile(q, sum by (le, ...) (rate(selector[w])))`, or arithmetic of
// number literals. Anything else is InvalidArgument naming what is not supported.
Result<PromQuery> ParsePromQuery(std::string_view text);

}  // namespace periscope
