#include "sdk/otlp_request_items.h"

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace periscope::trace::internal {
namespace {

namespace collector = ::opentelemetry::proto::collector;
namespace metrics = ::opentelemetry::proto::metrics::v1;

int64_t DataPoints(const metrics::Metric& metric) {
  switch (metric.data_case()) {
    case metrics::Metric::kGauge:
      return metric.gauge().data_points_size();
    case metrics::Metric::kSum:
      return metric.sum().data_points_size();
    case metrics::Metric::kHistogram:
      return metric.histogram().data_points_size();
    case metrics::Metric::kExponentialHistogram:
      return metric.exponential_histogram().data_points_size();
    case metrics::Metric::kSummary:
      return metric.summary().data_points_size();
    case metrics::Metric::DATA_NOT_SET:
      return 0;
  }
  return 0;
}

template <class Request>
std::optional<Request> Parse(std::string_view request) {
  Request parsed;
  if (!parsed.ParseFromArray(request.data(), static_cast<int>(request.size()))) {
    return std::nullopt;
  }
  return parsed;
}

}  // namespace

std::optional<int64_t> CountRequestItems(OtlpSignal signal, std::string_view request) {
  int64_t n = 0;
  switch (signal) {
    case OtlpSignal::kTraces: {
      auto parsed = Parse<collector::trace::v1::ExportTraceServiceRequest>(request);
      if (!parsed) return std::nullopt;
      for (const auto& rs : parsed->resource_spans()) {
        for (const auto& ss : rs.scope_spans()) n += ss.spans_size();
      }
      return n;
    }
    case OtlpSignal::kLogs: {
      auto parsed = Parse<collector::logs::v1::ExportLogsServiceRequest>(request);
      if (!parsed) return std::nullopt;
      for (const auto& rl : parsed->resource_logs()) {
        for (const auto& sl : rl.scope_logs()) n += sl.log_records_size();
      }
      return n;
    }
    case OtlpSignal::kMetrics: {
      auto parsed = Parse<collector::metrics::v1::ExportMetricsServiceRequest>(request);
      if (!parsed) return std::nullopt;
      for (const auto& rm : parsed->resource_metrics()) {
        for (const auto& sm : rm.scope_metrics()) {
          for (const auto& metric : sm.metrics()) n += DataPoints(metric);
        }
      }
      return n;
    }
  }
  return std::nullopt;
}

std::string CountOfItems(OtlpSignal signal, int64_t n) {
  std::string text = std::to_string(n);
  switch (signal) {
    case OtlpSignal::kTraces:
      text += " span";
      break;
    case OtlpSignal::kLogs:
      text += " log record";
      break;
    case OtlpSignal::kMetrics:
      text += " metric data point";
      break;
  }
  if (n != 1) text += 's';
  return text;
}

}  // namespace periscope::trace::internal
