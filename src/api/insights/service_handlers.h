#pragma once

#include "api/http_types.h"
#include "query/trace_queries.h"
#include "storage/logs/log_table.h"
#include "storage/metrics/metric_table.h"

namespace periscope {

// GET /api/services/overview: one RED row per service (docs/api.md "Insights").
HttpResponse HandleServicesOverview(const LogTable& logs, const MetricTable& metrics,
                                    const HttpRequest& req);
// GET /api/services/{service}/overview: RED figures, operations, versions, neighbours, recent
// error traces and logs of one service; 404 when it has no data in the range.
HttpResponse HandleServiceOverview(const TraceQueries& traces, const LogTable& logs,
                                   const MetricTable& metrics, const HttpRequest& req);
// GET /api/service-map: nodes and edges from the service-graph and span metrics.
HttpResponse HandleServiceMap(const TraceQueries& traces, const MetricTable& metrics,
                              const HttpRequest& req);

}  // namespace periscope
