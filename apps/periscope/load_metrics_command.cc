#include <snappy.h>

#include <cstdio>

#include "apps/periscope/commands.h"
#include "base/log.h"
#include "base/time.h"
#include "loadgen/log_load.h"
#include "loadgen/metric_load.h"

namespace periscope::app {

void AddLoadMetricsFlags(CLI::App* cmd, LoadMetricsFlags* f) {
  auto& o = f->load;
  auto& w = o.workload;
  cmd->add_option("--target", o.target, "host:port of the remote-write receiver")
      ->capture_default_str();
  cmd->add_option("--path", o.path, "Request path")->capture_default_str();
  cmd->add_option("--connections", o.connections, "Concurrent requests")->capture_default_str();
  cmd->add_option("--series", w.series, "Series (a multiple of 100)")->capture_default_str();
  cmd->add_option("--scrapes", w.scrapes, "Samples per series")->capture_default_str();
  cmd->add_option("--interval-ms", w.interval_ms, "Scrape interval")->capture_default_str();
  cmd->add_option("--start-ms", w.start_ms,
                  "Unix ms of the first scrape (default: now - scrapes x interval - 1 min)");
  cmd->add_option("--series-per-request", w.series_per_request, "Series per request")
      ->capture_default_str();
  cmd->add_option("--samples-per-series", w.samples_per_series, "Samples per series per request")
      ->capture_default_str();
  cmd->add_option("--seed", w.seed, "Workload seed")->capture_default_str();
}

int RunLoadMetrics(LoadMetricsFlags& flags) {
  auto& w = flags.load.workload;
  if (w.start_ms == 0) {
    w.start_ms =
        NowNanos() / kNanosPerMilli - static_cast<int64_t>(w.scrapes) * w.interval_ms - 60'000;
  }
  int64_t t0 = MonotonicNanos();
  auto requests = loadgen::BuildRemoteWriteRequests(flags.load, [](std::string_view body) {
    std::string out;
    snappy::Compress(body.data(), body.size(), &out);
    return out;
  });
  if (!requests.ok()) {
    LogError("load-metrics: {}", requests.status().ToString());
    return 1;
  }
  uint64_t wire = 0;
  uint64_t samples = 0;
  for (const auto& r : *requests) {
    wire += r.body_size;
    samples += r.items;
  }
  std::printf(
      "built %zu requests, %llu samples, %llu compressed body bytes in %.2f s "
      "(start %lld ms)\n",
      requests->size(), static_cast<unsigned long long>(samples),
      static_cast<unsigned long long>(wire), static_cast<double>(MonotonicNanos() - t0) / 1e9,
      static_cast<long long>(w.start_ms));
  auto report = loadgen::SendPrebuiltRequests(flags.load, *requests);
  if (!report.ok()) {
    LogError("load-metrics: {}", report.status().ToString());
    return 1;
  }
  std::printf("%s\n", loadgen::LogReportLine(*report, "samples").c_str());
  return report->requests_failed == 0 ? 0 : 1;
}

}  // namespace periscope::app
