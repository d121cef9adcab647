#include "api/insights/service_handlers.h"

#include <algorithm>
#include <set>

#include "api/insights/insights_params.h"
#include "api/logs_api.h"
#include "base/time.h"
#include "model/metric_labels.h"
#include "query/insights/service_insights.h"
#include "query/logs/log_search.h"

namespace periscope {

namespace {

namespace json = boost::json;

constexpr size_t kRecentErrors = 20;

// A quoted search-syntax value.
std::string Quote(std::string_view v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

// Log search text for the unified tags (empty ones left out) plus `extra`.
std::string TagQuery(std::string_view service, std::string_view env, std::string_view version,
                     std::string_view extra) {
  std::string q;
  auto add = [&](std::string_view field, std::string_view value) {
    if (value.empty()) return;
    if (!q.empty()) q.push_back(' ');
    q.append(field).push_back(':');
    q += Quote(value);
  };
  add("service", service);
  add("env", env);
  add("version", version);
  if (!extra.empty()) {
    if (!q.empty()) q.push_back(' ');
    q.append(extra);
  }
  return q;
}

constexpr std::string_view kErrorLevels = "(level:error OR level:fatal)";

Result<LogSearchRequest> LogRequest(const HttpRequest& req, const InsightsRange& range,
                                    const std::string& text) {
  LogSearchRequest r;
  r.tenant = req.Tenant();
  ASSIGN_OR_RETURN(r.query, ParseLogSearch(text));
  r.start_ns = range.start_ns;
  r.end_ns = range.end_ns;
  return r;
}

json::array StringArray(const std::set<std::string>& items) {
  json::array a;
  for (const auto& s : items) a.push_back(json::string(s));
  return a;
}

std::string LabelKey(const Labels& labels, std::string_view name) {
  return std::string(LabelValue(labels, name));
}

// Groups sorted by requests (descending), then key.
std::vector<std::pair<std::string, const RedAccumulator*>> ByRequests(
    const std::map<std::string, RedAccumulator>& groups) {
  std::vector<std::pair<std::string, const RedAccumulator*>> out;
  for (const auto& [k, acc] : groups) out.emplace_back(k, &acc);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.second->Summary().requests > b.second->Summary().requests;
  });
  return out;
}

}  // namespace

HttpResponse HandleServicesOverview(const LogTable& logs, const MetricTable& metrics,
                                    const HttpRequest& req) {
  auto range = ParseInsightsRange(req, NowNanos());
  if (!range.ok()) return InsightsError(range.status());
  auto grid = ParseInsightsGrid(req, *range);
  if (!grid.ok()) return InsightsError(grid.status());
  RedFilter filter;
  filter.tenant = req.Tenant();
  filter.env = req.Param("env");
  filter.version = req.Param("version");
  auto groups = GroupSpanMetrics(metrics, filter, *grid,
                                 [](const Labels& l) { return LabelKey(l, "service"); });
  if (!groups.ok()) return InsightsError(groups.status());
  std::map<std::string, uint64_t> log_errors;
  auto log_req = LogRequest(req, *range, TagQuery("", filter.env, filter.version, kErrorLevels));
  if (!log_req.ok()) return InsightsError(log_req.status());
  Status st = ForEachMatchingLog(logs, *log_req, [&](const LogBatch& b, size_t row) {
    ++log_errors[b.tags(row).service];
    return true;
  });
  if (!st.ok()) return InsightsError(st);
  json::array services;
  for (const auto& [name, acc] : ByRequests(*groups)) {
    json::object row;
    row["service"] = name;
    row["envs"] = StringArray(acc->envs());
    row["versions"] = StringArray(acc->versions());
    AddRedSummary(acc->Summary(), row);
    row["series"] = json::object{{"rate", StepSeriesJson(acc->RateSeries())},
                                 {"error_rate", StepSeriesJson(acc->ErrorRateSeries())},
                                 {"p95_ms", StepSeriesJson(acc->QuantileSeries(0.95))}};
    auto it = log_errors.find(name);
    row["log_errors"] = it == log_errors.end() ? 0 : it->second;
    services.push_back(std::move(row));
  }
  json::object o{{"step", grid->step_ms}, {"services", std::move(services)}};
  return HttpResponse::Json(json::serialize(o));
}

