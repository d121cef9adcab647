#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "loadgen/load_generator.h"
#include "loadgen/log_load.h"
#include "loadgen/metric_load.h"
#include "server/server.h"

namespace periscope::app {

struct ServeFlags {
  ServerOptions server;
  std::string retention = "7d";
  std::string flush_interval = "30s";
  std::string dogstatsd_flush_interval = "10s";
  size_t memtable_mib = 256;
  bool no_fsync = false;
  std::string log_level = "info";
};

struct DemoFlags {
  ServeFlags serve;
  double traces_per_second = 20;
  uint64_t seed = 42;
  std::string backfill;        // e.g. "24h": send this much history before live traffic
  double backfill_rate = 0.5;  // traces per second of simulated time
};

struct LoadFlags {
  loadgen::LoadOptions load;
};

struct LoadLogsFlags {
  loadgen::LogLoadOptions load;
  std::string loghub_dir = "../shared/data/loghub";
  std::string text_out;
};

struct LoadMetricsFlags {
  loadgen::MetricLoadOptions load;
};

struct InspectFlags {
  std::string path;
  bool rows = false;
};

void AddServeFlags(CLI::App* cmd, ServeFlags* flags);
void AddDemoFlags(CLI::App* cmd, DemoFlags* flags);
void AddLoadFlags(CLI::App* cmd, LoadFlags* flags);
void AddLoadLogsFlags(CLI::App* cmd, LoadLogsFlags* flags);
void AddLoadMetricsFlags(CLI::App* cmd, LoadMetricsFlags* flags);
void AddInspectFlags(CLI::App* cmd, InspectFlags* flags);

int RunServe(ServeFlags& flags);
int RunDemo(DemoFlags& flags);
int RunLoad(LoadFlags& flags);
int RunLoadLogs(LoadLogsFlags& flags);
int RunLoadMetrics(LoadMetricsFlags& flags);
int RunInspect(InspectFlags& flags);

}  // namespace periscope::app
