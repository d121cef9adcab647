#include "api/metrics_api.h"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>

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

// RFC 3339, or Unix time in seconds (fractions allowed), milliseconds or nanoseconds, told
// apart by magnitude. Returns milliseconds.
Result<int64_t> ParseTimeMs(std::string_view name, std::string_view v) {
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

// "5m", "250ms", "1h" or bare (fractional) seconds; milliseconds.
Result<int64_t> ParseDurationMs(std::string_view name, std::string_view v) {
  double d = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  if (ec == std::errc() && p == v.data() + v.size()) return static_cast<int64_t>(d * 1000);
  if (auto ns = ParseDurationNanos(v)) return *ns / 1000000;
  return Status::InvalidArgument("parameter {}: '{}' is not a duration (e.g. 30s, 5m)", name, v);
}

json::object LabelsJson(const Labels& labels) {
  json::object o;
  for (const auto& [k, v] : labels) o[k] = v;
  return o;
}

Result<std::vector<LabelMatcher>> MatchersOf(const HttpRequest& req, std::string_view param) {
  std::vector<LabelMatcher> all;
  for (const auto& m : req.Params(param)) {
    if (m.empty()) continue;
    ASSIGN_OR_RETURN(auto ms, ParseSeriesSelector(m));
    all.insert(all.end(), ms.begin(), ms.end());
  }
  return all;
}

struct TimeRange {
  int64_t start_ms, end_ms, step_ms;
};

Result<TimeRange> RangeOf(const HttpRequest& req) {
  const int64_t now_ms = NowNanos() / 1000000;
  TimeRange r{now_ms - 3600000, now_ms, 0};
  if (req.HasParam("end")) {
    ASSIGN_OR_RETURN(r.end_ms, ParseTimeMs("end", req.Param("end")));
  }
  r.start_ms = r.end_ms - 3600000;
  if (req.HasParam("start")) {
    ASSIGN_OR_RETURN(r.start_ms, ParseTimeMs("start", req.Param("start")));
  }
  if (req.HasParam("step")) {
    ASSIGN_OR_RETURN(r.step_ms, ParseDurationMs("step", req.Param("step")));
  } else {
    r.step_ms = std::max<int64_t>(1000, (r.end_ms - r.start_ms) / 250);
  }
  return r;
}

std::vector<std::string> SplitComma(std::string_view s) {
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

HttpResponse QueryRange(const MetricTable& table, HttpRequest& req) {
  MetricRangeQuery q;
  q.tenant = req.Tenant();
  auto matchers = ParseSeriesSelector(req.Param("query"));
  if (!matchers.ok()) return FromStatus(matchers.status());
  q.matchers = std::move(matchers).value();
  q.fn = req.Param("fn");
  q.agg = req.Param("agg");
  for (const auto& b : req.Params("by")) {
    for (auto& l : SplitComma(b)) q.by.push_back(std::move(l));
  }
  if (req.HasParam("window")) {
    auto w = ParseDurationMs("window", req.Param("window"));
    if (!w.ok()) return FromStatus(w.status());
    q.window_ms = *w;
  }
  auto range = RangeOf(req);
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
    series.push_back(json::object{{"labels", LabelsJson(s.labels)}, {"points", points}});
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
  auto range = RangeOf(req);
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
    json::object o{{"labels", LabelsJson(*f.labels)}, {"time", f.e->time_ms}};
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

// Prometheus HTTP API envelope.
HttpResponse PromSuccess(json::value data) {
  return HttpResponse::Json(json::serialize(json::object{{"status", "success"}, {"data", data}}));
}

HttpResponse PromError(const Status& s) {
  json::object o{{"status", "error"},
                 {"errorType", s.code() == StatusCode::kInvalidArgument ? "bad_data" : "internal"},
                 {"error", s.message()}};
  return HttpResponse::Json(json::serialize(o),
                            s.code() == StatusCode::kInvalidArgument ? 400 : 500);
}

// Parses `[agg [by (l, ...)]] ( [fn] ( selector [window] ) )` into q.
Status ParsePromQuery(std::string_view text, MetricRangeQuery& q) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
  };
  auto strip_call = [&](std::string_view s, std::string_view fn, std::string_view* inner) {
    if (!s.starts_with(fn)) return false;
    std::string_view rest = trim(s.substr(fn.size()));
    if (rest.size() < 2 || rest.front() != '(' || rest.back() != ')') return false;
    *inner = trim(rest.substr(1, rest.size() - 2));
    return true;
  };
  text = trim(text);
  for (std::string_view agg : {"sum", "avg", "min", "max", "count"}) {
    if (!text.starts_with(agg)) continue;
    std::string_view rest = trim(text.substr(agg.size()));
    if (rest.starts_with("by")) {
      rest = trim(rest.substr(2));
      auto close = rest.find(')');
      if (rest.empty() || rest.front() != '(' || close == std::string_view::npos) {
        return Status::InvalidArgument("expected (labels) after by");
      }
      q.by = SplitComma(rest.substr(1, close - 1));
      rest = trim(rest.substr(close + 1));
    }
    if (rest.empty() || rest.front() != '(' || rest.back() != ')') continue;
    q.agg = std::string(agg);
    text = trim(rest.substr(1, rest.size() - 2));
    break;
  }
  for (std::string_view fn : {"rate", "increase"}) {
    std::string_view inner;
    if (!strip_call(text, fn, &inner)) continue;
    if (inner.empty() || inner.back() != ']') {
      return Status::InvalidArgument("{}() needs a range selector like x[5m]", fn);
    }
    auto open = inner.rfind('[');
    if (open == std::string_view::npos) return Status::InvalidArgument("missing [ in range");
    auto w = ParseDurationNanos(inner.substr(open + 1, inner.size() - open - 2));
    if (!w || *w <= 0) return Status::InvalidArgument("bad range duration in {}", inner);
    q.fn = std::string(fn);
    q.window_ms = *w / 1000000;
    text = trim(inner.substr(0, open));
    break;
  }
  ASSIGN_OR_RETURN(q.matchers, ParseSeriesSelector(text));
  return Status::Ok();
}

HttpResponse PromQueryRange(const MetricTable& table, HttpRequest& req) {
  MetricRangeQuery q;
  q.tenant = req.Tenant();
  if (Status s = ParsePromQuery(req.Param("query"), q); !s.ok()) return PromError(s);
  auto range = RangeOf(req);
  if (!range.ok()) return PromError(range.status());
  q.start_ms = range->start_ms;
  q.end_ms = range->end_ms;
  q.step_ms = range->step_ms;
  auto result = RunMetricRangeQuery(table, q);
  if (!result.ok()) return PromError(result.status());
  json::array series;
  for (const auto& s : *result) {
    json::array values;
    for (const auto& [t, v] : s.points) {
      values.push_back(json::array{static_cast<double>(t) / 1000.0, fmt::format("{}", v)});
    }
    series.push_back(json::object{{"metric", LabelsJson(s.labels)}, {"values", values}});
  }
  return PromSuccess(json::object{{"resultType", "matrix"}, {"result", series}});
}

}  // namespace

