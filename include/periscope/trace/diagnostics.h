#pragma once

#include <functional>
#include <string_view>

#include "periscope/trace/common.h"

namespace periscope::trace {

// How much the SDK reports about itself: failed exports (kError), retries (kDebug), partial
// successes, dropped items and timed-out shutdowns (kWarn), recoveries (kInfo). Each level
// includes the ones before it.
enum class DiagnosticLevel { kNone, kError, kWarn, kInfo, kDebug };

// Receives the SDK's diagnostics: the level and a one-line message without a prefix. Called from
// the SDK's export threads (and from setup code), never from the thread that ends a span; it must
// be thread-safe.
using DiagnosticHandler = std::function<void(DiagnosticLevel level, std::string_view message)>;

// Routes diagnostics to `handler` instead of stderr (`periscope-sdk: <level>: <message>` lines);
// an empty handler restores stderr. Exceptions thrown by the handler are swallowed.
void SetDiagnosticHandler(DiagnosticHandler handler);

// The most detailed level reported; initially from OTEL_LOG_LEVEL (default kInfo).
void SetDiagnosticLevel(DiagnosticLevel level);
DiagnosticLevel GetDiagnosticLevel();

// "none", "error", "warn", "info" or "debug", case-insensitive; anything else is kInfo.
DiagnosticLevel ParseDiagnosticLevel(std::string_view text);
// OTEL_LOG_LEVEL parsed as above; kInfo when unset.
DiagnosticLevel DiagnosticLevelFromEnv(const EnvGetter& env = SystemEnv());
// "none", "error", "warn", "info", "debug".
std::string_view DiagnosticLevelName(DiagnosticLevel level);

}  // namespace periscope::trace
