// rpc_bench: unary echo calls over TCP loopback, Periscope RPC or gRPC, with tracing on or off.
//
//   rpc_bench server --impl periscope|grpc --port-file PATH [--tracing 0|1|2] [--otlp URL]
//   rpc_bench client --impl periscope|grpc --port N --size BYTES --concurrency N
//                    [--seconds S] [--warmup-ms MS] [--tracing 0|1|2] [--otlp URL]
//   rpc_bench sink --port-file PATH
// The client prints one line: calls=... seconds=... calls_per_s=... p50_us=... p99_us=...
// failures=... . With --tracing 1 every call gets a CLIENT and a SERVER span, batched and then
// discarded; with --tracing 2 the batches are exported over OTLP/HTTP protobuf to --otlp (the
// traces URL of a `sink`, which acknowledges OTLP requests without parsing them, until
// SIGTERM). bench/rpc/run.sh pins the server on core 0 and the client on core 1.
//
// What tracing costs, in one process pair (Periscope only, --tracing 1 or 2):
//   rpc_bench server --impl periscope --tracing 1 --port-file PATH --plain-port-file PATH2
//   rpc_bench client --impl periscope --tracing 1 --port N --plain-port N2 [--phase-ms MS] ...
// The server also serves untraced on a second port; the client alternates between the two every
// --phase-ms (default 1000) and prints pairs=... loss_pct=... and, given the server's
// --server-pid, the CPU per call of both processes in each phase (see RunPeriscopeAlternating).
#include <charconv>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <string>

#include "bench_common.h"
#include "grpc_side.h"
#include "loadgen/otlp_sink_testing.h"
#include "periscope_side.h"

namespace pt = periscope::trace;

namespace {

std::optional<uint64_t> Number(const std::map<std::string, std::string>& flags,
                               const std::string& name, uint64_t fallback) {
  auto it = flags.find(name);
  if (it == flags.end()) return fallback;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), value);
  if (ec != std::errc() || end != it->second.data() + it->second.size()) return std::nullopt;
  return value;
}

int Usage() {
  std::fprintf(stderr,
               "usage: rpc_bench server --impl periscope|grpc --port-file PATH [--tracing 0|1|2] "
               "[--otlp URL] [--batch SPANS] [--plain-port-file PATH]\n"
               "       rpc_bench client --impl periscope|grpc --port N --size BYTES "
               "--concurrency N [--seconds S] [--warmup-ms MS] [--tracing 0|1|2] [--otlp URL] "
               "[--batch SPANS] [--plain-port N [--phase-ms MS] [--server-pid PID]]\n"
               "       rpc_bench sink --port-file PATH\n");
  return 2;
}

// An OTLP receiver that acknowledges without parsing; writes its HTTP port to port_file and
// serves until SIGTERM or SIGINT.
int RunSink(const std::string& port_file) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before the sink's threads start
  periscope::testing::OtlpTestSink sink({.parse = false});
  const std::string target = sink.http_target();
  { std::ofstream(port_file + ".tmp") << target.substr(target.rfind(':') + 1); }
  if (std::rename((port_file + ".tmp").c_str(), port_file.c_str()) != 0) return 1;
  int signal = 0;
  sigwait(&signals, &signal);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc % 2 != 0) return Usage();
  const std::string mode = argv[1];
  std::map<std::string, std::string> flags;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string name = argv[i];
    if (name.rfind("--", 0) != 0) return Usage();
    flags[name.substr(2)] = argv[i + 1];
  }
  if (mode == "sink") return flags["port-file"].empty() ? Usage() : RunSink(flags["port-file"]);
  const std::string impl = flags["impl"];
  if (impl != "periscope" && impl != "grpc") return Usage();
  std::optional<uint64_t> tracing = Number(flags, "tracing", 0);
  if (!tracing || *tracing > 2 || (*tracing == 2 && flags["otlp"].empty())) return Usage();

  std::shared_ptr<pt::TracerProvider> provider;
  std::optional<pt::Tracer> tracer;
  std::optional<uint64_t> batch = Number(flags, "batch", 4096);
  if (!batch || *batch == 0) return Usage();
  const rpcbench::BatchSettings batch_settings{.export_batch = *batch};
  if (*tracing == 1) {
    provider = rpcbench::MakeDiscardingProvider("rpc-bench-" + mode, batch_settings);
  }
  if (*tracing == 2) {
    provider = rpcbench::MakeOtlpProvider("rpc-bench-" + mode, flags["otlp"], batch_settings);
  }
  if (provider) tracer = provider->GetTracer("rpc_bench");
  int code = 0;
  if (mode == "server") {
    if (flags["port-file"].empty()) return Usage();
    const std::string plain_port_file = flags["plain-port-file"];
    if (!plain_port_file.empty() && (impl != "periscope" || !tracer)) return Usage();
    code = impl == "grpc" ? rpcbench::ServeGrpc(flags["port-file"], tracer)
                          : rpcbench::ServePeriscope(flags["port-file"], tracer, plain_port_file);
  } else if (mode == "client") {
    rpcbench::ClientSettings settings;
    std::optional<uint64_t> port = Number(flags, "port", 0);
    std::optional<uint64_t> size = Number(flags, "size", 100);
    std::optional<uint64_t> concurrency = Number(flags, "concurrency", 1);
    std::optional<uint64_t> seconds = Number(flags, "seconds", 2);
    std::optional<uint64_t> warmup = Number(flags, "warmup-ms", 500);
    if (!port || *port == 0 || *port > 65535 || !size || !concurrency || *concurrency == 0 ||
        !seconds || !warmup) {
      return Usage();
    }
    settings.port = static_cast<uint16_t>(*port);
    settings.payload_bytes = *size;
    settings.concurrency = *concurrency;
    settings.duration = std::chrono::seconds(*seconds);
    settings.warmup = std::chrono::milliseconds(*warmup);
    std::optional<uint64_t> plain_port = Number(flags, "plain-port", 0);
    std::optional<uint64_t> phase_ms = Number(flags, "phase-ms", 1000);
    std::optional<uint64_t> server_pid = Number(flags, "server-pid", 0);
    if (!server_pid || *server_pid > std::numeric_limits<pid_t>::max()) return Usage();
    if (!plain_port || *plain_port > 65535 || !phase_ms || *phase_ms == 0) return Usage();
    if (*plain_port != 0 && (impl != "periscope" || !tracer)) return Usage();
    std::string line;
    if (*plain_port != 0) {
      line = rpcbench::RunPeriscopeAlternating(settings, static_cast<uint16_t>(*plain_port),
                                               std::chrono::milliseconds(*phase_ms), *tracer,
                                               static_cast<pid_t>(*server_pid));
    } else {
      line = impl == "grpc" ? rpcbench::RunGrpcClient(settings, tracer)
                            : rpcbench::RunPeriscopeClient(settings, tracer);
    }
    std::printf("%s\n", line.c_str());
    code = line.rfind("error", 0) == 0 ? 1 : 0;
  } else {
    return Usage();
  }
  if (provider) {
    provider->Shutdown(std::chrono::seconds(5));
    std::fprintf(stderr, "%s %s\n", mode.c_str(), rpcbench::BatchStatsLine().c_str());
  }
  return code;
}
