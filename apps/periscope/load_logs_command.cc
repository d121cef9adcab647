#include <cstdio>

#include "apps/periscope/commands.h"
#include "base/log.h"
#include "base/time.h"
#include "loadgen/log_load.h"

namespace periscope::app {

void AddLoadLogsFlags(CLI::App* cmd, LoadLogsFlags* f) {
  auto& o = f->load;
  auto& w = o.workload;
  cmd->add_option("--target", o.target, "host:port of the OTLP/HTTP receiver")
      ->capture_default_str();
  cmd->add_option("--path", o.path, "Request path")->capture_default_str();
  cmd->add_option("--loghub-dir", f->loghub_dir, "Directory of Loghub *.log samples")
      ->capture_default_str();
  cmd->add_option("--total-lines", w.total_lines, "Lines to send")->capture_default_str();
  cmd->add_option("--batch", w.lines_per_request, "Lines per request")->capture_default_str();
  cmd->add_option("--connections", o.connections, "Concurrent requests")->capture_default_str();
  cmd->add_option("--duration", o.duration_seconds, "Stop after this many seconds (0 = none)")
      ->capture_default_str();
  cmd->add_option("--seed", w.seed, "Workload seed")->capture_default_str();
  cmd->add_option("--time-base-ns", w.time_base_ns,
                  "Unix ns of line 0 (default: now - total lines x interval)");
  cmd->add_option("--line-interval-ns", w.line_interval_ns, "Time between consecutive lines")
      ->capture_default_str();
  cmd->add_option("--trace-fraction", w.trace_fraction, "Share of lines with trace/span ids")
      ->capture_default_str();
  cmd->add_option("--text-out", f->text_out,
                  "Write the lines as a text file instead of sending them");
}

int RunLoadLogs(LoadLogsFlags& flags) {
  auto corpus = loadgen::LogCorpus::Load(flags.loghub_dir);
  if (!corpus.ok()) {
    LogError("load-logs: {}", corpus.status().ToString());
    return 1;
  }
  auto& w = flags.load.workload;
  if (w.time_base_ns == 0) {
    w.time_base_ns = NowNanos() - static_cast<int64_t>(w.total_lines) * w.line_interval_ns;
  }
  if (!flags.text_out.empty()) {
    auto lines = loadgen::WriteLogText(*corpus, w, flags.text_out);
    if (!lines.ok()) {
      LogError("load-logs: {}", lines.status().ToString());
      return 1;
    }
    std::printf("%llu lines written to %s (time base %lld ns)\n",
                static_cast<unsigned long long>(*lines), flags.text_out.c_str(),
                static_cast<long long>(w.time_base_ns));
    return 0;
  }
  auto report = loadgen::RunLogLoad(*corpus, flags.load);
  if (!report.ok()) {
    LogError("load-logs: {}", report.status().ToString());
    return 1;
  }
  std::printf("%s\n", loadgen::LogReportLine(*report, "lines").c_str());
  return report->requests_failed == 0 ? 0 : 1;
}

}  // namespace periscope::app
