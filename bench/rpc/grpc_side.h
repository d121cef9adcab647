#pragma once

#include <optional>
#include <string>

#include "bench_common.h"

namespace rpcbench {

// Serves the echo service over gRPC (callback API) on 127.0.0.1 (any port, written to
// port_file) until SIGINT/SIGTERM. With a tracer, each call gets a SERVER span continuing the
// caller's `traceparent` metadata, as Periscope RPC does. Returns the exit code.
int ServeGrpc(const std::string& port_file, std::optional<periscope::trace::Tracer> tracer);

// Runs `concurrency` outstanding calls over one channel, driven by one completion-queue thread;
// with a tracer, each call gets a CLIENT span injected as `traceparent` metadata. Returns the
// summary line, or an error line starting with "error".
std::string RunGrpcClient(const ClientSettings& settings,
                          std::optional<periscope::trace::Tracer> tracer);

}  // namespace rpcbench
