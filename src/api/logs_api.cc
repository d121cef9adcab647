#include "api/logs_api.h"

#include <memory>

#include "api/insights/response_cache.h"
#include "api/query_params.h"
#include "api/span_json.h"
#include "base/time.h"
#include "query/logs/log_search.h"

namespace periscope {

namespace {

constexpr int64_t kDefaultWindowNs = 3600 * kNanosPerSecond;

HttpResponse FromStatus(const Status& s) {
  const int code = s.code() == StatusCode::kInvalidArgument ? 400
                   : s.code() == StatusCode::kNotFound      ? 404
                                                            : 500;
  return HttpResponse::Error(code, s.message());
}

boost::json::value BodyToJson(const AnyValue& v) {
  if (v.type == ValueType::kKvList || v.type == ValueType::kArray) {
    boost::system::error_code ec;
    boost::json::value parsed = boost::json::parse(v.str, ec);
    if (!ec) return parsed;
    return boost::json::string(v.str);
  }
  if (v.type == ValueType::kEmpty) return nullptr;
  return AnyValueToJson(v);
}

// start/end of a logs request: RFC 3339 or Unix nanoseconds; default the last hour.
Status ParseWindow(const HttpRequest& req, LogSearchRequest* out) {
  const int64_t now = NowNanos();
  out->end_ns = now + 60 * kNanosPerSecond;
  if (req.HasParam("end")) {
    ASSIGN_OR_RETURN(out->end_ns, ParseTimeParam("end", req.Param("end"), 1));
  }
  out->start_ns = out->end_ns - kDefaultWindowNs;
  if (req.HasParam("start")) {
    ASSIGN_OR_RETURN(out->start_ns, ParseTimeParam("start", req.Param("start"), 1));
  }
  if (out->start_ns > out->end_ns) return Status::InvalidArgument("parameter start is after end");
  return Status::Ok();
}

Result<LogSearchRequest> ParseSearch(const HttpRequest& req) {
  LogSearchRequest r;
  r.tenant = req.Tenant();
  ASSIGN_OR_RETURN(r.query, ParseLogSearch(req.Param("q")));
  RETURN_IF_ERROR(ParseWindow(req, &r));
  ASSIGN_OR_RETURN(r.limit, ParseLimit(req, 100, 1000));
  r.cursor = req.Param("cursor");
  return r;
}

HttpResponse Page(const LogTable& table, const LogSearchRequest& request) {
  auto result = SearchLogs(table, request);
  if (!result.ok()) return FromStatus(result.status());
  boost::json::array logs;
  for (size_t i = 0; i < result->rows.size(); ++i) logs.push_back(LogToJson(result->rows, i));
  boost::json::object o{{"logs", std::move(logs)}};
  if (result->next.empty()) {
    o["next"] = nullptr;
  } else {
    o["next"] = result->next;
  }
  return HttpResponse::Json(boost::json::serialize(o));
}

HttpResponse Search(const LogTable& table, HttpRequest& req) {
  auto request = ParseSearch(req);
  if (!request.ok()) return FromStatus(request.status());
  return Page(table, *request);
}

HttpResponse Histogram(const LogTable& table, HttpRequest& req) {
  auto request = ParseSearch(req);
  if (!request.ok()) return FromStatus(request.status());
  int64_t step = 0;
  if (req.HasParam("step")) {
    auto s = ParseDurationParam("step", req.Param("step"), kNanosPerSecond);
    if (!s.ok()) return FromStatus(s.status());
    step = *s;
  } else {
    step = std::max<int64_t>(1, (request->end_ns - request->start_ns) / 60);
  }
  auto h = HistogramLogs(table, *request, step);
  if (!h.ok()) return FromStatus(h.status());
  boost::json::array buckets;
  for (size_t i = 0; i < h->buckets.size(); ++i) {
    boost::json::object counts;
    for (const auto& [name, n] : h->buckets[i]) counts[name] = n;
    buckets.push_back({{"time", FormatRfc3339(h->start_ns + static_cast<int64_t>(i) * h->step_ns)},
                       {"counts", std::move(counts)}});
  }
  return HttpResponse::Json(boost::json::serialize(
      boost::json::object{{"step_ns", h->step_ns}, {"buckets", std::move(buckets)}}));
}

HttpResponse TraceLogs(const LogTable& table, HttpRequest& req) {
  auto id = TraceId::FromHex(req.path_args[0]);
  if (!id) return HttpResponse::Error(400, "trace id must be 32 hex digits");
  std::string q = "trace_id:" + id->Hex();
  const std::string span = req.Param("span_id");
  if (!span.empty()) {
    if (!SpanId::FromHex(span)) return HttpResponse::Error(400, "span_id must be 16 hex digits");
    q += " span_id:" + span;
  }
  LogSearchRequest request;
  request.tenant = req.Tenant();
  auto node = ParseLogSearch(q);
  if (!node.ok()) return FromStatus(node.status());
  request.query = std::move(node).value();
  if (req.HasParam("start") || req.HasParam("end")) {
    if (Status s = ParseWindow(req, &request); !s.ok()) return FromStatus(s);
  }
  auto limit = ParseLimit(req, 1000, 10000);
  if (!limit.ok()) return FromStatus(limit.status());
  request.limit = *limit;
  request.cursor = req.Param("cursor");
  return Page(table, request);
}

}  // namespace

boost::json::object LogToJson(const LogBatch& b, size_t row) {
  const UnifiedTags& tags = b.tags(row);
  boost::json::object o;
  o["time"] = FormatRfc3339(b.time_ns[row]);
  o["observed_time"] = b.observed_time_ns[row] == 0
                           ? boost::json::value(nullptr)
                           : boost::json::value(FormatRfc3339(b.observed_time_ns[row]));
  const SeverityClass cls = b.severity_class(row);
  o["severity"] =
      b.severity_text[row].empty() ? std::string(SeverityClassName(cls)) : b.severity_text[row];
  o["severity_number"] = b.severity_number[row];
  o["level"] = std::string(SeverityClassName(cls));
  o["body"] = BodyToJson(b.body[row]);
  o["service"] = tags.service;
  o["env"] = tags.env;
  o["version"] = tags.version;
  o["host"] = tags.host;
  o["trace_id"] = b.trace_id[row].IsZero() ? boost::json::value(nullptr)
                                           : boost::json::value(b.trace_id[row].Hex());
  o["span_id"] = b.span_id[row].IsZero() ? boost::json::value(nullptr)
                                         : boost::json::value(b.span_id[row].Hex());
  if (!b.event_name[row].empty()) o["event_name"] = b.event_name[row];
  o["attributes"] = AttributesToJson(b.attributes[row]);
  o["resource"] = AttributesToJson(b.resource(row).attributes);
  return o;
}

void RegisterLogsApi(Router& router, const LogTable& table) {
  const LogTable* t = &table;
  router.Add("GET", "/api/logs", [t](HttpRequest& r) { return Search(*t, r); });
  router.Add("GET", "/api/logs/histogram",
             CachedHandler(std::make_shared<ResponseCache>(),
                           [t](HttpRequest& r) { return Histogram(*t, r); }));
  router.Add("GET", "/api/traces/{id}/logs", [t](HttpRequest& r) { return TraceLogs(*t, r); });
}

}  // namespace periscope
