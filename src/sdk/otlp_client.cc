#include "sdk/otlp_client.h"

#include <algorithm>
#include <cmath>

#include "sdk/otlp_request_items.h"

namespace periscope::trace::internal {

OtlpClient::OtlpClient(OtlpExporterOptions options, OtlpSignal signal)
    : options_(std::move(options)),
      signal_(signal),
      endpoint_(options_.endpoint.empty() ? DefaultEndpoint(options_.protocol, signal)
                                          : options_.endpoint) {
  if (options_.protocol == OtlpProtocol::kGrpc) {
    transport_ = MakeGrpcTransport(options_, signal, &setup_error_);
  } else {
    transport_ = MakeHttpTransport(options_, signal, &setup_error_);
  }
  if (!transport_) {
    Diagnose(DiagnosticLevel::kError,
             "OTLP exporter for " + endpoint_ + " cannot export: " + setup_error_);
  }
}

std::chrono::milliseconds OtlpClient::Backoff(const RetryPolicy& policy, int retry,
                                              double unit_random) {
  double base = static_cast<double>(policy.initial_backoff.count()) *
                std::pow(std::max(policy.multiplier, 1.0), retry);
  base = std::min(base, static_cast<double>(policy.max_backoff.count()));
  double jitter = std::clamp(policy.jitter, 0.0, 1.0);
  double factor = 1.0 + jitter * (2.0 * unit_random - 1.0);
  return std::chrono::milliseconds(static_cast<int64_t>(std::max(0.0, base * factor)));
}

ExportResult OtlpClient::Export(const google::protobuf::Message& request) {
  serialized_.clear();
  request.AppendToString(&serialized_);
  return ExportSerialized(serialized_);
}

ExportResult OtlpClient::ExportSerialized(std::string_view request) {
  if (!transport_) return Fail(request, setup_error_, 0);
  const int max_attempts = std::max(options_.retry.max_attempts, 1);
  for (int attempt = 1;; ++attempt) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (shut_down_) {
        lock.unlock();
        return Fail(request, "OTLP exporter is shut down", attempt - 1);
      }
      stats_.requests++;
    }
    SendOutcome out = transport_->Send(request);
    if (out.result.ok()) {
      ReportSuccess(request, out);
      return out.result;
    }
    if (out.result.code != ExportResult::Code::kRetryable || attempt >= max_attempts) {
      return Fail(request, std::move(out.result.message), attempt);
    }
    std::unique_lock<std::mutex> lock(mu_);
    std::chrono::milliseconds delay =
        Backoff(options_.retry, attempt - 1, std::uniform_real_distribution<double>(0, 1)(rng_));
    if (out.result.retry_after) {
      delay = std::min(*out.result.retry_after, options_.retry.max_backoff * 4);
    }
    stats_.retries++;
    lock.unlock();
    DiagnoseThrottled(retry_diagnostics_, DiagnosticLevel::kDebug, [&] {
      return "OTLP export to " + endpoint_ + ": attempt " + std::to_string(attempt) + " of " +
             std::to_string(max_attempts) + " failed, retrying in " +
             std::to_string(delay.count()) + " ms: " + out.result.message;
    });
    lock.lock();
    if (cv_.wait_for(lock, delay, [&] { return shut_down_; })) {
      lock.unlock();
      return Fail(request, "OTLP exporter shut down during retry backoff: " + out.result.message,
                  attempt);
    }
  }
}

ExportResult OtlpClient::Fail(std::string_view request, std::string why, int attempts) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.failures++;
    failed_in_a_row_++;
  }
  DiagnoseThrottled(failure_diagnostics_, DiagnosticLevel::kError, [&] {
    std::string message = "OTLP export to " + endpoint_;
    message += attempts == 0 ? " not sent"
                             : " failed after " + std::to_string(attempts) +
                                   (attempts == 1 ? " attempt" : " attempts");
    return message + ", " + DescribeItems(request) + " lost: " + why;
  });
  return ExportResult::Failure(std::move(why));
}

void OtlpClient::ReportSuccess(std::string_view request, const SendOutcome& outcome) {
  uint64_t failed_before;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.rejected += static_cast<uint64_t>(std::max<int64_t>(outcome.rejected, 0));
    failed_before = std::exchange(failed_in_a_row_, 0);
  }
  if (failed_before > 0) {
    Diagnose(DiagnosticLevel::kInfo, "OTLP export to " + endpoint_ + " succeeded again after " +
                                         std::to_string(failed_before) + " failed exports");
  }
  if (outcome.rejected > 0 || !outcome.partial_success_message.empty()) {
    DiagnoseThrottled(partial_success_diagnostics_, DiagnosticLevel::kWarn, [&] {
      return "OTLP export to " + endpoint_ + ": the collector rejected " +
             std::to_string(outcome.rejected) + " of " + DescribeItems(request) + ": " +
             (outcome.partial_success_message.empty() ? "(no message)"
                                                      : outcome.partial_success_message);
    });
  }
}

std::string OtlpClient::DescribeItems(std::string_view request) const {
  std::optional<int64_t> n = CountRequestItems(signal_, request);
  return n ? CountOfItems(signal_, *n) : std::string("an unparseable batch");
}

void OtlpClient::Shutdown() {
  std::lock_guard<std::mutex> lock(mu_);
  shut_down_ = true;
  cv_.notify_all();
}

OtlpExporterStats OtlpClient::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace periscope::trace::internal
