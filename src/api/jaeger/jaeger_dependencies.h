#pragma once

#include "api/router.h"
#include "storage/metrics/metric_table.h"

namespace periscope {

// Registers GET /jaeger/api/dependencies?endTs=<ms>&lookback=<ms> (Grafana's Jaeger dependency
// graph): calls between services over the lookback, from the service-graph metrics derived at
// ingest (traces_service_graph_request_total), virtual nodes left out.
void RegisterJaegerDependencies(Router& router, const MetricTable& metrics);

}  // namespace periscope
