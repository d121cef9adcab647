#pragma once

#include "api/router.h"
#include "storage/metrics/metric_table.h"

namespace periscope {

// Registers the metrics query API (docs/api.md): GET /api/metrics, /api/metrics/labels,
// /api/metrics/series, /api/metrics/query_range, and the Prometheus HTTP API subset
// /prometheus/api/v1/{labels,label/<name>/values,series,query_range} for `selector`,
// `rate|increase(selector[window])` and `sum|avg|min|max|count [by (labels)] (...)`.
void RegisterMetricsApi(Router& router, const MetricTable& table);

}  // namespace periscope
