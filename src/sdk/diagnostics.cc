#include "periscope/trace/diagnostics.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>

#include "sdk/diagnose.h"
#include "sdk/text_util.h"

namespace periscope::trace {
namespace {

// The process's diagnostic level and handler. Thread-safe; never destroyed, so that exporters
// torn down by static destructors can still report.
struct DiagnosticState {
  std::atomic<DiagnosticLevel> level{DiagnosticLevelFromEnv()};
  std::mutex mu;
  std::shared_ptr<const DiagnosticHandler> handler;  // null: stderr
};

bool EqualIgnoringAsciiCase(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [&](char x, char y) { return lower(x) == lower(y); });
}

DiagnosticState& State() {
  static DiagnosticState* state = new DiagnosticState;
  return *state;
}

}  // namespace

void SetDiagnosticHandler(DiagnosticHandler handler) {
  std::shared_ptr<const DiagnosticHandler> installed;
  if (handler) installed = std::make_shared<const DiagnosticHandler>(std::move(handler));
  DiagnosticState& state = State();
  std::lock_guard<std::mutex> lock(state.mu);
  state.handler.swap(installed);
}

void SetDiagnosticLevel(DiagnosticLevel level) {
  State().level.store(level, std::memory_order_relaxed);
}

DiagnosticLevel GetDiagnosticLevel() { return State().level.load(std::memory_order_relaxed); }

DiagnosticLevel ParseDiagnosticLevel(std::string_view text) {
  text = internal::TrimOws(text);
  for (DiagnosticLevel level : {DiagnosticLevel::kNone, DiagnosticLevel::kError,
                                DiagnosticLevel::kWarn, DiagnosticLevel::kDebug}) {
    if (EqualIgnoringAsciiCase(text, DiagnosticLevelName(level))) return level;
  }
  return DiagnosticLevel::kInfo;
}

DiagnosticLevel DiagnosticLevelFromEnv(const EnvGetter& env) {
  std::optional<std::string> value = env("OTEL_LOG_LEVEL");
  return value ? ParseDiagnosticLevel(*value) : DiagnosticLevel::kInfo;
}

std::string_view DiagnosticLevelName(DiagnosticLevel level) {
  switch (level) {
    case DiagnosticLevel::kNone:
      return "none";
    case DiagnosticLevel::kError:
      return "error";
    case DiagnosticLevel::kWarn:
      return "warn";
    case DiagnosticLevel::kInfo:
      return "info";
    case DiagnosticLevel::kDebug:
      return "debug";
  }
  return "";
}

namespace internal {

bool DiagnosticEnabled(DiagnosticLevel level) {
  return level != DiagnosticLevel::kNone && level <= GetDiagnosticLevel();
}

void Diagnose(DiagnosticLevel level, std::string_view message) {
  if (!DiagnosticEnabled(level)) return;
  DiagnosticState& state = State();
  std::shared_ptr<const DiagnosticHandler> handler;
  {
    std::lock_guard<std::mutex> lock(state.mu);
    handler = state.handler;
  }
  if (!handler) {
    std::string line = FormatDiagnosticLine(level, message);
    std::fwrite(line.data(), 1, line.size(), stderr);  // one write: lines do not interleave
    return;
  }
  try {
    (*handler)(level, message);
  } catch (...) {
  }
}

std::string FormatDiagnosticLine(DiagnosticLevel level, std::string_view message) {
  std::string line = "periscope-sdk: ";
  line += DiagnosticLevelName(level);
  line += ": ";
  line += message;
  line += '\n';
  return line;
}

}  // namespace internal
}  // namespace periscope::trace
