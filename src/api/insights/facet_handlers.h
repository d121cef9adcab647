#pragma once

#include "api/http_types.h"
#include "query/trace_queries.h"
#include "storage/logs/log_table.h"

namespace periscope {

// GET /api/traces/facets: value counts of span fields and a duration histogram over the spans
// matching the trace-search parameters and `q` (docs/api.md "Insights").
HttpResponse HandleTraceFacets(const TraceQueries& traces, const HttpRequest& req);
// GET /api/traces/attributes: the span and resource attribute keys of the spans matching the
// trace-search parameters and `q`, by frequency (for a facet picker).
HttpResponse HandleTraceAttributeKeys(const TraceQueries& traces, const HttpRequest& req);
// GET /api/logs/facets: value counts of log fields over the logs matching `q`.
HttpResponse HandleLogFacets(const LogTable& logs, const HttpRequest& req);

}  // namespace periscope
