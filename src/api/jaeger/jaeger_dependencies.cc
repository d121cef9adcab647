#include "api/jaeger/jaeger_dependencies.h"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>

#include "base/time.h"
#include "query/metrics/range_query.h"

namespace periscope {

namespace {

constexpr char kEdgeSelector[] =
    R"(traces_service_graph_request_total{connection_type!="virtual_node"})";

HttpResponse JaegerError(int code, const std::string& msg) {
  boost::json::object o{{"data", nullptr},
                        {"total", 0},
                        {"limit", 0},
                        {"offset", 0},
                        {"errors", boost::json::array{{{"code", code}, {"msg", msg}}}}};
  return HttpResponse::Json(boost::json::serialize(o), code);
}

bool ParseMillis(const std::string& s, int64_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size() && *out >= 0;
}

std::string LabelOf(const Labels& labels, std::string_view name) {
  for (const auto& [k, v] : labels) {
    if (k == name) return v;
  }
  return "";
}

HttpResponse Dependencies(const MetricTable& metrics, HttpRequest& req) {
  int64_t end_ms = NowNanos() / kNanosPerMilli;
  int64_t lookback_ms = 3600 * 1000;
  if (req.HasParam("endTs") && !ParseMillis(req.Param("endTs"), &end_ms)) {
    return JaegerError(400, "parameter endTs: expected Unix milliseconds");
  }
  if (req.HasParam("lookback") &&
      (!ParseMillis(req.Param("lookback"), &lookback_ms) || lookback_ms == 0)) {
    return JaegerError(400, "parameter lookback: expected a positive number of milliseconds");
  }
  MetricRangeQuery q;
  q.tenant = req.Tenant();
  auto matchers = ParseSeriesSelector(kEdgeSelector);
  if (!matchers.ok()) return JaegerError(500, matchers.status().message());
  q.matchers = std::move(matchers).value();
  q.fn = "increase";
  q.window_ms = lookback_ms;
  q.agg = "sum";
  q.by = {"client", "server"};
  q.start_ms = q.end_ms = end_ms;
  q.step_ms = 1000;
  auto result = RunMetricRangeQuery(metrics, q);
  if (!result.ok()) return JaegerError(500, result.status().message());
  boost::json::array data;
  for (const MetricResultSeries& s : *result) {
    if (s.points.empty() || !std::isfinite(s.points.back().second)) continue;
    const auto calls = static_cast<int64_t>(std::llround(s.points.back().second));
    if (calls <= 0) continue;
    data.push_back({{"parent", LabelOf(s.labels, "client")},
                    {"child", LabelOf(s.labels, "server")},
                    {"callCount", calls}});
  }
  const size_t n = data.size();
  boost::json::object o{
      {"data", std::move(data)}, {"total", n}, {"limit", 0}, {"offset", 0}, {"errors", nullptr}};
  return HttpResponse::Json(boost::json::serialize(o));
}

}  // namespace

void RegisterJaegerDependencies(Router& router, const MetricTable& metrics) {
  router.Add("GET", "/jaeger/api/dependencies",
             [&metrics](HttpRequest& req) { return Dependencies(metrics, req); });
}

}  // namespace periscope
