#include "api/insights/facet_handlers.h"

#include <charconv>

#include "api/insights/insights_params.h"
#include "api/query_params.h"
#include "base/time.h"
#include "query/insights/attribute_keys.h"
#include "query/insights/facets.h"

namespace periscope {

namespace {

namespace json = boost::json;

constexpr size_t kMaxFields = 32;

json::object FacetsJson(const std::vector<std::pair<std::string, std::vector<FacetValue>>>& f) {
  json::object out;
  for (const auto& [field, values] : f) {
    json::array a;
    for (const auto& v : values) a.push_back(json::object{{"value", v.value}, {"count", v.count}});
    out[field] = std::move(a);
  }
  return out;
}

Result<std::vector<std::string>> Fields(const HttpRequest& req, std::vector<std::string> fallback) {
  auto fields = CommaList(req, "fields", std::move(fallback));
  if (fields.empty()) return Status::InvalidArgument("parameter fields: no field named");
  if (fields.size() > kMaxFields) {
    return Status::InvalidArgument("parameter fields: at most {} fields", kMaxFields);
  }
  return fields;
}

Result<size_t> Top(const HttpRequest& req) {
  if (!req.HasParam("top")) return 20;
  const std::string v = req.Param("top");
  size_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size() || n == 0 || n > 1000) {
    return Status::InvalidArgument("parameter top: expected 1..1000, got '{}'", v);
  }
  return n;
}

// The spans a trace facet or attribute request covers: the trace search parameters within the
// insights time range, and the `q` span search.
struct SpanScope {
  SpanQuery query;
  SpanSearch search;
};

Result<SpanScope> ParseSpanScope(const HttpRequest& req) {
  const int64_t now = NowNanos();
  ASSIGN_OR_RETURN(SpanQuery query, ParseTraceSearch(req, now));
  ASSIGN_OR_RETURN(InsightsRange range, ParseInsightsRange(req, now));
  query.min_start_ns = range.start_ns;
  query.max_start_ns = range.end_ns;
  ASSIGN_OR_RETURN(SpanSearch search, SpanSearch::Parse(req.Param("q")));
  return SpanScope{std::move(query), std::move(search)};
}

}  // namespace

HttpResponse HandleTraceFacets(const TraceQueries& traces, const HttpRequest& req) {
  auto spans = ParseSpanScope(req);
  if (!spans.ok()) return InsightsError(spans.status());
  auto fields = Fields(req, {"service", "name", "status", "kind", "http.route", "env", "version"});
  if (!fields.ok()) return InsightsError(fields.status());
  auto top = Top(req);
  if (!top.ok()) return InsightsError(top.status());
  auto facets = CountSpanFacets(traces, spans->query, spans->search, *fields, *top);
  if (!facets.ok()) return InsightsError(facets.status());
  json::array bounds, counts;
  for (double b : FacetDurationBucketsMs()) bounds.push_back(JsonNumber(b));
  for (uint64_t c : facets->duration_counts) counts.push_back(c);
  json::object o{
      {"total_spans", facets->total_spans},
      {"sampled", facets->sampled},
      {"facets", FacetsJson(facets->facets)},
      {"duration", json::object{{"buckets_ms", std::move(bounds)}, {"counts", std::move(counts)}}}};
  return HttpResponse::Json(json::serialize(o));
}

HttpResponse HandleTraceAttributeKeys(const TraceQueries& traces, const HttpRequest& req) {
  auto spans = ParseSpanScope(req);
  if (!spans.ok()) return InsightsError(spans.status());
  auto limit = ParseLimit(req, 500, 1000);
  if (!limit.ok()) return InsightsError(limit.status());
  auto keys = CountSpanAttributeKeys(traces, spans->query, spans->search, *limit);
  if (!keys.ok()) return InsightsError(keys.status());
  json::array out;
  for (const auto& k : keys->keys) {
    out.push_back(json::object{
        {"key", k.key}, {"source", k.resource ? "resource" : "span"}, {"count", k.count}});
  }
  json::object o{
      {"total_spans", keys->total_spans}, {"sampled", keys->sampled}, {"keys", std::move(out)}};
  return HttpResponse::Json(json::serialize(o));
}

HttpResponse HandleLogFacets(const LogTable& logs, const HttpRequest& req) {
  auto range = ParseInsightsRange(req, NowNanos());
  if (!range.ok()) return InsightsError(range.status());
  LogSearchRequest request;
  request.tenant = req.Tenant();
  request.start_ns = range->start_ns;
  request.end_ns = range->end_ns;
  auto node = ParseLogSearch(req.Param("q"));
  if (!node.ok()) return InsightsError(node.status());
  request.query = std::move(node).value();
  auto fields = Fields(req, {"service", "level", "host", "env", "version"});
  if (!fields.ok()) return InsightsError(fields.status());
  auto top = Top(req);
  if (!top.ok()) return InsightsError(top.status());
  auto facets = CountLogFacets(logs, request, *fields, *top);
  if (!facets.ok()) return InsightsError(facets.status());
  json::object o{{"total", facets->total},
                 {"sampled", facets->sampled},
                 {"facets", FacetsJson(facets->facets)}};
  return HttpResponse::Json(json::serialize(o));
}

}  // namespace periscope
