#pragma once

#include "api/router.h"
#include "storage/metrics/metric_table.h"

namespace periscope {

// Registers the Prometheus HTTP API subset under /prometheus/api/v1/ and /api/v1/ (docs/api.md):
// query, query_range, series, labels, label/<name>/values, query_exemplars, metadata and
// status/buildinfo, by GET or by POST with a form body (as Grafana sends them).
void RegisterPrometheusApi(Router& router, const MetricTable& table);

}  // namespace periscope
