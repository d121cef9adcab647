#pragma once

#include "api/router.h"

namespace periscope {

class TraceQueries;
class LogTable;
class MetricTable;

// Registers the endpoints that join signals for the web UI (docs/api.md "Insights"): service
// overviews, the service map, trace and log facets, metric exemplars.
void RegisterInsightsApi(Router& router, const TraceQueries& traces, const LogTable& logs,
                         const MetricTable& metrics);

}  // namespace periscope
