#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace periscope::demo {

// Sends ExportTraceServiceRequests to an OTLP receiver, like an SDK's span exporter.
class TraceExporter {
 public:
  virtual ~TraceExporter() = default;
  // Unavailable when the receiver cannot be reached or refuses the request.
  virtual Status Export(
      const ::opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest& request) = 0;
};

// OTLP/gRPC exporter over the generated TraceService stub (5 s deadline). Thread-safe.
std::unique_ptr<TraceExporter> NewGrpcTraceExporter(const std::string& target);

// OTLP/HTTP protobuf exporter (POST /v1/traces) over one keep-alive connection, reconnecting
// when it breaks (5 s timeout). Not thread-safe.
std::unique_ptr<TraceExporter> NewHttpTraceExporter(const std::string& host_port);

}  // namespace periscope::demo
