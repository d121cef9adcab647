#include "query/insights/counter_increase.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

namespace periscope {

namespace {

bool IsStale(double v) {
  constexpr uint64_t kStaleNaN = 0x7ff0000000000002ull;
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  return bits == kStaleNaN || std::isnan(v);
}

int64_t FloorTo(int64_t t, int64_t step) {
  const int64_t q = t / step;
  return (t % step != 0 && t < 0 ? q - 1 : q) * step;
}

}  // namespace

Result<StepGrid> StepGrid::Make(int64_t start_ms, int64_t end_ms, int64_t step_ms,
                                size_t max_steps) {
  if (step_ms <= 0) return Status::InvalidArgument("step must be positive");
  if (end_ms < start_ms) return Status::InvalidArgument("end is before start");
  StepGrid g;
  g.start_ms = start_ms;
  g.end_ms = end_ms;
  g.step_ms = step_ms;
  g.first_ms = FloorTo(start_ms, step_ms);
  const int64_t n = (end_ms - g.first_ms) / step_ms + 1;
  if (n > static_cast<int64_t>(max_steps)) {
    return Status::InvalidArgument("more than {} steps; raise step", max_steps);
  }
  g.steps = static_cast<size_t>(n);
  return g;
}

double StepGrid::range_seconds() const {
  return std::max<double>(1.0, static_cast<double>(end_ms - start_ms) / 1000.0);
}

Result<std::vector<SeriesIncrease>> CounterIncreases(const MetricTable& table,
                                                     const std::string& tenant,
                                                     const std::vector<LabelMatcher>& matchers,
                                                     const StepGrid& grid, int64_t lookback_ms) {
  // One series at a time (Scan, not Select): the series of a day of span metrics with their
  // exemplars never sit in memory together.
  std::vector<std::pair<uint32_t, SeriesIncrease>> found;
  auto visit = [&](uint32_t ordinal, SelectedSeries& sel) {
    const MetricSeries& s = sel.series;
    const bool delta = s.kind == MetricKind::kDeltaCounter || s.kind == MetricKind::kDeltaSum;
    const bool has_start = s.start_ms.size() == s.time_ms.size();
    SeriesIncrease inc;
    inc.steps.assign(grid.steps, 0.0);
    bool any = false;
    bool have_prev = false;
    double prev = 0;
    int64_t prev_start = 0;
    for (size_t i = 0; i < s.time_ms.size(); ++i) {
      const double v = s.values[i];
      if (IsStale(v)) continue;
      const int64_t t = s.time_ms[i];
      const int64_t start = has_start ? s.start_ms[i] : 0;
      double growth = 0;
      if (delta) {
        growth = v;
      } else if (have_prev) {
        const bool reset = v < prev || (has_start && start != prev_start && start != 0);
        growth = reset ? v : v - prev;
      }
      have_prev = true;
      prev = v;
      prev_start = start;
      if (t <= grid.start_ms || t > grid.end_ms) continue;
      any = true;
      const size_t b = static_cast<size_t>((t - grid.first_ms) / grid.step_ms);
      if (b < inc.steps.size()) inc.steps[b] += growth;
      inc.total += growth;
    }
    if (!any) return;
    inc.labels = s.labels;
    found.emplace_back(ordinal, std::move(inc));
  };
  RETURN_IF_ERROR(table.Scan(tenant, matchers, grid.start_ms - lookback_ms, grid.end_ms, visit));
  // In index (arrival) order, as Select returns series.
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<SeriesIncrease> out;
  out.reserve(found.size());
  for (auto& [ordinal, inc] : found) out.push_back(std::move(inc));
  return out;
}

}  // namespace periscope
