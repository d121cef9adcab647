#include "api/prometheus_api.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <boost/url/parse_query.hpp>
#include <charconv>
#include <cmath>
#include <map>
#include <set>

#include "api/metrics_params.h"
#include "base/time.h"
#include "model/metric_labels.h"
#include "query/metrics/histogram_quantile.h"
#include "query/metrics/promql_subset.h"
#include "query/metrics/range_query.h"

namespace periscope {

namespace {

namespace json = boost::json;

HttpResponse PromData(std::string_view data_json) {
  return HttpResponse::Json(fmt::format(R"({{"status":"success","data":{}}})", data_json));
}

HttpResponse PromData(const json::value& data) { return PromData(json::serialize(data)); }

HttpResponse PromError(const Status& s) {
  const bool bad = s.code() == StatusCode::kInvalidArgument;
  json::object o{
      {"status", "error"}, {"errorType", bad ? "bad_data" : "internal"}, {"error", s.message()}};
  return HttpResponse::Json(json::serialize(o), bad ? 400 : 500);
}

// Seconds as Prometheus writes them: 1795705264 or 1795705264.5.
std::string PromTime(int64_t ms) {
  if (ms % 1000 == 0) return fmt::format("{}", ms / 1000);
  std::string s = fmt::format("{:.3f}", static_cast<double>(ms) / 1000.0);
  while (s.back() == '0') s.pop_back();
  return s;
}

std::string PromValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}

void AppendPoint(std::string& out, int64_t ms, double v) {
  fmt::format_to(std::back_inserter(out), R"([{},"{}"])", PromTime(ms), PromValue(v));
}

// {"resultType":"vector"|"matrix","result":[...]} over the series that have points: a vector
// holds each series' last point as "value", a matrix all its points as "values".
std::string ResultJson(const std::vector<MetricResultSeries>& series, bool vector) {
  std::string data =
      vector ? R"({"resultType":"vector","result":[)" : R"({"resultType":"matrix","result":[)";
  bool first = true;
  for (const auto& s : series) {
    if (s.points.empty()) continue;
    if (!first) data += ',';
    first = false;
    data += R"({"metric":)" + json::serialize(LabelsToJson(s.labels));
    if (vector) {
      data += R"(,"value":)";
      AppendPoint(data, s.points.back().first, s.points.back().second);
    } else {
      data += R"(,"values":[)";
      for (size_t i = 0; i < s.points.size(); ++i) {
        if (i > 0) data += ',';
        AppendPoint(data, s.points[i].first, s.points[i].second);
      }
      data += ']';
    }
    data += '}';
  }
  return data + "]}";
}

// Adds the parameters of a form-encoded POST body to req.params.
Status AddFormParams(HttpRequest& req) {
  if (req.method != "POST") return Status::Ok();
  if (!req.Header("content-type").starts_with("application/x-www-form-urlencoded")) {
    return Status::InvalidArgument("POST needs a body of type application/x-www-form-urlencoded");
  }
  auto params = boost::urls::parse_query(req.body);
  if (!params) return Status::InvalidArgument("malformed form body: {}", params.error().message());
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  for (auto p : *params) {
    req.params.emplace(p.key.decode(opts), p.has_value ? p.value.decode(opts) : std::string());
  }
  return Status::Ok();
}

Result<std::vector<MetricResultSeries>> Evaluate(const MetricTable& table, const PromQuery& p,
                                                 MetricRangeQuery q) {
  if (p.kind == PromQuery::Kind::kHistogramQuantile) {
    return RunHistogramQuantileQuery(table, q, p.quantile);
  }
  return RunMetricRangeQuery(table, q);
}

HttpResponse InstantQuery(const MetricTable& table, HttpRequest& req) {
  auto parsed = ParsePromQuery(req.Param("query"));
  if (!parsed.ok()) return PromError(parsed.status());
  int64_t at_ms = NowNanos() / 1000000;
  if (req.HasParam("time")) {
    auto t = ParseMetricTimeMs("time", req.Param("time"));
    if (!t.ok()) return PromError(t.status());
    at_ms = *t;
  }
  if (parsed->kind == PromQuery::Kind::kScalar) {
    std::string data = R"({"resultType":"scalar","result":)";
    AppendPoint(data, at_ms, parsed->scalar);
    return PromData(data + "}");
  }
  MetricRangeQuery q = parsed->query;
  q.tenant = req.Tenant();
  q.start_ms = q.end_ms = at_ms;
  q.step_ms = 1000;
  auto result = Evaluate(table, *parsed, q);
  if (!result.ok()) return PromError(result.status());
  return PromData(ResultJson(*result, /*vector=*/true));
}

HttpResponse RangeQuery(const MetricTable& table, HttpRequest& req) {
  auto parsed = ParsePromQuery(req.Param("query"));
  if (!parsed.ok()) return PromError(parsed.status());
  auto range = ParseMetricTimeRange(req);
  if (!range.ok()) return PromError(range.status());
  if (range->step_ms <= 0) {
    return PromError(
        Status::InvalidArgument("zero or negative query resolution step widths are "
                                "not accepted. Try a positive integer"));
  }
  if (range->end_ms < range->start_ms) {
    return PromError(Status::InvalidArgument("end timestamp must not be before start time"));
  }
  std::vector<MetricResultSeries> series;
  if (parsed->kind == PromQuery::Kind::kScalar) {
    if ((range->end_ms - range->start_ms) / range->step_ms > 11000) {
      return PromError(Status::InvalidArgument("exceeded maximum resolution of 11,000 points"));
    }
    MetricResultSeries& s = series.emplace_back();
    for (int64_t t = range->start_ms; t <= range->end_ms; t += range->step_ms) {
      s.points.emplace_back(t, parsed->scalar);
    }
  } else {
    MetricRangeQuery q = parsed->query;
    q.tenant = req.Tenant();
    q.start_ms = range->start_ms;
    q.end_ms = range->end_ms;
    q.step_ms = range->step_ms;
    auto result = Evaluate(table, *parsed, q);
    if (!result.ok()) return PromError(result.status());
    series = std::move(result).value();
  }
  return PromData(ResultJson(series, /*vector=*/false));
}

HttpResponse Exemplars(const MetricTable& table, HttpRequest& req) {
  auto parsed = ParsePromQuery(req.Param("query"));
  if (!parsed.ok()) return PromError(parsed.status());
  auto range = ParseMetricTimeRange(req);
  if (!range.ok()) return PromError(range.status());
  if (parsed->kind == PromQuery::Kind::kScalar) return PromData(std::string_view("[]"));
  auto selected =
      table.Select(req.Tenant(), parsed->query.matchers, range->start_ms, range->end_ms);
  if (!selected.ok()) return PromError(selected.status());
  std::string data = "[";
  for (const auto& sel : *selected) {
    std::string exemplars;
    for (const auto& e : sel.series.exemplars) {
      if (e.time_ms < range->start_ms || e.time_ms > range->end_ms) continue;
      json::object labels;
      if (!e.trace_id.IsZero()) labels["trace_id"] = e.trace_id.Hex();
      if (!e.span_id.IsZero()) labels["span_id"] = e.span_id.Hex();
      fmt::format_to(std::back_inserter(exemplars),
                     R"({}{{"labels":{},"value":"{}","timestamp":{}}})",
                     exemplars.empty() ? "" : ",", json::serialize(labels), PromValue(e.value),
                     PromTime(e.time_ms));
    }
    if (exemplars.empty()) continue;
    fmt::format_to(std::back_inserter(data), R"({}{{"seriesLabels":{},"exemplars":[{}]}})",
                   data.size() > 1 ? "," : "", json::serialize(LabelsToJson(sel.series.labels)),
                   exemplars);
  }
  return PromData(data + "]");
}

std::string_view PromTypeOf(MetricKind kind) {
  switch (kind) {
    case MetricKind::kCounter:
    case MetricKind::kDeltaCounter:
      return "counter";
    case MetricKind::kGauge:
    case MetricKind::kSum:
    case MetricKind::kDeltaSum:
      return "gauge";
    case MetricKind::kUnknown:
      break;
  }
  return "unknown";
}

// Metric families and their Prometheus types: x_bucket{le} series make family x a histogram,
// x{quantile} a summary; their _bucket/_count/_sum series are not listed on their own.
HttpResponse Metadata(const MetricTable& table, HttpRequest& req) {
  std::map<std::string, std::string> types;
  std::set<std::string> histograms, summaries;
  const auto all = table.Series(req.Tenant(), {});
  for (const auto& s : all) {
    const std::string_view name = LabelValue(s.labels, "__name__");
    if (name.ends_with("_bucket") && !LabelValue(s.labels, "le").empty()) {
      histograms.emplace(name.substr(0, name.size() - 7));
    } else if (!LabelValue(s.labels, "quantile").empty()) {
      summaries.emplace(name);
    }
  }
  auto family_of = [&](std::string_view name) -> std::string_view {
    for (std::string_view suffix : {"_bucket", "_count", "_sum"}) {
      if (!name.ends_with(suffix)) continue;
      std::string base(name.substr(0, name.size() - suffix.size()));
      if (histograms.count(base) || summaries.count(base)) return name.substr(0, base.size());
    }
    return name;
  };
  for (const auto& s : all) {
    const std::string_view name = LabelValue(s.labels, "__name__");
    if (name.empty()) continue;
    const std::string family(family_of(name));
    if (histograms.count(family)) {
      types[family] = "histogram";
    } else if (summaries.count(family)) {
      types[family] = "summary";
    } else {
      types.emplace(family, PromTypeOf(s.kind));
    }
  }
  const std::string only = req.Param("metric");
  size_t limit = SIZE_MAX;
  if (req.HasParam("limit")) {
    const std::string v = req.Param("limit");
    long long n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || p != v.data() + v.size()) {
      return PromError(Status::InvalidArgument("limit must be a number"));
    }
    if (n >= 0) limit = static_cast<size_t>(n);
  }
  json::object data;
  for (const auto& [name, type] : types) {
    if (data.size() >= limit) break;
    if (!only.empty() && name != only) continue;
    data[name] = json::array{json::object{{"type", type}, {"help", ""}, {"unit", ""}}};
  }
  return PromData(data);
}

