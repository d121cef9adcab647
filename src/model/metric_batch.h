#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/ids.h"

namespace periscope {

// One label; a series is identified by its labels sorted by name, `__name__` included.
using Label = std::pair<std::string, std::string>;
using Labels = std::vector<Label>;

// What the samples of a series mean; decides how rate() and increase() treat them.
enum class MetricKind : uint8_t {
  kUnknown = 0,       // remote write without metadata
  kGauge = 1,         // OTLP gauge, Prometheus gauge
  kCounter = 2,       // cumulative monotonic sum (and histogram/summary _count, _sum, _bucket)
  kSum = 3,           // cumulative non-monotonic sum (an up-down counter)
  kDeltaCounter = 4,  // delta monotonic sum: each sample is the increase since the previous one
  kDeltaSum = 5,      // delta non-monotonic sum
};
std::string_view MetricKindName(MetricKind kind);

// A sampled value that points at a trace. Value type.
struct MetricExemplar {
  int64_t time_ms = 0;
  double value = 0;
  TraceId trace_id;
  SpanId span_id;
  bool operator==(const MetricExemplar&) const = default;
};

// The samples of one series in one batch, in arrival order. `start_ms` is empty, or holds one
// start time per sample (OTLP start_time_unix_nano; a change means the counter restarted).
// Value type.
struct MetricSeries {
  Labels labels;  // sorted by name, names unique, `__name__` present
  MetricKind kind = MetricKind::kUnknown;
  std::vector<int64_t> time_ms;
  std::vector<double> values;
  std::vector<int64_t> start_ms;
  std::vector<MetricExemplar> exemplars;
  bool operator==(const MetricSeries&) const = default;
};

// Decoded samples of one request for one tenant, grouped by series. Value type.
struct MetricBatch {
  std::string tenant = "default";
  std::vector<MetricSeries> series;

  size_t sample_count() const;
  size_t ApproximateBytes() const;
};

}  // namespace periscope
