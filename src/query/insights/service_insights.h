#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>

#include "query/insights/red_stats.h"
#include "storage/metrics/metric_table.h"

namespace periscope {

// Which span-metric series to read: empty fields match everything. Value type.
struct RedFilter {
  std::string tenant = "default";
  std::string env;
  std::string service;
  std::string version;
};

// Names of the RED series written by server/span_metrics.cc.
inline constexpr const char* kSpanCallsMetric = "traces_spanmetrics_calls_total";
inline constexpr const char* kSpanLatencyBucketMetric = "traces_spanmetrics_latency_bucket";
inline constexpr const char* kGraphTotalMetric = "traces_service_graph_request_total";
inline constexpr const char* kGraphFailedMetric = "traces_service_graph_request_failed_total";
inline constexpr const char* kGraphServerBucketMetric =
    "traces_service_graph_request_server_seconds_bucket";

// Maps the labels of a series to the key of its group; "" leaves the series out.
using RedGroupKey = std::function<std::string(const Labels&)>;

// Span metrics (calls and latency buckets) matching `filter`, summed per group, with the env
// and version tags seen in each group. Errors from the metric table.
Result<std::map<std::string, RedAccumulator>> GroupSpanMetrics(const MetricTable& table,
                                                               const RedFilter& filter,
                                                               const StepGrid& grid,
                                                               const RedGroupKey& key);
// GroupSpanMetrics for several groupings at once, one map per key in order: the series are read
// once for all of them.
Result<std::vector<std::map<std::string, RedAccumulator>>> GroupSpanMetricsBy(
    const MetricTable& table, const RedFilter& filter, const StepGrid& grid,
    const std::vector<RedGroupKey>& keys);

// A (client, server) pair of the service graph.
using EdgeKey = std::pair<std::string, std::string>;

// Service-graph edges (request and failed totals, server-side latency buckets) summed per
// (client, server) over every connection type; only edges touching `service` when it is set.
Result<std::map<EdgeKey, RedAccumulator>> GroupServiceGraph(const MetricTable& table,
                                                            const std::string& tenant,
                                                            const std::string& service,
                                                            const StepGrid& grid);

// The group key joining label values with '\x1f' (for multi-label groups).
std::string JoinKey(std::initializer_list<std::string_view> parts);

}  // namespace periscope
