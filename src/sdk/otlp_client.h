#pragma once

#include <google/protobuf/message.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>

#include "sdk/diagnostic_throttle.h"
#include "sdk/otlp_transport.h"

namespace periscope::trace::internal {

// An OTLP transport with retries: exponential backoff with jitter on retryable outcomes,
// honouring server-given delays; Shutdown cuts a backoff wait short. Reports lost batches,
// retries, partial successes and recoveries as diagnostics (throttled). Export is called by one
// thread at a time; Shutdown and stats from any thread.
class OtlpClient {
 public:
  OtlpClient(OtlpExporterOptions options, OtlpSignal signal);

  // Serializes request (an Export*ServiceRequest of the client's signal) and exports it.
  ExportResult Export(const google::protobuf::Message& request);
  // Exports an already serialized Export*ServiceRequest; it is sent as is on every attempt.
  ExportResult ExportSerialized(std::string_view request);
  void Shutdown();
  OtlpExporterStats stats() const;

  // The delay before retry number `retry` (0-based), before any server-given delay.
  static std::chrono::milliseconds Backoff(const RetryPolicy& policy, int retry,
                                           double unit_random);

 private:
  // Counts and reports a batch given up after `attempts` sends; returns the export's result.
  ExportResult Fail(std::string_view request, std::string why, int attempts);
  void ReportSuccess(std::string_view request, const SendOutcome& outcome);
  // The items in request, for a message ("512 spans").
  std::string DescribeItems(std::string_view request) const;

  const OtlpExporterOptions options_;
  const OtlpSignal signal_;
  const std::string endpoint_;
  std::unique_ptr<OtlpTransport> transport_;
  std::string setup_error_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool shut_down_ = false;
  OtlpExporterStats stats_;
  std::mt19937_64 rng_{std::random_device{}()};
  std::string serialized_;        // Export's buffer, reused between calls
  uint64_t failed_in_a_row_ = 0;  // exports given up since the last success, guarded by mu_
  DiagnosticThrottle failure_diagnostics_;
  DiagnosticThrottle retry_diagnostics_;
  DiagnosticThrottle partial_success_diagnostics_;
};

}  // namespace periscope::trace::internal
