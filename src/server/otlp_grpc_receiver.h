#pragma once

#include <grpcpp/impl/service_type.h>

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "server/trace_pipeline.h"

namespace periscope {

struct OtlpGrpcOptions {
  std::string listen = "0.0.0.0:4317";
  int max_receive_bytes = 4 << 20;
};

// OTLP/gRPC receiver (TraceService/Export) on its own gRPC server. Start/Stop from one thread.
class OtlpGrpcReceiver {
 public:
  OtlpGrpcReceiver(OtlpGrpcOptions options, TracePipeline& pipeline);
  ~OtlpGrpcReceiver();
  // Hosts another OTLP service (logs, metrics) on the same port; call before Start.
  void AddService(std::unique_ptr<grpc::Service> service);
  // IOError when the address cannot be bound.
  Status Start();
  void Stop();
  uint16_t port() const { return port_; }

 private:
  struct Impl;
  OtlpGrpcOptions options_;
  TracePipeline& pipeline_;
  std::unique_ptr<Impl> impl_;
  std::vector<std::unique_ptr<grpc::Service>> extra_services_;
  uint16_t port_ = 0;
};

}  // namespace periscope