HttpResponse BuildInfo() {
  return PromData(json::object{{"version", "2.45.0"},
                               {"revision", "periscope"},
                               {"branch", "periscope"},
                               {"buildUser", "periscope"},
                               {"buildDate", ""},
                               {"goVersion", ""},
                               {"application", "periscope"}});
}

}  // namespace

void RegisterPrometheusApi(Router& router, const MetricTable& table) {
  const MetricTable* t = &table;
  auto add = [&router](std::string_view path, std::function<HttpResponse(HttpRequest&)> handler) {
    auto with_form = [handler](HttpRequest& r) {
      if (Status s = AddFormParams(r); !s.ok()) return PromError(s);
      return handler(r);
    };
    for (std::string_view prefix : {"/prometheus/api/v1", "/api/v1"}) {
      const std::string full = std::string(prefix) + std::string(path);
      router.Add("GET", full, with_form);
      router.Add("POST", full, with_form);
    }
  };
  add("/query", [t](HttpRequest& r) { return InstantQuery(*t, r); });
  add("/query_range", [t](HttpRequest& r) { return RangeQuery(*t, r); });
  add("/query_exemplars", [t](HttpRequest& r) { return Exemplars(*t, r); });
  add("/labels", [t](HttpRequest& r) {
    auto m = SelectorMatchers(r, "match[]");
    if (!m.ok()) return PromError(m.status());
    json::array a;
    for (const auto& s : t->LabelNames(r.Tenant(), *m)) a.push_back(json::string(s));
    return PromData(a);
  });
  add("/label/{name}/values", [t](HttpRequest& r) {
    auto m = SelectorMatchers(r, "match[]");
    if (!m.ok()) return PromError(m.status());
    json::array a;
    for (const auto& s : t->LabelValues(r.Tenant(), r.path_args[0], *m)) {
      a.push_back(json::string(s));
    }
    return PromData(a);
  });
  add("/series", [t](HttpRequest& r) {
    auto m = SelectorMatchers(r, "match[]");
    if (!m.ok()) return PromError(m.status());
    if (m->empty()) return PromError(Status::InvalidArgument("no match[] parameter provided"));
    json::array a;
    for (const auto& s : t->Series(r.Tenant(), *m)) a.push_back(LabelsToJson(s.labels));
    return PromData(a);
  });
  add("/metadata", [t](HttpRequest& r) { return Metadata(*t, r); });
  add("/status/buildinfo", [](HttpRequest&) { return BuildInfo(); });
}

}  // namespace periscope
