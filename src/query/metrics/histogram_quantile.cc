#include "query/metrics/histogram_quantile.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <optional>

#include "model/metric_labels.h"

namespace periscope {

double HistogramQuantile(double q, std::vector<HistogramBucket> buckets) {
  if (std::isnan(q)) return NAN;
  if (q < 0) return -std::numeric_limits<double>::infinity();
  if (q > 1) return std::numeric_limits<double>::infinity();
  std::sort(buckets.begin(), buckets.end(),
            [](const HistogramBucket& a, const HistogramBucket& b) { return a.le < b.le; });
  if (buckets.size() < 2 || !std::isinf(buckets.back().le)) return NAN;
  for (size_t i = 1; i < buckets.size(); ++i) {
    buckets[i].count = std::max(buckets[i].count, buckets[i - 1].count);
  }
  const double total = buckets.back().count;
  if (!(total > 0)) return NAN;
  const double rank = q * total;
  size_t b = 0;
  while (b + 1 < buckets.size() && buckets[b].count < rank) ++b;
  if (b == buckets.size() - 1) return buckets[b - 1].le;
  if (b == 0 && buckets[0].le <= 0) return buckets[0].le;
  double lower = 0, below = 0;
  if (b > 0) {
    lower = buckets[b - 1].le;
    below = buckets[b - 1].count;
  }
  const double in_bucket = buckets[b].count - below;
  if (in_bucket <= 0) return buckets[b].le;
  return lower + (buckets[b].le - lower) * ((rank - below) / in_bucket);
}

namespace {

std::optional<double> ParseLe(std::string_view s) {
  if (s == "+Inf" || s == "Inf" || s == "+inf") return std::numeric_limits<double>::infinity();
  double d = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return d;
}

}  // namespace

Result<std::vector<MetricResultSeries>> RunHistogramQuantileQuery(const MetricTable& table,
                                                                  MetricRangeQuery query,
                                                                  double q) {
  if (!(q >= 0 && q <= 1)) return Status::InvalidArgument("q must be within [0, 1], not {}", q);
  if (query.fn.empty()) query.fn = "rate";
  if (!query.agg.empty() && query.agg != "sum") {
    return Status::InvalidArgument("histogram_quantile sums buckets; agg must be empty or sum");
  }
  query.agg = "sum";
  std::vector<std::string> by = query.by;
  std::erase(by, std::string("le"));
  query.by = by;
  query.by.push_back("le");
  ASSIGN_OR_RETURN(auto summed, RunMetricRangeQuery(table, query));
  // group labels -> time -> buckets
  std::map<Labels, std::map<int64_t, std::vector<HistogramBucket>>> groups;
  for (const auto& s : summed) {
    auto le = ParseLe(LabelValue(s.labels, "le"));
    if (!le) continue;
    Labels key = s.labels;
    std::erase_if(key, [](const Label& l) { return l.first == "le"; });
    auto& g = groups[key];
    for (const auto& [t, v] : s.points) g[t].push_back({*le, v});
  }
  std::vector<MetricResultSeries> out;
  for (auto& [labels, times] : groups) {
    MetricResultSeries r;
    r.labels = labels;
    for (auto& [t, buckets] : times) {
      const double v = HistogramQuantile(q, std::move(buckets));
      if (!std::isnan(v)) r.points.emplace_back(t, v);
    }
    if (!r.points.empty()) out.push_back(std::move(r));
  }
  return out;
}

}  // namespace periscope
