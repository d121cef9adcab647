#include "sdk/otlp_partial_success.h"

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace periscope::trace::internal {
namespace {

namespace collector = ::opentelemetry::proto::collector;

template <class Response, class Rejected>
void Read(std::string_view response, Rejected rejected, SendOutcome* out) {
  Response parsed;
  if (!parsed.ParseFromArray(response.data(), static_cast<int>(response.size()))) return;
  out->rejected = rejected(parsed.partial_success());
  out->partial_success_message = parsed.partial_success().error_message();
}

}  // namespace

void ReadPartialSuccess(OtlpSignal signal, std::string_view response, SendOutcome* out) {
  if (response.empty()) return;
  switch (signal) {
    case OtlpSignal::kTraces:
      Read<collector::trace::v1::ExportTraceServiceResponse>(
          response, [](const auto& p) { return p.rejected_spans(); }, out);
      return;
    case OtlpSignal::kLogs:
      Read<collector::logs::v1::ExportLogsServiceResponse>(
          response, [](const auto& p) { return p.rejected_log_records(); }, out);
      return;
    case OtlpSignal::kMetrics:
      Read<collector::metrics::v1::ExportMetricsServiceResponse>(
          response, [](const auto& p) { return p.rejected_data_points(); }, out);
      return;
  }
}

}  // namespace periscope::trace::internal
