#include <cstdio>

#include "apps/periscope/commands.h"
#include "base/log.h"

namespace periscope::app {

void AddLoadFlags(CLI::App* cmd, LoadFlags* f) {
  auto& o = f->load;
  cmd->add_option("--protocol", o.protocol, "grpc or http")->capture_default_str();
  cmd->add_option("--target", o.target, "host:port of the receiver")->capture_default_str();
  cmd->add_option("--spans-per-second", o.spans_per_second, "0 = as fast as possible")
      ->capture_default_str();
  cmd->add_option("--batch", o.spans_per_request, "Spans per request")->capture_default_str();
  cmd->add_option("--attributes", o.attributes_per_span, "Extra attributes per span")
      ->capture_default_str();
  cmd->add_option("--connections", o.connections, "Concurrent requests")->capture_default_str();
  cmd->add_option("--duration", o.duration_seconds, "Seconds to run")->capture_default_str();
  cmd->add_option("--total-spans", o.total_spans, "Stop after this many acknowledged spans")
      ->capture_default_str();
  cmd->add_option("--seed", o.seed, "Workload seed")->capture_default_str();
}

int RunLoad(LoadFlags& flags) {
  auto report = loadgen::RunLoad(flags.load);
  if (!report.ok()) {
    LogError("load: {}", report.status().ToString());
    return 1;
  }
  std::printf("%s\n", report->ToString().c_str());
  return report->requests_failed == 0 ? 0 : 1;
}

}  // namespace periscope::app
