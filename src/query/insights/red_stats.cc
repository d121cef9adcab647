#include "query/insights/red_stats.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "query/metrics/histogram_quantile.h"

namespace periscope {

bool ParseLeLabel(std::string_view s, double* le) {
  if (s == "+Inf" || s == "Inf" || s == "+inf") {
    *le = std::numeric_limits<double>::infinity();
    return true;
  }
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *le);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size();
}

void RedAccumulator::AddCalls(const SeriesIncrease& inc, bool error) {
  has_data_ = true;
  calls_.resize(grid_.steps, 0.0);
  errors_.resize(grid_.steps, 0.0);
  for (size_t i = 0; i < grid_.steps && i < inc.steps.size(); ++i) {
    calls_[i] += inc.steps[i];
    if (error) errors_[i] += inc.steps[i];
  }
  calls_total_ += inc.total;
  if (error) errors_total_ += inc.total;
}

void RedAccumulator::AddErrors(const SeriesIncrease& inc) {
  has_data_ = true;
  calls_.resize(grid_.steps, 0.0);
  errors_.resize(grid_.steps, 0.0);
  for (size_t i = 0; i < grid_.steps && i < inc.steps.size(); ++i) errors_[i] += inc.steps[i];
  errors_total_ += inc.total;
}

void RedAccumulator::AddLatencyBucket(double le, const SeriesIncrease& inc) {
  has_data_ = true;
  auto& steps = le_steps_[le];
  steps.resize(grid_.steps, 0.0);
  for (size_t i = 0; i < grid_.steps && i < inc.steps.size(); ++i) steps[i] += inc.steps[i];
  le_total_[le] += inc.total;
}

void RedAccumulator::AddTag(const std::string& env, const std::string& version) {
  if (!env.empty()) envs_.insert(env);
  if (!version.empty()) versions_.insert(version);
}

double RedAccumulator::QuantileMs(double q, const std::map<double, double>& cumulative) const {
  std::vector<HistogramBucket> buckets;
  buckets.reserve(cumulative.size());
  for (const auto& [le, count] : cumulative) buckets.push_back({le, count});
  return HistogramQuantile(q, std::move(buckets)) * 1000.0;
}

RedSummary RedAccumulator::Summary() const {
  RedSummary s;
  s.requests = calls_total_;
  s.errors = errors_total_;
  s.rate = calls_total_ / grid_.range_seconds();
  s.error_rate = calls_total_ > 0 ? errors_total_ / calls_total_ : 0;
  s.p50_ms = QuantileMs(0.5, le_total_);
  s.p95_ms = QuantileMs(0.95, le_total_);
  s.p99_ms = QuantileMs(0.99, le_total_);
  return s;
}

StepSeries RedAccumulator::RateSeries() const {
  StepSeries out;
  const double step_s = static_cast<double>(grid_.step_ms) / 1000.0;
  for (size_t i = 0; i < grid_.steps; ++i) {
    out.emplace_back(grid_.time_of(i), i < calls_.size() ? calls_[i] / step_s : 0.0);
  }
  return out;
}

StepSeries RedAccumulator::ErrorSeries() const {
  StepSeries out;
  for (size_t i = 0; i < grid_.steps; ++i) {
    out.emplace_back(grid_.time_of(i), i < errors_.size() ? errors_[i] : 0.0);
  }
  return out;
}

StepSeries RedAccumulator::ErrorRateSeries() const {
  StepSeries out;
  for (size_t i = 0; i < calls_.size(); ++i) {
    if (calls_[i] > 0) out.emplace_back(grid_.time_of(i), errors_[i] / calls_[i]);
  }
  return out;
}

StepSeries RedAccumulator::QuantileSeries(double q) const {
  StepSeries out;
  for (size_t i = 0; i < grid_.steps; ++i) {
    std::map<double, double> cumulative;
    for (const auto& [le, steps] : le_steps_) cumulative[le] = i < steps.size() ? steps[i] : 0;
    const double v = QuantileMs(q, cumulative);
    if (!std::isnan(v)) out.emplace_back(grid_.time_of(i), v);
  }
  return out;
}

}  // namespace periscope
