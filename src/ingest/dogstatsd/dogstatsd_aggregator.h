#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ingest/dogstatsd/dogstatsd_parser.h"
#include "model/metric_batch.h"

namespace periscope {

struct DogStatsdAggregatorOptions {
  std::string tenant = "default";
  // A counter not incremented for this long stops being emitted (and its total is forgotten).
  int64_t counter_expiry_ms = 5 * 60 * 1000;
  // Values kept per timer/histogram/distribution per interval for percentiles (a uniform
  // reservoir beyond that); count, sum, min and max stay exact.
  size_t max_values_per_context = 10000;
};

// Aggregates DogStatsD samples per flush interval the way the Datadog agent does, and turns each
// interval into a MetricBatch:
//  - c: a cumulative counter (kind kCounter) under the DogStatsD name, value = running total of
//    value/sample_rate since the context was first seen, emitted at every flush until it expires;
//  - g: the last value of the interval (kGauge), at its `|T` timestamp when it had one;
//  - s: the number of distinct members seen in the interval (kGauge);
//  - ms, h, d: per interval gauges <name>_count and _sum (weighted by 1/sample_rate), _min, _max,
//    _avg, _median, _95percentile, _99percentile (nearest rank over the received values).
// Names are Prometheus-sanitised ('.' -> '_'); tags become labels: `key:value` -> key="value"
// (key sanitised, repeated keys join their values sorted with ','), a bare `tag` -> tag="true";
// `service`, `env`, `version`, `host` therefore land on the unified-tag labels. Tags named
// `__*` or `dd.internal.*` are dropped. Not thread-safe (one receiver thread owns it).
class DogStatsdAggregator {
 public:
  explicit DogStatsdAggregator(DogStatsdAggregatorOptions options = {});

  void Add(const DogStatsdMetric& metric);
  // The samples of the interval ending now (stamped now_ms); starts the next interval.
  MetricBatch Flush(int64_t now_ms);

  size_t context_count() const { return contexts_.size(); }

 private:
  struct Context {
    DogStatsdType type = DogStatsdType::kGauge;
    std::string name;  // sanitised
    Labels labels;     // sorted, without __name__
    bool touched = false;
    // counters
    double total = 0;
    int64_t last_update_ms = 0;
    // gauges
    double last = 0;
    int64_t last_ts_ms = 0;
    // sets
    std::unordered_set<std::string> members;
    // timers, histograms, distributions
    double count = 0, sum = 0, min = 0, max = 0;
    uint64_t seen = 0;
    std::vector<double> values;
  };

  Context& ContextFor(const DogStatsdMetric& metric);
  void AddValue(Context& c, double v, double rate);
  uint64_t NextRandom();

  DogStatsdAggregatorOptions options_;
  std::unordered_map<std::string, Context> contexts_;
  uint64_t rng_ = 0x9E3779B97F4A7C15ull;
  std::string key_scratch_;
  Labels labels_scratch_;
};

}  // namespace periscope
