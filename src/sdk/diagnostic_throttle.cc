#include "sdk/diagnostic_throttle.h"

namespace periscope::trace::internal {

std::optional<uint64_t> DiagnosticThrottle::Admit(TimePoint now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (last_written_ && now - *last_written_ < interval_) {
    held_back_++;
    return std::nullopt;
  }
  last_written_ = now;
  return std::exchange(held_back_, 0);
}

}  // namespace periscope::trace::internal
