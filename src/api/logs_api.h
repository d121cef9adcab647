#pragma once

#include <boost/json.hpp>

#include "api/router.h"
#include "model/log_batch.h"
#include "storage/logs/log_table.h"

namespace periscope {

// Registers GET /api/logs, /api/logs/histogram and /api/traces/{id}/logs (docs/api.md) over
// `table`, which must outlive the router. Handlers are thread-safe.
void RegisterLogsApi(Router& router, const LogTable& table);

// The JSON form of one log row in /api/logs answers.
boost::json::object LogToJson(const LogBatch& batch, size_t row);

}  // namespace periscope
