#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loadgen/load_generator.h"

namespace periscope::loadgen {

// Pacing, stop condition and tallies of one RunLoad; times are MonotonicNanos. Used from the one
// thread that drives the senders; not thread-safe.
class LoadRun {
 public:
  LoadRun(const LoadOptions& options, int64_t start_ns);

  // Nullopt when no further request should start (deadline passed or enough spans acked or in
  // flight); otherwise the earliest time the next request may start.
  std::optional<int64_t> NextSendTime(int64_t now_ns) const;
  void OnSend();
  void OnSuccess(uint64_t spans_acked, uint64_t body_bytes, int64_t latency_ns);
  void OnFailure(std::string_view error);
  int in_flight() const { return in_flight_; }
  // How long to wait before a slot retries after a failure.
  static constexpr int64_t kRetryBackoffNs = 50'000'000;

  LoadReport Finish(int64_t end_ns);

 private:
  double spans_per_second_;
  uint64_t spans_per_request_;
  uint64_t total_spans_;
  int64_t start_ns_;
  int64_t deadline_ns_;  // INT64_MAX when none
  uint64_t issued_ = 0;
  int in_flight_ = 0;
  LoadReport report_;
  std::vector<double> latencies_ms_;
};

}  // namespace periscope::loadgen
