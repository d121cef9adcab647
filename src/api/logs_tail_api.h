#pragma once

#include "api/router.h"
#include "query/logs/log_tail.h"

namespace periscope {

// Registers GET /api/logs/tail?q= (docs/api.md): matching log rows as server-sent events, as
// they are acknowledged.
void RegisterLogsTailApi(Router& router, LogTailHub& hub);

}  // namespace periscope
