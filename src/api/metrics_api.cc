#include "api/metrics_api.h"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>

#include "api/metrics_params.h"
#include "base/time.h"
#include "model/metric_labels.h"
#include "query/metrics/histogram_quantile.h"
#include "query/metrics/range_query.h"

namespace periscope {

namespace {

namespace json = boost::json;

HttpResponse FromStatus(const Status& s) {
  return HttpResponse::Error(s.code() == StatusCode::kInvalidArgument ? 400 : 500, s.message());
}

HttpResponse QueryRange(const MetricTable& table, HttpRequest& req) {
  MetricRangeQuery q;
  q.tenant = req.Tenant();
  auto matchers = ParseSeriesSelector(req.Param("query"));
  if (!matchers.ok()) return FromStatus(matchers.status());
  q.matchers = std::move(matchers).value();
  q.fn = req.Param("fn");
  q.agg = req.Param("agg");
  for (const auto& b : req.Params("by")) {
    for (auto& l : SplitLabelList(b)) q.by.push_back(std::move(l));
  }
  if (req.HasParam("window")) {
    auto w = ParseMetricDurationMs("window", req.Param("window"));
    if (!w.ok()) return FromStatus(w.status());
    q.window_ms = *w;
  }
  auto range = ParseMetricTimeRange(req);
  if (!range.ok()) return FromStatus(range.status());
  q.start_ms = range->start_ms;
  q.end_ms = range->end_ms;
  q.step_ms = range->step_ms;
  Result<std::vector<MetricResultSeries>> result = std::vector<MetricResultSeries>();
  if (q.fn == "histogram_quantile") {
    double quantile = 0;
    const std::string qs = req.Param("q");
    auto [p, ec] = std::from_chars(qs.data(), qs.data() + qs.size(), quantile);
    if (qs.empty() || ec != std::errc() || p != qs.data() + qs.size()) {
      return HttpResponse::Error(400, "parameter q: histogram_quantile needs q in [0, 1]");
    }
    q.fn = "rate";
    result = RunHistogramQuantileQuery(table, q, quantile);
  } else {
    result = RunMetricRangeQuery(table, q);
  }
  if (!result.ok()) return FromStatus(result.status());
  json::array series;
  for (const auto& s : *result) {
    json::array points;
    for (const auto& [t, v] : s.points) points.push_back(json::array{t, v});
    series.push_back(json::object{{"labels", LabelsToJson(s.labels)}, {"points", points}});
  }
  json::object o{
      {"start", q.start_ms}, {"end", q.end_ms}, {"step", q.step_ms}, {"series", std::move(series)}};
  return HttpResponse::Json(json::serialize(o));
}

// GET /api/metrics/exemplars?query=&start=&end=&limit=: exemplars of the selected series,
// newest first.
HttpResponse Exemplars(const MetricTable& table, HttpRequest& req) {
  auto matchers = ParseSeriesSelector(req.Param("query"));
  if (!matchers.ok()) return FromStatus(matchers.status());
  auto range = ParseMetricTimeRange(req);
  if (!range.ok()) return FromStatus(range.status());
  size_t limit = 100;
  if (req.HasParam("limit")) {
    const std::string v = req.Param("limit");
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), limit);
    if (ec != std::errc() || p != v.data() + v.size() || limit == 0) {
      return HttpResponse::Error(400, "parameter limit: expected a positive count");
    }
    limit = std::min<size_t>(limit, 1000);
  }
  auto selected = table.Select(req.Tenant(), *matchers, range->start_ms, range->end_ms);
  if (!selected.ok()) return FromStatus(selected.status());
  struct Found {
    const Labels* labels;
    const MetricExemplar* e;
  };
  std::vector<Found> found;
  for (const auto& sel : *selected) {
    for (const auto& e : sel.series.exemplars) {
      if (e.time_ms >= range->start_ms && e.time_ms <= range->end_ms) {
        found.push_back({&sel.series.labels, &e});
      }
    }
  }
  auto newer = [](const Found& a, const Found& b) {
    if (a.e->time_ms != b.e->time_ms) return a.e->time_ms > b.e->time_ms;
    return *a.labels < *b.labels;
  };
  if (found.size() > limit) {
    std::partial_sort(found.begin(), found.begin() + static_cast<ptrdiff_t>(limit), found.end(),
                      newer);
    found.resize(limit);
  } else {
    std::sort(found.begin(), found.end(), newer);
  }
  json::array out;
  for (const auto& f : found) {
    json::object o{{"labels", LabelsToJson(*f.labels)}, {"time", f.e->time_ms}};
    o["value"] = std::isfinite(f.e->value) ? json::value(f.e->value) : json::value(nullptr);
    o["trace_id"] =
        f.e->trace_id.IsZero() ? json::value(nullptr) : json::value(f.e->trace_id.Hex());
    o["span_id"] = f.e->span_id.IsZero() ? json::value(nullptr) : json::value(f.e->span_id.Hex());
    out.push_back(std::move(o));
  }
  return HttpResponse::Json(json::serialize(json::object{{"exemplars", std::move(out)}}));
}

HttpResponse StringList(std::string_view key, const std::vector<std::string>& items) {
  json::array a;
  for (const auto& s : items) a.push_back(json::string(s));
  return HttpResponse::Json(json::serialize(json::object{{key, a}}));
}

}  // namespace

void RegisterMetricsApi(Router& router, const MetricTable& table) {
  const MetricTable* t = &table;
  router.Add("GET", "/api/metrics", [t](HttpRequest& r) {
    auto m = SelectorMatchers(r, "match");
    if (!m.ok()) return FromStatus(m.status());
    return StringList("metrics", t->LabelValues(r.Tenant(), "__name__", *m));
  });
  router.Add("GET", "/api/metrics/labels", [t](HttpRequest& r) {
    auto m = SelectorMatchers(r, "match");
    if (!m.ok()) return FromStatus(m.status());
    if (r.HasParam("name"))
      return StringList("values", t->LabelValues(r.Tenant(), r.Param("name"), *m));
    return StringList("labels", t->LabelNames(r.Tenant(), *m));
  });
  router.Add("GET", "/api/metrics/series", [t](HttpRequest& r) {
    auto m = SelectorMatchers(r, "match");
    if (!m.ok()) return FromStatus(m.status());
    json::array series;
    for (const auto& s : t->Series(r.Tenant(), *m)) {
      series.push_back(json::object{{"labels", LabelsToJson(s.labels)},
                                    {"kind", std::string(MetricKindName(s.kind))}});
    }
    return HttpResponse::Json(json::serialize(json::object{{"series", series}}));
  });
  router.Add("GET", "/api/metrics/query_range", [t](HttpRequest& r) { return QueryRange(*t, r); });
  router.Add("GET", "/api/metrics/exemplars", [t](HttpRequest& r) { return Exemplars(*t, r); });
}

}  // namespace periscope
