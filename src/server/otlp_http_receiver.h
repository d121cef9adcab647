#pragma once

#include "api/router.h"
#include "server/trace_pipeline.h"

namespace periscope {

struct OtlpHttpOptions {
  size_t max_decoded_bytes = 20u << 20;  // after decompression; larger gets 413
};

// Registers POST /v1/traces (OTLP/HTTP, protobuf or JSON, optionally gzip) on a router.
void RegisterOtlpHttpReceiver(Router& router, TracePipeline& pipeline, OtlpHttpOptions options);

}  // namespace periscope
