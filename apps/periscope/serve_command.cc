#include <fmt/format.h>

#include <csignal>
#include <functional>

#include "apps/periscope/commands.h"
#include "base/log.h"
#include "base/time.h"
#include "demo/shop_simulator.h"

namespace periscope::app {

namespace {

Status ResolveServeFlags(ServeFlags& flags) {
  auto retention = ParseDurationNanos(flags.retention);
  if (!retention || *retention <= 0) {
    return Status::InvalidArgument("--retention '{}' is not a duration (e.g. 7d, 12h)",
                                   flags.retention);
  }
  auto flush = ParseDurationNanos(flags.flush_interval);
  if (!flush || *flush <= 0) {
    return Status::InvalidArgument("--flush-interval '{}' is not a duration", flags.flush_interval);
  }
  auto dsd_flush = ParseDurationNanos(flags.dogstatsd_flush_interval);
  if (!dsd_flush || *dsd_flush <= 0) {
    return Status::InvalidArgument("--dogstatsd-flush-interval '{}' is not a duration",
                                   flags.dogstatsd_flush_interval);
  }
  flags.server.dogstatsd_flush_interval_ns = *dsd_flush;
  flags.server.retention_ns = *retention;
  flags.server.flush_interval_ns = *flush;
  flags.server.memtable_bytes = flags.memtable_mib << 20;
  flags.server.wal_fsync = !flags.no_fsync;
  if (flags.log_level == "debug") SetMinLogLevel(LogLevel::kDebug);
  if (flags.log_level == "warn") SetMinLogLevel(LogLevel::kWarn);
  if (flags.log_level == "error") SetMinLogLevel(LogLevel::kError);
  return Status::Ok();
}

// Blocks until SIGINT or SIGTERM.
void WaitForSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  sigwait(&set, &sig);
  LogInfo("received signal {}, shutting down", sig);
}

void BlockSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

int RunServerUntilSignal(ServeFlags& flags, const std::function<void(Server&)>& on_ready) {
  BlockSignals();
  if (Status s = ResolveServeFlags(flags); !s.ok()) {
    LogError("{}", s.message());
    return 2;
  }
  Server server(flags.server);
  if (Status s = server.Start(); !s.ok()) {
    LogError("cannot start: {}", s.ToString());
    return 1;
  }
  if (on_ready) on_ready(server);
  WaitForSignal();
  server.Stop();
  LogInfo("stopped cleanly");
  return 0;
}

}  // namespace

void AddServeFlags(CLI::App* cmd, ServeFlags* f) {
  cmd->add_option("--data-dir", f->server.data_dir, "Data directory")
      ->envname("PERISCOPE_DATA_DIR")
      ->capture_default_str();
  cmd->add_option("--http-listen", f->server.http_listen, "UI, query APIs and OTLP/HTTP")
      ->envname("PERISCOPE_HTTP_LISTEN")
      ->capture_default_str();
  cmd->add_option("--otlp-grpc-listen", f->server.otlp_grpc_listen, "OTLP/gRPC")
      ->envname("PERISCOPE_OTLP_GRPC_LISTEN")
      ->capture_default_str();
  cmd->add_option("--otlp-http-listen", f->server.otlp_http_listen,
                  "OTLP/HTTP (empty: only on the UI port)")
      ->envname("PERISCOPE_OTLP_HTTP_LISTEN")
      ->capture_default_str();
  cmd->add_option("--dogstatsd-listen", f->server.dogstatsd_listen,
                  "DogStatsD UDP host:port (empty disables)")
      ->envname("PERISCOPE_DOGSTATSD_LISTEN")
      ->capture_default_str();
  cmd->add_option("--dogstatsd-socket", f->server.dogstatsd_socket,
                  "DogStatsD Unix datagram socket path (optional)")
      ->envname("PERISCOPE_DOGSTATSD_SOCKET");
  cmd->add_option("--dogstatsd-flush-interval", f->dogstatsd_flush_interval,
                  "Aggregate DogStatsD samples over this interval")
      ->envname("PERISCOPE_DOGSTATSD_FLUSH_INTERVAL")
      ->capture_default_str();
  cmd->add_option("--ports-file", f->server.ports_file,
                  "Write the bound ports as JSON here once ready")
      ->envname("PERISCOPE_PORTS_FILE");
  cmd->add_option("--retention", f->retention, "Keep data this long (e.g. 7d, 12h)")
      ->envname("PERISCOPE_RETENTION")
      ->capture_default_str();
  cmd->add_option("--flush-interval", f->flush_interval, "Flush the memtable at least this often")
      ->envname("PERISCOPE_FLUSH_INTERVAL")
      ->capture_default_str();
  cmd->add_option("--memtable-mib", f->memtable_mib, "Flush the memtable past this size")
      ->envname("PERISCOPE_MEMTABLE_MIB")
      ->capture_default_str();
  cmd->add_flag("--no-fsync", f->no_fsync,
                "Do not fsync the WAL (unsafe: acknowledged data can be lost on power failure)")
      ->envname("PERISCOPE_NO_FSYNC");
  cmd->add_option("--log-level", f->log_level, "debug, info, warn or error")
      ->envname("PERISCOPE_LOG_LEVEL")
      ->capture_default_str();
}

void AddDemoFlags(CLI::App* cmd, DemoFlags* f) {
  cmd->add_option("--traces-per-second", f->traces_per_second, "Simulated user requests per second")
      ->envname("PERISCOPE_DEMO_TRACES_PER_SECOND")
      ->capture_default_str();
  cmd->add_option("--seed", f->seed, "Simulator seed")->capture_default_str();
}

int RunServe(ServeFlags& flags) { return RunServerUntilSignal(flags, nullptr); }

int RunDemo(DemoFlags& flags) {
  std::unique_ptr<demo::ShopSimulator> simulator;
  int rc = RunServerUntilSignal(flags.serve, [&](Server& server) {
    demo::ShopSimulatorOptions o;
    o.otlp_grpc_target = fmt::format("127.0.0.1:{}", server.otlp_grpc_port());
    const uint16_t http_port =
        server.otlp_http_port() ? server.otlp_http_port() : server.http_port();
    o.otlp_http_target = fmt::format("127.0.0.1:{}", http_port);
    o.traces_per_second = flags.traces_per_second;
    o.seed = flags.seed;
    simulator = std::make_unique<demo::ShopSimulator>(o);
    if (Status s = simulator->Start(); !s.ok()) LogError("demo simulator: {}", s.ToString());
    std::string host =
        flags.serve.server.http_listen.substr(0, flags.serve.server.http_listen.rfind(':'));
    if (host == "0.0.0.0" || host.empty()) host = "localhost";
    std::fprintf(stdout,
                 "\nPeriscope demo is running.\n  UI:          http://%s:%u/\n"
                 "  Jaeger API:  http://%s:%u/jaeger\n  OTLP gRPC:   :%u   OTLP HTTP: :%u\n"
                 "Press Ctrl-C to stop.\n\n",
                 host.c_str(), server.http_port(), host.c_str(), server.http_port(),
                 server.otlp_grpc_port(), http_port);
    std::fflush(stdout);
  });
  if (simulator) simulator->Stop();
  return rc;
}

}  // namespace periscope::app
