#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "sdk/diagnostic_throttle.h"

namespace periscope::trace::internal {

// Reports, as a throttled warning, the items a batch queue dropped since its last report. Meant
// for the queue's export thread, after each export; thread-safe.
class QueueDropReporter {
 public:
  // owner: "BatchSpanProcessor"; items: "spans".
  QueueDropReporter(std::string_view owner, std::string_view items, size_t max_queue_size)
      : owner_(owner), items_(items), max_queue_size_(max_queue_size) {}

  // dropped: the queue's count of dropped items so far.
  void Report(uint64_t dropped,
              DiagnosticThrottle::TimePoint now = std::chrono::steady_clock::now());

 private:
  const std::string owner_;
  const std::string items_;
  const size_t max_queue_size_;
  std::mutex mu_;
  uint64_t reported_ = 0;  // the dropped count of the last report
  DiagnosticThrottle throttle_;
};

}  // namespace periscope::trace::internal
