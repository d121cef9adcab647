#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "sdk/diagnose.h"

namespace periscope::trace::internal {

// Lets one kind of diagnostic through at most once per interval and counts the ones it holds
// back. Thread-safe.
class DiagnosticThrottle {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  static constexpr std::chrono::seconds kDefaultInterval{10};

  explicit DiagnosticThrottle(std::chrono::steady_clock::duration interval = kDefaultInterval)
      : interval_(interval) {}

  // When a message may be written at `now`: how many were held back since the last one written.
  // Otherwise nullopt, and the message is counted as held back.
  std::optional<uint64_t> Admit(TimePoint now);

 private:
  std::mutex mu_;
  const std::chrono::steady_clock::duration interval_;
  std::optional<TimePoint> last_written_;
  uint64_t held_back_ = 0;
};

// Reports make() at `level` unless the level is off or the throttle holds it back; make() runs
// only for a message that is written. One written after others were held back says how many.
template <class MakeMessage>
void DiagnoseThrottled(DiagnosticThrottle& throttle, DiagnosticLevel level, MakeMessage&& make,
                       DiagnosticThrottle::TimePoint now = std::chrono::steady_clock::now()) {
  if (!DiagnosticEnabled(level)) return;
  std::optional<uint64_t> held_back = throttle.Admit(now);
  if (!held_back) return;
  std::string message = std::forward<MakeMessage>(make)();
  if (*held_back > 0) {
    message += " (" + std::to_string(*held_back) + " similar messages suppressed)";
  }
  Diagnose(level, message);
}

}  // namespace periscope::trace::internal
