#pragma once

#include <memory>

#include "api/router.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.grpc.pb.h"
#include "server/metrics_pipeline.h"

namespace periscope {

struct MetricsHttpOptions {
  size_t max_decoded_bytes = 32u << 20;  // after decompression; larger gets 413
};

// Registers POST /v1/metrics (OTLP/HTTP, protobuf or JSON, optionally gzip) and Prometheus
// remote write at POST /api/v1/write and /prometheus/api/v1/write (snappy protobuf; 204 on
// success, 400 for a body that does not decode, 415 for another content type or encoding,
// 413 when too large, 503 when it cannot be made durable).
void RegisterMetricsHttpReceivers(Router& router, MetricsPipeline& pipeline,
                                  MetricsHttpOptions options);

// OTLP/gRPC MetricsService/Export feeding the metrics pipeline; register it on the OTLP gRPC
// server beside the trace service. Thread-safe.
class MetricsGrpcService final
    : public opentelemetry::proto::collector::metrics::v1::MetricsService::Service {
 public:
  explicit MetricsGrpcService(MetricsPipeline& pipeline) : pipeline_(pipeline) {}
  grpc::Status Export(
      grpc::ServerContext* ctx,
      const opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest* request,
      opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceResponse* response)
      override;

 private:
  MetricsPipeline& pipeline_;
};

}  // namespace periscope
