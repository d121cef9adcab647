#include "sdk/queue_drop_reporter.h"

namespace periscope::trace::internal {

void QueueDropReporter::Report(uint64_t dropped, DiagnosticThrottle::TimePoint now) {
  if (!DiagnosticEnabled(DiagnosticLevel::kWarn)) return;
  uint64_t since_last;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (dropped <= reported_ || !throttle_.Admit(now)) return;
    since_last = dropped - reported_;
    reported_ = dropped;
  }
  Diagnose(DiagnosticLevel::kWarn, owner_ + " dropped " + std::to_string(since_last) + " " +
                                       items_ + " (" + std::to_string(dropped) +
                                       " in all): its queue (max_queue_size " +
                                       std::to_string(max_queue_size_) + ") was full, " + items_ +
                                       " arrive faster than they are exported");
}

}  // namespace periscope::trace::internal
