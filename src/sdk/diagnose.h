#pragma once

#include <string>
#include <string_view>

#include "periscope/trace/diagnostics.h"

namespace periscope::trace::internal {

// Whether a diagnostic of `level` would be reported now (a relaxed atomic load).
bool DiagnosticEnabled(DiagnosticLevel level);

// Reports one diagnostic to the installed handler, else to stderr, when `level` is enabled. Call
// it only from export threads and setup code, never on the span path.
void Diagnose(DiagnosticLevel level, std::string_view message);

// The stderr form of a diagnostic: "periscope-sdk: <level>: <message>\n".
std::string FormatDiagnosticLine(DiagnosticLevel level, std::string_view message);

}  // namespace periscope::trace::internal
