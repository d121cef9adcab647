#include "api/traces_api.h"

#include <boost/json.hpp>
#include <memory>

#include "api/insights/facet_handlers.h"
#include "api/insights/insights_params.h"
#include "api/insights/response_cache.h"
#include "api/query_params.h"
#include "api/span_json.h"
#include "api/span_json_writer.h"
#include "base/time.h"

namespace periscope {

namespace {

HttpResponse FromStatus(const Status& s) {
  int code = s.code() == StatusCode::kInvalidArgument ? 400
             : s.code() == StatusCode::kNotFound      ? 404
                                                      : 500;
  return HttpResponse::Error(code, s.message());
}

HttpResponse GetTrace(const TraceQueries& q, HttpRequest& req) {
  auto id = TraceId::FromHex(req.path_args[0]);
  if (!id) return HttpResponse::Error(400, "trace id must be 32 hex digits");
  const std::string format = req.Param("format");
  if (!format.empty() && format != "full" && format != "compact") {
    return HttpResponse::Error(400, "format must be full or compact");
  }
  auto trace = q.GetTrace(req.Tenant(), *id);
  if (!trace.ok()) return FromStatus(trace.status());
  if (trace->empty()) return HttpResponse::Error(404, "trace " + id->Hex() + " not found");
  if (format == "compact") return HttpResponse::Json(CompactTraceJson(id->Hex(), *trace));
  return HttpResponse::Json(TraceJson(id->Hex(), *trace));
}

HttpResponse SearchTraces(const TraceQueries& q, HttpRequest& req) {
  auto query = ParseTraceSearch(req, NowNanos());
  if (!query.ok()) return FromStatus(query.status());
  auto limit = ParseLimit(req, 20, 1000);
  if (!limit.ok()) return FromStatus(limit.status());
  auto search = SpanSearch::Parse(req.Param("q"));
  if (!search.ok()) return FromStatus(search.status());
  auto result = q.Search(*query, *search, *limit, false);
  if (!result.ok()) return FromStatus(result.status());
  boost::json::array traces;
  for (const auto& s : result->summaries) traces.push_back(TraceSummaryToJson(s));
  boost::json::object o{{"traces", std::move(traces)}};
  return HttpResponse::Json(boost::json::serialize(o));
}

}  // namespace

void RegisterTracesApi(Router& router, const TraceQueries& queries) {
  const TraceQueries* q = &queries;
  // Before /api/traces/{id}, which would take "facets" or "attributes" for an id.
  router.Add("GET", "/api/traces/facets",
             CachedHandler(std::make_shared<ResponseCache>(),
                           [q](HttpRequest& r) { return HandleTraceFacets(*q, r); }));
  router.Add("GET", "/api/traces/attributes",
             [q](HttpRequest& r) { return HandleTraceAttributeKeys(*q, r); });
  router.Add("GET", "/api/traces/{id}", [q](HttpRequest& r) { return GetTrace(*q, r); });
  router.Add("GET", "/api/traces", [q](HttpRequest& r) { return SearchTraces(*q, r); });
  router.Add("GET", "/api/services", [q](HttpRequest& r) {
    boost::json::array services;
    for (const auto& s : q->Services(r.Tenant())) services.push_back(boost::json::string(s));
    return HttpResponse::Json(boost::json::serialize(boost::json::object{{"services", services}}));
  });
  router.Add("GET", "/api/services/{service}/operations", [q](HttpRequest& r) {
    boost::json::array ops;
    for (const auto& op : q->Operations(r.Tenant(), r.path_args[0])) {
      ops.push_back({{"name", op.name}, {"span_kind", SpanKindName(op.kind)}});
    }
    return HttpResponse::Json(boost::json::serialize(boost::json::object{{"operations", ops}}));
  });
}

}  // namespace periscope
