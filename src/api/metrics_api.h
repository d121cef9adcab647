#pragma once

#include "api/router.h"
#include "storage/metrics/metric_table.h"

namespace periscope {

// Registers the metrics query API (docs/api.md): GET /api/metrics, /api/metrics/labels,
// /api/metrics/series, /api/metrics/query_range and /api/metrics/exemplars.
void RegisterMetricsApi(Router& router, const MetricTable& table);

}  // namespace periscope
