#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace periscope::loadgen {

struct MetricWorkloadOptions {
  uint64_t seed = 1;
  int series = 10'000;   // a multiple of kMetricSeriesPerInstance
  int64_t start_ms = 0;  // first scrape
  int64_t interval_ms = 10'000;
  int scrapes = 360;  // samples per series
  int series_per_request = 500;
  int samples_per_series = 10;  // per request
};

// Series of one node_exporter-like target (instance).
constexpr int kMetricSeriesPerInstance = 100;

// How one generated series moves from scrape to scrape.
enum class SeriesShape {
  kConstant,    // never changes (sizes, boot time, up)
  kCounter,     // grows by irregular increments, sometimes not at all
  kIntGauge,    // drifts up and down by multiples of a quantum (bytes, counts)
  kFloatGauge,  // mean-reverting walk with two decimals (load, temperatures)
  kClock,       // the scrape time in seconds (node_time_seconds)
};

// One series of the workload: sorted labels (__name__ first) and how its value moves.
struct MetricSeriesSpec {
  std::vector<std::pair<std::string, std::string>> labels;
  SeriesShape shape = SeriesShape::kConstant;
  double start = 0;
  double step = 0;          // mean increment (counter) or drift scale (gauges)
  double quantum = 1;       // values are multiples of this (0.01 for two decimals)
  double still_chance = 0;  // counters: chance of not moving between two scrapes
};

// The kMetricSeriesPerInstance series of instance `instance` (cpu, memory, network, disk,
// filesystem, ... families shaped like node_exporter's). Deterministic.
std::vector<MetricSeriesSpec> NodeExporterSeries(int instance, uint64_t seed);

// The standard metrics workload as Prometheus remote-write 1.0 WriteRequest protobufs
// (uncompressed): options.series series scraped every interval_ms, sent scrape-chunk by
// scrape-chunk (samples_per_series scrapes) and within a chunk in groups of series_per_request
// series. The same options always give the same bytes. Not thread-safe.
class MetricWorkload {
 public:
  explicit MetricWorkload(const MetricWorkloadOptions& options);

  // Replaces *body with the next request; returns its number of samples, 0 when done.
  size_t NextRequest(std::string* body);

  uint64_t total_samples() const;
  const std::vector<MetricSeriesSpec>& series() const { return specs_; }
  // Time of scrape `scrape` of series `series_index` (instances are spread over the interval).
  int64_t SampleTimeMs(int series_index, int scrape) const;

 private:
  double Advance(size_t series_index, double value, uint64_t rng_seed, int scrape) const;

  MetricWorkloadOptions options_;
  std::vector<MetricSeriesSpec> specs_;
  std::vector<std::string> label_bytes_;  // encoded Label fields per series
  std::vector<double> values_;            // last value per series
  int next_chunk_scrape_ = 0;
  int next_group_ = 0;
  std::string samples_;  // scratch
};

}  // namespace periscope::loadgen