void RegisterMetricsApi(Router& router, const MetricTable& table) {
  const MetricTable* t = &table;
  router.Add("GET", "/api/metrics", [t](HttpRequest& r) {
    auto m = MatchersOf(r, "match");
    if (!m.ok()) return FromStatus(m.status());
    return StringList("metrics", t->LabelValues(r.Tenant(), "__name__", *m));
  });
  router.Add("GET", "/api/metrics/labels", [t](HttpRequest& r) {
    auto m = MatchersOf(r, "match");
    if (!m.ok()) return FromStatus(m.status());
    if (r.HasParam("name"))
      return StringList("values", t->LabelValues(r.Tenant(), r.Param("name"), *m));
    return StringList("labels", t->LabelNames(r.Tenant(), *m));
  });
  router.Add("GET", "/api/metrics/series", [t](HttpRequest& r) {
    auto m = MatchersOf(r, "match");
    if (!m.ok()) return FromStatus(m.status());
    json::array series;
    for (const auto& s : t->Series(r.Tenant(), *m)) {
      series.push_back(json::object{{"labels", LabelsJson(s.labels)},
                                    {"kind", std::string(MetricKindName(s.kind))}});
    }
    return HttpResponse::Json(json::serialize(json::object{{"series", series}}));
  });
  router.Add("GET", "/api/metrics/query_range", [t](HttpRequest& r) { return QueryRange(*t, r); });
  router.Add("GET", "/api/metrics/exemplars", [t](HttpRequest& r) { return Exemplars(*t, r); });

  router.Add("GET", "/prometheus/api/v1/labels", [t](HttpRequest& r) {
    auto m = MatchersOf(r, "match[]");
    if (!m.ok()) return PromError(m.status());
    json::array a;
    for (const auto& s : t->LabelNames(r.Tenant(), *m)) a.push_back(json::string(s));
    return PromSuccess(a);
  });
  router.Add("GET", "/prometheus/api/v1/label/{name}/values", [t](HttpRequest& r) {
    auto m = MatchersOf(r, "match[]");
    if (!m.ok()) return PromError(m.status());
    json::array a;
    for (const auto& s : t->LabelValues(r.Tenant(), r.path_args[0], *m)) {
      a.push_back(json::string(s));
    }
    return PromSuccess(a);
  });
  router.Add("GET", "/prometheus/api/v1/series", [t](HttpRequest& r) {
    auto m = MatchersOf(r, "match[]");
    if (!m.ok()) return PromError(m.status());
    if (m->empty()) return PromError(Status::InvalidArgument("no match[] parameter provided"));
    json::array a;
    for (const auto& s : t->Series(r.Tenant(), *m)) a.push_back(LabelsJson(s.labels));
    return PromSuccess(a);
  });
  router.Add("GET", "/prometheus/api/v1/query_range",
             [t](HttpRequest& r) { return PromQueryRange(*t, r); });
}

}  // namespace periscope
