#pragma once

#include "api/router.h"

namespace periscope {

// Serves the start page at "/": until the web UI lands, a small HTML page that searches traces
// through /api/traces and shows one trace as a waterfall.
void RegisterUiPage(Router& router);

}  // namespace periscope
