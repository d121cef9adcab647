#include "api/insights/insights_params.h"

#include <charconv>
#include <cmath>

#include "api/metrics_params.h"
#include "base/time.h"

namespace periscope {

Result<int64_t> ParseInsightsTime(std::string_view name, std::string_view v) {
  double d = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size() || !std::isfinite(d)) {
    if (auto t = ParseTimestamp(v)) return *t;
    return Status::InvalidArgument("parameter {}: '{}' is not a time (RFC 3339 or Unix time)", name,
                                   v);
  }
  const double a = std::fabs(d);
  if (a >= 1e17) {
    int64_t ns = 0;
    auto [q, ec2] = std::from_chars(v.data(), v.data() + v.size(), ns);
    if (ec2 == std::errc() && q == v.data() + v.size()) return ns;  // exact integer nanoseconds
    return static_cast<int64_t>(d);
  }
  if (a >= 1e14) return static_cast<int64_t>(d * 1e3);  // microseconds
  if (a >= 1e11) return static_cast<int64_t>(d * 1e6);  // milliseconds
  return static_cast<int64_t>(std::llround(d * 1e9));   // seconds
}

Result<InsightsRange> ParseInsightsRange(const HttpRequest& req, int64_t now_ns) {
  InsightsRange r;
  r.end_ns = now_ns;
  if (req.HasParam("end")) {
    ASSIGN_OR_RETURN(r.end_ns, ParseInsightsTime("end", req.Param("end")));
  }
  r.start_ns = r.end_ns - 3600 * kNanosPerSecond;
  if (req.HasParam("start")) {
    ASSIGN_OR_RETURN(r.start_ns, ParseInsightsTime("start", req.Param("start")));
  }
  if (r.start_ns > r.end_ns) return Status::InvalidArgument("parameter start is after end");
  return r;
}

Result<StepGrid> ParseInsightsGrid(const HttpRequest& req, const InsightsRange& range) {
  const int64_t start_ms = range.start_ns / kNanosPerMilli;
  const int64_t end_ms = range.end_ns / kNanosPerMilli;
  int64_t step_ms = 0;
  if (req.HasParam("step")) {
    const std::string v = req.Param("step");
    double d = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
    if (!v.empty() && ec == std::errc() && p == v.data() + v.size()) {
      step_ms = static_cast<int64_t>(d * 1000);
    } else if (auto ns = ParseDurationNanos(v)) {
      step_ms = *ns / kNanosPerMilli;
    } else {
      return Status::InvalidArgument("parameter step: '{}' is not a duration (e.g. 30s, 5m)", v);
    }
    if (step_ms < 1000) return Status::InvalidArgument("parameter step: at least 1s");
  } else {
    step_ms = std::max<int64_t>(15000, ((end_ms - start_ms) / 60 + 999) / 1000 * 1000);
  }
  return StepGrid::Make(start_ms, end_ms, step_ms);
}

std::vector<std::string> CommaList(const HttpRequest& req, std::string_view name,
                                   std::vector<std::string> fallback) {
  if (!req.HasParam(name)) return fallback;
  std::vector<std::string> out;
  for (const auto& p : req.Params(name)) {
    for (auto& item : SplitLabelList(p)) out.push_back(std::move(item));
  }
  return out;
}

HttpResponse InsightsError(const Status& s) {
  const int code = s.code() == StatusCode::kInvalidArgument ? 400
                   : s.code() == StatusCode::kNotFound      ? 404
                                                            : 500;
  return HttpResponse::Error(code, s.message());
}

boost::json::value JsonNumber(double v) {
  if (!std::isfinite(v)) return nullptr;
  if (v == std::floor(v) && std::fabs(v) < 9e15) return static_cast<int64_t>(v);
  return v;
}

boost::json::array StepSeriesJson(const StepSeries& series) {
  boost::json::array out;
  out.reserve(series.size());
  for (const auto& [t, v] : series) out.push_back(boost::json::array{t, JsonNumber(v)});
  return out;
}

void AddRedSummary(const RedSummary& s, boost::json::object& o) {
  o["requests"] = JsonNumber(s.requests);
  o["rate"] = JsonNumber(s.rate);
  o["errors"] = JsonNumber(s.errors);
  o["error_rate"] = JsonNumber(s.error_rate);
  o["p50_ms"] = JsonNumber(s.p50_ms);
  o["p95_ms"] = JsonNumber(s.p95_ms);
  o["p99_ms"] = JsonNumber(s.p99_ms);
}

boost::json::object TraceSummaryToJson(const TraceSummary& s) {
  boost::json::array services;
  for (const auto& name : s.services) services.push_back(boost::json::string(name));
  return {{"trace_id", s.trace_id.Hex()}, {"root_service", s.root_service},
          {"root_name", s.root_name},     {"start_time_unix_nano", std::to_string(s.start_ns)},
          {"duration_ns", s.duration_ns}, {"span_count", s.span_count},
          {"error_count", s.error_count}, {"services", std::move(services)}};
}

}  // namespace periscope
