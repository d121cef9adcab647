#include "sdk/timeout_diagnostic.h"

#include <string>

#include "sdk/diagnose.h"

namespace periscope::trace::internal {

void DiagnoseTimeout(std::string_view owner, std::string_view operation,
                     std::chrono::milliseconds timeout, std::string_view consequence) {
  if (!DiagnosticEnabled(DiagnosticLevel::kWarn)) return;
  std::string message(owner);
  message += ' ';
  message += operation;
  message += " timed out after " + std::to_string(timeout.count()) + " ms: ";
  message += consequence;
  Diagnose(DiagnosticLevel::kWarn, message);
}

}  // namespace periscope::trace::internal
