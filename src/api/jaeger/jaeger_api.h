#pragma once

#include <boost/json.hpp>

#include "api/router.h"
#include "query/trace_queries.h"

namespace periscope {

// Registers the Jaeger query API under /jaeger/api/ (services, operations, traces search and
// trace by id) in Jaeger's JSON shapes, for Grafana's Jaeger data source.
void RegisterJaegerApi(Router& router, const TraceQueries& queries);

// Jaeger's JSON for one trace (all its spans).
boost::json::object JaegerTraceJson(const SpanBatch& trace);

}  // namespace periscope
