#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "bench_common.h"

namespace rpcbench {

// Serves the echo service over Periscope RPC on 127.0.0.1 (any port, written to port_file) on
// one io_context thread until SIGINT/SIGTERM. Returns the exit code.
// With plain_port_file, it also serves the service untraced on a second port, written there, on
// the same thread: the pair of servers RunPeriscopeAlternating compares.
int ServePeriscope(const std::string& port_file, std::optional<periscope::trace::Tracer> tracer,
                   const std::string& plain_port_file = {});

// Runs `concurrency` call loops over one connection on one thread; returns the summary line,
// or an error line starting with "error".
std::string RunPeriscopeClient(const ClientSettings& settings,
                               std::optional<periscope::trace::Tracer> tracer);

// What tracing costs, measured in one process pair: `concurrency` call loops alternate every
// `phase` between a traced connection (to settings.port, with `tracer`) and an untraced one (to
// plain_port), so that the machine's drift hits both alike. Phases pair up two by two, the
// traced one first in every other pair. Returns "pairs=N traced_calls_per_s=T
// plain_calls_per_s=P loss_pct=L q1_pct=A q3_pct=B total_loss_pct=C" (L: the median of the
// pairs' throughput losses, A and B its quartiles; C from the totals), or an error line.
// With server_pid, it also reads the CPU time both processes spend in each phase (all their
// threads, /proc/PID/task/*/schedstat) and adds "cpu_pct=I cpu_q1_pct=.. cpu_q3_pct=..
// total_cpu_pct=.. traced_cpu_us_per_call=.. plain_cpu_us_per_call=..": I, the median over the
// pairs of the traced phase's CPU per call against the untraced one's.
std::string RunPeriscopeAlternating(const ClientSettings& settings, uint16_t plain_port,
                                    std::chrono::milliseconds phase,
                                    const periscope::trace::Tracer& tracer, pid_t server_pid = 0);

}  // namespace rpcbench