HttpResponse HandleServiceOverview(const TraceQueries& traces, const LogTable& logs,
                                   const MetricTable& metrics, const HttpRequest& req) {
  const std::string service = req.path_args[0];
  auto range = ParseInsightsRange(req, NowNanos());
  if (!range.ok()) return InsightsError(range.status());
  auto grid = ParseInsightsGrid(req, *range);
  if (!grid.ok()) return InsightsError(grid.status());
  RedFilter filter;
  filter.tenant = req.Tenant();
  filter.env = req.Param("env");
  filter.service = service;
  filter.version = req.Param("version");

  // The whole service, per operation and per version, from one read of the span metrics.
  const std::vector<RedGroupKey> keys = {
      [](const Labels&) -> std::string { return "all"; },
      [](const Labels& l) {
        return JoinKey({LabelValue(l, "span_name"), LabelValue(l, "span_kind")});
      },
      [](const Labels& l) { return LabelKey(l, "version"); }};
  auto grouped = GroupSpanMetricsBy(metrics, filter, *grid, keys);
  if (!grouped.ok()) return InsightsError(grouped.status());
  const auto* whole = &(*grouped)[0];
  const auto* operations = &(*grouped)[1];
  const auto* versions = &(*grouped)[2];
  auto edges = GroupServiceGraph(metrics, filter.tenant, service, *grid);
  if (!edges.ok()) return InsightsError(edges.status());

  // Log counts per level and the newest error logs.
  auto log_req = LogRequest(req, *range, TagQuery(service, filter.env, filter.version, ""));
  if (!log_req.ok()) return InsightsError(log_req.status());
  std::map<std::string, uint64_t> level_counts;
  Status st = ForEachMatchingLog(logs, *log_req, [&](const LogBatch& b, size_t row) {
    ++level_counts[std::string(SeverityClassName(b.severity_class(row)))];
    return true;
  });
  if (!st.ok()) return InsightsError(st);
  auto error_req =
      LogRequest(req, *range, TagQuery(service, filter.env, filter.version, kErrorLevels));
  if (!error_req.ok()) return InsightsError(error_req.status());
  error_req->limit = kRecentErrors;
  auto error_logs = SearchLogs(logs, *error_req);
  if (!error_logs.ok()) return InsightsError(error_logs.status());

  const RedAccumulator* all = whole->empty() ? nullptr : &whole->begin()->second;
  if (all == nullptr && edges->empty() && level_counts.empty()) {
    return HttpResponse::Error(404, "service " + service + " has no data in the range");
  }

  // Error traces of the service, newest first.
  SpanQuery span_query;
  span_query.tenant = filter.tenant;
  span_query.service = service;
  span_query.env = filter.env;
  span_query.status_code = StatusCodeValue::kError;
  span_query.min_start_ns = range->start_ns;
  span_query.max_start_ns = range->end_ns;
  auto search = SpanSearch::Parse(filter.version.empty() ? "" : "version:" + Quote(filter.version));
  if (!search.ok()) return InsightsError(search.status());
  auto error_traces = traces.Search(span_query, *search, kRecentErrors, false);
  if (!error_traces.ok()) return InsightsError(error_traces.status());

  json::object o;
  o["service"] = service;
  o["step"] = grid->step_ms;
  RedAccumulator empty(*grid);
  const RedAccumulator& acc = all ? *all : empty;
  json::object summary{{"service", service},
                       {"envs", StringArray(acc.envs())},
                       {"versions", StringArray(acc.versions())}};
  AddRedSummary(acc.Summary(), summary);
  uint64_t log_errors = 0;
  for (const char* level : {"error", "fatal"}) {
    if (auto it = level_counts.find(level); it != level_counts.end()) log_errors += it->second;
  }
  summary["log_errors"] = log_errors;
  o["summary"] = std::move(summary);
  o["series"] = json::object{{"rate", StepSeriesJson(acc.RateSeries())},
                             {"errors", StepSeriesJson(acc.ErrorSeries())},
                             {"error_rate", StepSeriesJson(acc.ErrorRateSeries())},
                             {"p50_ms", StepSeriesJson(acc.QuantileSeries(0.5))},
                             {"p95_ms", StepSeriesJson(acc.QuantileSeries(0.95))},
                             {"p99_ms", StepSeriesJson(acc.QuantileSeries(0.99))}};

  json::array ops;
  for (const auto& [key, op] : ByRequests(*operations)) {
    const size_t sep = key.find('\x1f');
    std::string kind = key.substr(sep + 1);
    if (kind.starts_with("SPAN_KIND_")) kind = kind.substr(10);
    std::transform(kind.begin(), kind.end(), kind.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    json::object row{{"name", key.substr(0, sep)}, {"span_kind", kind}};
    AddRedSummary(op->Summary(), row);
    ops.push_back(std::move(row));
  }
  o["operations"] = std::move(ops);

  json::array vers;
  for (const auto& [version, v] : ByRequests(*versions)) {
    json::object row{{"version", version}};
    AddRedSummary(v->Summary(), row);
    row["series"] = json::object{{"rate", StepSeriesJson(v->RateSeries())},
                                 {"error_rate", StepSeriesJson(v->ErrorRateSeries())},
                                 {"p95_ms", StepSeriesJson(v->QuantileSeries(0.95))}};
    vers.push_back(std::move(row));
  }
  o["versions"] = std::move(vers);

  json::array upstream, downstream;
  for (const auto& [edge, e] : *edges) {
    const RedSummary s = e.Summary();
    auto row = [&](const std::string& peer) {
      return json::object{{"service", peer},
                          {"requests", JsonNumber(s.requests)},
                          {"rate", JsonNumber(s.rate)},
                          {"errors", JsonNumber(s.errors)},
                          {"error_rate", JsonNumber(s.error_rate)},
                          {"p95_ms", JsonNumber(s.p95_ms)}};
    };
    if (edge.second == service) upstream.push_back(row(edge.first));
    if (edge.first == service) downstream.push_back(row(edge.second));
  }
  o["upstream"] = std::move(upstream);
  o["downstream"] = std::move(downstream);

  json::array recent;
  for (const auto& s : error_traces->summaries) recent.push_back(TraceSummaryToJson(s));
  o["recent_errors"] = std::move(recent);

  json::object counts;
  for (const auto& [level, n] : level_counts) counts[level] = n;
  json::array recent_logs;
  for (size_t i = 0; i < error_logs->rows.size(); ++i) {
    recent_logs.push_back(LogToJson(error_logs->rows, i));
  }
  o["logs"] =
      json::object{{"counts", std::move(counts)}, {"recent_errors", std::move(recent_logs)}};
  return HttpResponse::Json(json::serialize(o));
}

HttpResponse HandleServiceMap(const TraceQueries& traces, const MetricTable& metrics,
                              const HttpRequest& req) {
  auto range = ParseInsightsRange(req, NowNanos());
  if (!range.ok()) return InsightsError(range.status());
  auto grid = ParseInsightsGrid(req, *range);
  if (!grid.ok()) return InsightsError(grid.status());
  RedFilter filter;
  filter.tenant = req.Tenant();
  filter.env = req.Param("env");
  auto services = GroupSpanMetrics(metrics, filter, *grid,
                                   [](const Labels& l) { return LabelKey(l, "service"); });
  if (!services.ok()) return InsightsError(services.status());
  auto edges = GroupServiceGraph(metrics, filter.tenant, "", *grid);
  if (!edges.ok()) return InsightsError(edges.status());
  std::set<std::string> known;
  for (const auto& s : traces.Services(filter.tenant)) known.insert(s);
  for (const auto& [s, acc] : *services) known.insert(s);

  // With an env filter, only edges touching a service seen in that env.
  auto edge_in_scope = [&](const EdgeKey& e) {
    return filter.env.empty() || services->count(e.first) || services->count(e.second);
  };
  json::array nodes;
  std::set<std::string> listed;
  for (const auto& [name, acc] : *services) {
    const RedSummary s = acc.Summary();
    nodes.push_back(json::object{{"service", name},
                                 {"requests", JsonNumber(s.requests)},
                                 {"rate", JsonNumber(s.rate)},
                                 {"error_rate", JsonNumber(s.error_rate)},
                                 {"p95_ms", JsonNumber(s.p95_ms)},
                                 {"virtual", false}});
    listed.insert(name);
  }
  // Services seen only in edges: real services without server spans, or virtual peers
  // (databases, external calls, "user"), with the figures of the calls they received.
  std::map<std::string, RedAccumulator> peers;
  for (const auto& [edge, acc] : *edges) {
    if (!edge_in_scope(edge)) continue;
    for (const std::string& side : {edge.first, edge.second}) {
      if (listed.count(side) || peers.count(side)) continue;
      peers.try_emplace(side, *grid);
    }
  }
  for (const auto& [name, unused] : peers) {
    double requests = 0, errors = 0;
    for (const auto& [edge, acc] : *edges) {
      if (edge.second != name || !edge_in_scope(edge)) continue;
      const RedSummary s = acc.Summary();
      requests += s.requests;
      errors += s.errors;
    }
    nodes.push_back(json::object{{"service", name},
                                 {"requests", JsonNumber(requests)},
                                 {"rate", JsonNumber(requests / grid->range_seconds())},
                                 {"error_rate", JsonNumber(requests > 0 ? errors / requests : 0)},
                                 {"p95_ms", nullptr},
                                 {"virtual", known.count(name) == 0}});
  }
  json::array out_edges;
  for (const auto& [edge, acc] : *edges) {
    if (!edge_in_scope(edge)) continue;
    const RedSummary s = acc.Summary();
    out_edges.push_back(json::object{{"client", edge.first},
                                     {"server", edge.second},
                                     {"requests", JsonNumber(s.requests)},
                                     {"rate", JsonNumber(s.rate)},
                                     {"error_rate", JsonNumber(s.error_rate)},
                                     {"p95_ms", JsonNumber(s.p95_ms)}});
  }
  json::object o{{"nodes", std::move(nodes)}, {"edges", std::move(out_edges)}};
  return HttpResponse::Json(json::serialize(o));
}

}  // namespace periscope
