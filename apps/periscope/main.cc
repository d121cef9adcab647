// periscope: serve | demo | load | load-logs | load-metrics | inspect. Thin: composes src/.
#include <google/protobuf/stubs/logging.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <string>

#include "apps/periscope/commands.h"
#include "apps/periscope/malloc_tuning.h"
#include "base/log.h"

namespace {
// libprotobuf logs every invalid UTF-8 string it meets; bad input is answered with a 400 and
// counted instead, so its log lines only go to our log at debug level.
void ProtobufLogToDebug(google::protobuf::LogLevel level, const char* file, int line,
                        const std::string& message) {
  if (level >= google::protobuf::LOGLEVEL_FATAL) {
    periscope::LogError("protobuf {}:{}: {}", file, line, message);
  } else {
    periscope::LogDebug("protobuf {}:{}: {}", file, line, message);
  }
}
}  // namespace

int main(int argc, char** argv) {
  periscope::app::ReexecWithMallocTunables(argv);
  periscope::app::TuneMalloc();
  google::protobuf::SetLogHandler(&ProtobufLogToDebug);
  CLI::App app{"Periscope: self-hosted observability in one binary"};
  app.require_subcommand(1);
  app.set_config("--config", "", "TOML or INI config file; keys are the long flag names");
  periscope::app::ServeFlags serve_flags;
  auto* serve = app.add_subcommand("serve", "Run the platform");
  periscope::app::AddServeFlags(serve, &serve_flags);
  periscope::app::DemoFlags demo_flags;
  auto* demo = app.add_subcommand("demo", "Run the platform plus a simulated shop sending traces");
  periscope::app::AddServeFlags(demo, &demo_flags.serve);
  periscope::app::AddDemoFlags(demo, &demo_flags);
  periscope::app::LoadFlags load_flags;
  auto* load = app.add_subcommand("load", "Send the standard benchmark workload to a receiver");
  periscope::app::AddLoadFlags(load, &load_flags);
  periscope::app::LoadLogsFlags load_logs_flags;
  auto* load_logs = app.add_subcommand("load-logs", "Replay Loghub samples as OTLP/HTTP logs");
  periscope::app::AddLoadLogsFlags(load_logs, &load_logs_flags);
  periscope::app::LoadMetricsFlags load_metrics_flags;
  auto* load_metrics =
      app.add_subcommand("load-metrics", "Send node_exporter-like series as remote write");
  periscope::app::AddLoadMetricsFlags(load_metrics, &load_metrics_flags);
  periscope::app::InspectFlags inspect_flags;
  auto* inspect = app.add_subcommand("inspect", "Read and verify data files");
  periscope::app::AddInspectFlags(inspect, &inspect_flags);

  CLI11_PARSE(app, argc, argv);
  if (serve->parsed()) return periscope::app::RunServe(serve_flags);
  if (demo->parsed()) return periscope::app::RunDemo(demo_flags);
  if (load->parsed()) return periscope::app::RunLoad(load_flags);
  if (load_logs->parsed()) return periscope::app::RunLoadLogs(load_logs_flags);
  if (load_metrics->parsed()) return periscope::app::RunLoadMetrics(load_metrics_flags);
  if (inspect->parsed()) return periscope::app::RunInspect(inspect_flags);
  return 2;
}
