#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <string>

#include "model/metric_batch.h"
#include "model/metric_labels.h"

namespace periscope::testing {

// Deterministic node_exporter-like data (docs: /work/shared/BENCHMARKS.md "Metrics"): per
// instance, constant gauges, counters with small irregular increments (some idle), byte gauges
// drifting by integers and two-decimal float gauges; one sample every `interval_ms`.
inline MetricBatch NodeExporterLikeBatch(int series, int samples, int64_t start_ms,
                                         int64_t interval_ms, uint32_t seed = 1) {
  std::mt19937_64 rng(seed);
  MetricBatch batch;
  for (int s = 0; s < series; ++s) {
    MetricSeries m;
    const int kind = s % 4;
    static const char* kNames[] = {"node_boot_time_seconds", "node_cpu_seconds_total",
                                   "node_memory_MemFree_bytes", "node_load1"};
    m.labels = {{"__name__", kNames[kind]},
                {"instance", "host-" + std::to_string(s / 40) + ":9100"},
                {"job", "node"},
                {"cpu", std::to_string(s % 40)}};
    NormalizeLabels(m.labels);
    m.kind = kind == 1 ? MetricKind::kCounter : MetricKind::kGauge;
    double v = kind == 0 ? 1.7e9 + s : kind == 1 ? 1000.0 * s : kind == 2 ? 8e9 + 4096.0 * s : 0.5;
    for (int i = 0; i < samples; ++i) {
      // Scrape jitter: half the scrapes on time, the rest 1-2 ms early or late.
      const int64_t jitter = rng() % 2 ? 0 : static_cast<int64_t>(rng() % 5) - 2;
      m.time_ms.push_back(start_ms + i * interval_ms + jitter);
      switch (kind) {
        case 1:
          if (rng() % 3 != 0) v += static_cast<double>(rng() % 100) / 100.0;
          v = std::round(v * 100.0) / 100.0;
          break;
        case 2:
          v += static_cast<double>(static_cast<int64_t>(rng() % 33) - 16) * 4096.0;
          break;
        case 3:
          v = std::round((0.5 + 0.3 * std::sin(i / 30.0) + (rng() % 10) / 100.0) * 100) / 100;
          break;
        default:
          break;
      }
      m.values.push_back(v);
    }
    batch.series.push_back(std::move(m));
  }
  return batch;
}

}  // namespace periscope::testing
