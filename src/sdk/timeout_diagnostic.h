#pragma once

#include <chrono>
#include <string_view>

namespace periscope::trace::internal {

// Reports, as a warning diagnostic, that `operation` of `owner` ("BatchSpanProcessor",
// "shutdown") gave up after `timeout`, and what follows from it (`consequence`).
void DiagnoseTimeout(std::string_view owner, std::string_view operation,
                     std::chrono::milliseconds timeout, std::string_view consequence);

}  // namespace periscope::trace::internal
