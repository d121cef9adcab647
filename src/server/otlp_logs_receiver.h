#pragma once

#include <grpcpp/impl/codegen/service_type.h>

#include <memory>

#include "api/router.h"
#include "server/log_pipeline.h"
#include "server/otlp_http_receiver.h"

namespace periscope {

// Registers POST /v1/logs (OTLP/HTTP, protobuf or JSON, optionally gzip; same status rules as
// /v1/traces) on a router. The pipeline must outlive the router.
void RegisterOtlpLogsHttpReceiver(Router& router, LogPipeline& pipeline, OtlpHttpOptions options);

// The OTLP LogsService/Export gRPC service feeding `pipeline`, to register on a grpc::Server
// (thread-safe; the pipeline must outlive it).
std::unique_ptr<grpc::Service> NewOtlpLogsGrpcService(LogPipeline& pipeline);

}  // namespace periscope
