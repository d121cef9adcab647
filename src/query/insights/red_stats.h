#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "query/insights/counter_increase.h"

namespace periscope {

// Request, error and latency figures of one group of RED series over a range. Value type.
struct RedSummary {
  double requests = 0;
  double rate = 0;  // requests per second over the range
  double errors = 0;
  double error_rate = 0;                            // errors / requests, 0 without requests
  double p50_ms = NAN, p95_ms = NAN, p99_ms = NAN;  // NaN without observations
};

// A time series as [bucket start ms, value] points. Value type.
using StepSeries = std::vector<std::pair<int64_t, double>>;

// Adds up span-metric counter increases (calls and latency buckets) of one group (a service,
// an operation, a version, an edge) and derives RED figures. Not thread-safe.
class RedAccumulator {
 public:
  explicit RedAccumulator(const StepGrid& grid) : grid_(grid) {}

  // Calls of one series; `error` when its status is error.
  void AddCalls(const SeriesIncrease& inc, bool error);
  // Errors counted by a series of their own (service-graph failed_total).
  void AddErrors(const SeriesIncrease& inc);
  // One cumulative latency bucket (upper bound `le` in seconds, +Inf allowed).
  void AddLatencyBucket(double le, const SeriesIncrease& inc);
  void AddTag(const std::string& env, const std::string& version);

  RedSummary Summary() const;
  bool has_data() const { return has_data_; }
  const std::set<std::string>& envs() const { return envs_; }
  const std::set<std::string>& versions() const { return versions_; }

  // Requests per second in each bucket (every bucket, zeros included).
  StepSeries RateSeries() const;
  // Errors in each bucket (counts).
  StepSeries ErrorSeries() const;
  // errors / requests in each bucket that had requests.
  StepSeries ErrorRateSeries() const;
  // The q-quantile latency in ms in each bucket that had observations.
  StepSeries QuantileSeries(double q) const;

 private:
  double QuantileMs(double q, const std::map<double, double>& cumulative) const;

  StepGrid grid_;
  bool has_data_ = false;
  std::vector<double> calls_, errors_;
  double calls_total_ = 0, errors_total_ = 0;
  std::map<double, std::vector<double>> le_steps_;
  std::map<double, double> le_total_;
  std::set<std::string> envs_, versions_;
};

// Parses an `le` label value ("0.5", "+Inf"); false when it is not a number.
bool ParseLeLabel(std::string_view text, double* le);

}  // namespace periscope
