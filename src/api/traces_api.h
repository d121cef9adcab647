#pragma once

#include "api/router.h"
#include "query/trace_queries.h"

namespace periscope {

// Registers /api/traces, /api/traces/{id}, /api/services and operations (docs/api.md).
void RegisterTracesApi(Router& router, const TraceQueries& queries);

}  // namespace periscope
