#pragma once

#include <optional>
#include <string>

#include "bench_common.h"

namespace rpcbench {

// Serves the echo service over Periscope RPC on 127.0.0.1 (any port, written to port_file) on
// one io_context thread until SIGINT/SIGTERM. Returns the exit code.
int ServePeriscope(const std::string& port_file, std::optional<periscope::trace::Tracer> tracer);

// Runs `concurrency` call loops over one connection on one thread; returns the summary line,
// or an error line starting with "error".
std::string RunPeriscopeClient(const ClientSettings& settings,
                               std::optional<periscope::trace::Tracer> tracer);

}  // namespace rpcbench
