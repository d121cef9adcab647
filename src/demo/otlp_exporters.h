#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace periscope::demo {

using ExportTraceServiceRequest =
    ::opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;
using ExportLogsServiceRequest =
    ::opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using ExportMetricsServiceRequest =
    ::opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest;

// Sends OTLP export requests of the three signals to one receiver, like an SDK's exporters.
// Every Export returns Unavailable when the request may succeed if retried (the receiver is
// unreachable, or answers HTTP 429/502/503/504 or gRPC UNAVAILABLE/RESOURCE_EXHAUSTED), and
// InvalidArgument when the receiver refused it (another error status or a partial rejection).
class OtlpExporter {
 public:
  virtual ~OtlpExporter() = default;
  virtual Status Export(const ExportTraceServiceRequest& request) = 0;
  virtual Status Export(const ExportLogsServiceRequest& request) = 0;
  virtual Status Export(const ExportMetricsServiceRequest& request) = 0;
};

// OTLP/gRPC exporter over the generated stubs of one channel (5 s deadline). Thread-safe.
std::unique_ptr<OtlpExporter> NewGrpcExporter(const std::string& target);

// OTLP/HTTP protobuf exporter (POST /v1/traces, /v1/logs, /v1/metrics) over one keep-alive
// connection, reconnecting when it breaks (5 s timeout). Not thread-safe.
std::unique_ptr<OtlpExporter> NewHttpExporter(const std::string& host_port);

// True for the errors Export documents as worth retrying.
inline bool IsRetryable(const Status& status) { return status.code() == StatusCode::kUnavailable; }

}  // namespace periscope::demo
