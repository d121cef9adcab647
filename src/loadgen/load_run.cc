#include "loadgen/load_run.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace periscope::loadgen {
namespace {

double Percentile(std::vector<double>& values, double q) {
  if (values.empty()) return 0;
  size_t k = static_cast<size_t>(q * static_cast<double>(values.size() - 1) + 0.5);
  std::nth_element(values.begin(), values.begin() + static_cast<ptrdiff_t>(k), values.end());
  return values[k];
}

}  // namespace

LoadRun::LoadRun(const LoadOptions& options, int64_t start_ns)
    : spans_per_second_(options.spans_per_second),
      spans_per_request_(static_cast<uint64_t>(options.spans_per_request)),
      total_spans_(options.total_spans),
      start_ns_(start_ns),
      deadline_ns_(options.duration_seconds > 0
                       ? start_ns + static_cast<int64_t>(options.duration_seconds * 1e9)
                       : std::numeric_limits<int64_t>::max()) {}

std::optional<int64_t> LoadRun::NextSendTime(int64_t now_ns) const {
  if (now_ns >= deadline_ns_) return std::nullopt;
  if (total_spans_ > 0 &&
      report_.spans_acked + static_cast<uint64_t>(in_flight_) * spans_per_request_ >=
          total_spans_) {
    return std::nullopt;
  }
  if (spans_per_second_ <= 0) return now_ns;
  double offset_s = static_cast<double>(issued_ * spans_per_request_) / spans_per_second_;
  return start_ns_ + static_cast<int64_t>(offset_s * 1e9);
}

void LoadRun::OnSend() {
  ++issued_;
  ++in_flight_;
}

void LoadRun::OnSuccess(uint64_t spans_acked, uint64_t body_bytes, int64_t latency_ns) {
  --in_flight_;
  ++report_.requests_ok;
  report_.spans_acked += spans_acked;
  report_.bytes_sent += body_bytes;
  latencies_ms_.push_back(static_cast<double>(latency_ns) / 1e6);
}

void LoadRun::OnFailure(std::string_view error) {
  --in_flight_;
  ++report_.requests_failed;
  if (report_.first_error.empty()) report_.first_error = std::string(error);
}

LoadReport LoadRun::Finish(int64_t end_ns) {
  LoadReport r = report_;
  r.seconds = static_cast<double>(end_ns - start_ns_) / 1e9;
  r.spans_per_second = r.seconds > 0 ? static_cast<double>(r.spans_acked) / r.seconds : 0;
  r.p50_ms = Percentile(latencies_ms_, 0.50);
  r.p99_ms = Percentile(latencies_ms_, 0.99);
  return r;
}

}  // namespace periscope::loadgen
