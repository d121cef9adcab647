#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "periscope/trace/diagnostics.h"

namespace periscope::testing {

// Installs a diagnostic handler that records what the SDK reports, at `level`, for its lifetime;
// then restores stderr and the previous level. Thread-safe.
class CapturedDiagnostics {
 public:
  struct Entry {
    trace::DiagnosticLevel level;
    std::string message;
  };

  explicit CapturedDiagnostics(trace::DiagnosticLevel level = trace::DiagnosticLevel::kDebug)
      : previous_level_(trace::GetDiagnosticLevel()) {
    trace::SetDiagnosticLevel(level);
    trace::SetDiagnosticHandler([this](trace::DiagnosticLevel l, std::string_view message) {
      std::lock_guard<std::mutex> lock(mu_);
      entries_.push_back({l, std::string(message)});
    });
  }
  ~CapturedDiagnostics() {
    trace::SetDiagnosticHandler({});
    trace::SetDiagnosticLevel(previous_level_);
  }

  std::vector<Entry> entries() const {
    std::lock_guard<std::mutex> lock(mu_);
    return entries_;
  }
  // The messages reported at exactly `level`.
  std::vector<std::string> messages(trace::DiagnosticLevel level) const {
    std::vector<std::string> out;
    for (const Entry& e : entries()) {
      if (e.level == level) out.push_back(e.message);
    }
    return out;
  }

 private:
  const trace::DiagnosticLevel previous_level_;
  mutable std::mutex mu_;
  std::vector<Entry> entries_;
};

}  // namespace periscope::testing
