#include "api/metrics_params.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "base/time.h"
#include "query/metrics/range_query.h"

namespace periscope {

Result<int64_t> ParseMetricTimeMs(std::string_view name, std::string_view v) {
  double d = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  if (ec != std::errc() || p != v.data() + v.size() || !std::isfinite(d)) {
    if (auto t = ParseTimestamp(v)) return *t / 1000000;
    return Status::InvalidArgument("parameter {}: '{}' is not a time (RFC 3339 or Unix time)", name,
                                   v);
  }
  if (std::fabs(d) >= 1e17) return static_cast<int64_t>(d / 1e6);  // nanoseconds
  if (std::fabs(d) >= 1e11) return static_cast<int64_t>(d);        // milliseconds
  return static_cast<int64_t>(std::llround(d * 1000));             // seconds
}

Result<int64_t> ParseMetricDurationMs(std::string_view name, std::string_view v) {
  double d = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  if (ec == std::errc() && p == v.data() + v.size() && std::isfinite(d)) {
    return static_cast<int64_t>(d * 1000);
  }
  if (auto ns = ParseDurationNanos(v)) return *ns / 1000000;
  return Status::InvalidArgument("parameter {}: '{}' is not a duration (e.g. 30s, 5m)", name, v);
}

Result<std::vector<LabelMatcher>> SelectorMatchers(const HttpRequest& req, std::string_view param) {
  std::vector<LabelMatcher> all;
  for (const auto& m : req.Params(param)) {
    if (m.empty()) continue;
    ASSIGN_OR_RETURN(auto ms, ParseSeriesSelector(m));
    all.insert(all.end(), ms.begin(), ms.end());
  }
  return all;
}

Result<MetricTimeRange> ParseMetricTimeRange(const HttpRequest& req) {
  const int64_t now_ms = NowNanos() / 1000000;
  MetricTimeRange r{now_ms - 3600000, now_ms, 0};
  if (req.HasParam("end")) {
    ASSIGN_OR_RETURN(r.end_ms, ParseMetricTimeMs("end", req.Param("end")));
  }
  r.start_ms = r.end_ms - 3600000;
  if (req.HasParam("start")) {
    ASSIGN_OR_RETURN(r.start_ms, ParseMetricTimeMs("start", req.Param("start")));
  }
  if (req.HasParam("step")) {
    ASSIGN_OR_RETURN(r.step_ms, ParseMetricDurationMs("step", req.Param("step")));
  } else {
    r.step_ms = std::max<int64_t>(1000, (r.end_ms - r.start_ms) / 250);
  }
  return r;
}

std::vector<std::string> SplitLabelList(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    auto c = s.find(',');
    std::string_view part = s.substr(0, c);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (!part.empty()) out.emplace_back(part);
    if (c == std::string_view::npos) break;
    s.remove_prefix(c + 1);
  }
  return out;
}

boost::json::object LabelsToJson(const Labels& labels) {
  boost::json::object o;
  for (const auto& [k, v] : labels) o[k] = v;
  return o;
}

}  // namespace periscope
