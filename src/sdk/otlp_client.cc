#include "sdk/otlp_client.h"

#include <algorithm>
#include <cmath>

namespace periscope::trace::internal {

OtlpClient::OtlpClient(OtlpExporterOptions options, OtlpSignal signal)
    : options_(std::move(options)) {
  if (options_.protocol == OtlpProtocol::kGrpc) {
    transport_ = MakeGrpcTransport(options_, signal);
  } else {
    transport_ = MakeHttpTransport(options_, signal, &setup_error_);
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
  if (!transport_) {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.failures++;
    return ExportResult::Failure(setup_error_);
  }
  const int max_attempts = std::max(options_.retry.max_attempts, 1);
  for (int attempt = 0;; ++attempt) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (shut_down_) {
        stats_.failures++;
        return ExportResult::Failure("OTLP exporter is shut down");
      }
      stats_.requests++;
    }
    SendOutcome out = transport_->Send(request);
    std::unique_lock<std::mutex> lock(mu_);
    if (out.result.ok()) {
      stats_.rejected += static_cast<uint64_t>(std::max<int64_t>(out.rejected, 0));
      return out.result;
    }
    if (out.result.code != ExportResult::Code::kRetryable || attempt + 1 >= max_attempts) {
      stats_.failures++;
      return ExportResult::Failure(std::move(out.result.message));
    }
    std::chrono::milliseconds delay =
        Backoff(options_.retry, attempt, std::uniform_real_distribution<double>(0, 1)(rng_));
    if (out.result.retry_after) {
      delay = std::min(*out.result.retry_after, options_.retry.max_backoff * 4);
    }
    stats_.retries++;
    if (cv_.wait_for(lock, delay, [&] { return shut_down_; })) {
      stats_.failures++;
      return ExportResult::Failure("OTLP exporter shut down during retry backoff: " +
                                   out.result.message);
    }
  }
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
