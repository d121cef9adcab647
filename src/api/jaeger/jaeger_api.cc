#include "api/jaeger/jaeger_api.h"

#include <boost/json.hpp>
#include <map>
#include <set>

#include "api/query_params.h"
#include "api/span_json.h"
#include "base/time.h"

namespace periscope {

namespace {

boost::json::object Envelope(boost::json::value data, size_t total) {
  return {{"data", std::move(data)},
          {"total", total},
          {"limit", 0},
          {"offset", 0},
          {"errors", nullptr}};
}

HttpResponse JaegerError(int code, const std::string& msg) {
  boost::json::object o{{"data", nullptr},
                        {"total", 0},
                        {"limit", 0},
                        {"offset", 0},
                        {"errors", boost::json::array{{{"code", code}, {"msg", msg}}}}};
  return HttpResponse::Json(boost::json::serialize(o), code);
}

boost::json::object Tag(const std::string& key, const AnyValue& v) {
  boost::json::object t{{"key", key}};
  switch (v.type) {
    case ValueType::kBool:
      t["type"] = "bool";
      t["value"] = v.int_value != 0;
      break;
    case ValueType::kInt:
      t["type"] = "int64";
      t["value"] = v.int_value;
      break;
    case ValueType::kDouble:
      t["type"] = "float64";
      t["value"] = v.double_value;
      break;
    case ValueType::kBytes:
      t["type"] = "binary";
      t["value"] = v.ToString();
      break;
    default:
      t["type"] = "string";
      t["value"] = v.ToString();
  }
  return t;
}

boost::json::object StringTag(const std::string& key, const std::string& value) {
  return Tag(key, AnyValue::String(value));
}

boost::json::array Tags(const Attributes& attrs) {
  boost::json::array out;
  for (const auto& kv : attrs) out.push_back(Tag(kv.key, kv.value));
  return out;
}

int64_t Micros(int64_t ns) { return ns / 1000; }

}  // namespace

boost::json::object JaegerTraceJson(const SpanBatch& trace) {
  std::map<uint32_t, std::string> process_ids;  // resource index -> p1, p2...
  boost::json::object processes;
  boost::json::array spans;
  for (size_t i = 0; i < trace.size(); ++i) {
    auto [it, inserted] = process_ids.try_emplace(trace.resource_index[i], "");
    if (inserted) {
      it->second = "p" + std::to_string(process_ids.size());
      const Resource& r = trace.resource(i);
      boost::json::array ptags;
      for (const auto& kv : r.attributes) {
        if (kv.key != "service.name") ptags.push_back(Tag(kv.key, kv.value));
      }
      processes[it->second] = {{"serviceName", r.tags.service}, {"tags", std::move(ptags)}};
    }
    boost::json::object s;
    s["traceID"] = trace.trace_id[i].Hex();
    s["spanID"] = trace.span_id[i].Hex();
    s["operationName"] = trace.name[i];
    boost::json::array refs;
    if (!trace.parent_span_id[i].IsZero()) {
      refs.push_back({{"refType", "CHILD_OF"},
                      {"traceID", trace.trace_id[i].Hex()},
                      {"spanID", trace.parent_span_id[i].Hex()}});
    }
    for (const auto& l : trace.links[i]) {
      refs.push_back({{"refType", "FOLLOWS_FROM"},
                      {"traceID", l.trace_id.Hex()},
                      {"spanID", l.span_id.Hex()}});
    }
    s["references"] = std::move(refs);
    s["flags"] = trace.flags[i] & 0xff;
    s["startTime"] = Micros(trace.start_ns[i]);
    s["duration"] = Micros(trace.duration_ns(i));
    boost::json::array tags = Tags(trace.attributes[i]);
    if (trace.kind[i] != SpanKind::kUnspecified && trace.kind[i] != SpanKind::kInternal) {
      tags.push_back(StringTag("span.kind", SpanKindName(trace.kind[i])));
    }
    if (trace.status_code[i] == StatusCodeValue::kError) {
      tags.push_back(StringTag("otel.status_code", "ERROR"));
      tags.push_back(Tag("error", AnyValue::Bool(true)));
      if (!trace.status_message[i].empty()) {
        tags.push_back(StringTag("otel.status_description", trace.status_message[i]));
      }
    } else if (trace.status_code[i] == StatusCodeValue::kOk) {
      tags.push_back(StringTag("otel.status_code", "OK"));
    }
    const Scope& scope = trace.scope(i);
    if (!scope.name.empty()) tags.push_back(StringTag("otel.scope.name", scope.name));
    if (!scope.version.empty()) tags.push_back(StringTag("otel.scope.version", scope.version));
    if (!trace.trace_state[i].empty()) {
      tags.push_back(StringTag("w3c.tracestate", trace.trace_state[i]));
    }
    s["tags"] = std::move(tags);
    boost::json::array logs;
    for (const auto& e : trace.events[i]) {
      boost::json::array fields{StringTag("event", e.name)};
      for (auto& f : Tags(e.attributes)) fields.push_back(std::move(f));
      logs.push_back({{"timestamp", Micros(e.time_ns)}, {"fields", std::move(fields)}});
    }
    s["logs"] = std::move(logs);
    s["processID"] = it->second;
    s["warnings"] = nullptr;
    spans.push_back(std::move(s));
  }
  return {{"traceID", trace.empty() ? "" : trace.trace_id[0].Hex()},
          {"spans", std::move(spans)},
          {"processes", std::move(processes)},
          {"warnings", nullptr}};
}

namespace {

// Jaeger's `tags` parameter: a JSON object, or legacy repeated `tag=key:value`.
Status ParseJaegerTags(const HttpRequest& req, SpanQuery* q) {
  for (const auto& raw : req.Params("tags")) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(raw, ec);
    if (ec || !v.is_object()) {
      return Status::InvalidArgument("parameter tags: expected a JSON object, got '{}'", raw);
    }
    for (const auto& [k, val] : v.as_object()) {
      std::string value =
          val.is_string() ? std::string(val.as_string()) : boost::json::serialize(val);
      q->attributes.push_back({std::string(k), value});
    }
  }
  for (const auto& raw : req.Params("tag")) {
    size_t colon = raw.find(':');
    if (colon == std::string::npos) {
      return Status::InvalidArgument("parameter tag: expected key:value, got '{}'", raw);
    }
    q->attributes.push_back({raw.substr(0, colon), raw.substr(colon + 1)});
  }
  return Status::Ok();
}

HttpResponse SearchTraces(const TraceQueries& queries, HttpRequest& req) {
  SpanQuery q;
  q.tenant = req.Tenant();
  q.service = req.Param("service");
  q.name = req.Param("operation");
  const int64_t now = NowNanos();
  q.max_start_ns = now + 60 * kNanosPerSecond;
  int64_t lookback = 3600 * kNanosPerSecond;
  std::string lb = req.Param("lookback");
  if (!lb.empty() && lb != "custom") {
    auto d = ParseDurationNanos(lb);
    if (!d) return JaegerError(400, "parameter lookback: not a duration");
    lookback = *d;
  }
  if (req.HasParam("end")) {
    auto end = ParseTimeParam("end", req.Param("end"), kNanosPerMicro);
    if (!end.ok()) return JaegerError(400, end.status().message());
    q.max_start_ns = *end;
  }
  q.min_start_ns = q.max_start_ns - lookback;
  if (req.HasParam("start")) {
    auto start = ParseTimeParam("start", req.Param("start"), kNanosPerMicro);
    if (!start.ok()) return JaegerError(400, start.status().message());
    q.min_start_ns = *start;
  }
  if (req.HasParam("minDuration") && !req.Param("minDuration").empty()) {
    auto d = ParseDurationParam("minDuration", req.Param("minDuration"), kNanosPerMicro);
    if (!d.ok()) return JaegerError(400, d.status().message());
    q.min_duration_ns = *d;
  }
  if (req.HasParam("maxDuration") && !req.Param("maxDuration").empty()) {
    auto d = ParseDurationParam("maxDuration", req.Param("maxDuration"), kNanosPerMicro);
    if (!d.ok()) return JaegerError(400, d.status().message());
    q.max_duration_ns = *d;
  }
  if (Status s = ParseJaegerTags(req, &q); !s.ok()) return JaegerError(400, s.message());
  auto limit = ParseLimit(req, 20, 1500);
  if (!limit.ok()) return JaegerError(400, limit.status().message());
  auto result = queries.Search(q, *limit, true);
  if (!result.ok()) return JaegerError(500, result.status().message());
  boost::json::array data;
  for (const auto& t : result->traces) data.push_back(JaegerTraceJson(t));
  const size_t n = data.size();
  return HttpResponse::Json(boost::json::serialize(Envelope(std::move(data), n)));
}

HttpResponse GetTrace(const TraceQueries& queries, HttpRequest& req) {
  std::string hex = req.path_args[0];
  if (hex.size() < 32 && !hex.empty()) hex = std::string(32 - hex.size(), '0') + hex;
  auto id = TraceId::FromHex(hex);
  if (!id) return JaegerError(400, "trace id must be up to 32 hex digits");
  auto trace = queries.GetTrace(req.Tenant(), *id);
  if (!trace.ok()) return JaegerError(500, trace.status().message());
  if (trace->empty()) return JaegerError(404, "trace not found");
  boost::json::array data{JaegerTraceJson(*trace)};
  return HttpResponse::Json(boost::json::serialize(Envelope(std::move(data), 1)));
}

}  // namespace

void RegisterJaegerApi(Router& router, const TraceQueries& queries) {
  const TraceQueries* q = &queries;
  router.Add("GET", "/jaeger/api/services", [q](HttpRequest& r) {
    boost::json::array data;
    for (const auto& s : q->Services(r.Tenant())) data.push_back(boost::json::string(s));
    const size_t n = data.size();
    return HttpResponse::Json(boost::json::serialize(Envelope(std::move(data), n)));
  });
  router.Add("GET", "/jaeger/api/services/{service}/operations", [q](HttpRequest& r) {
    std::set<std::string> names;
    for (const auto& op : q->Operations(r.Tenant(), r.path_args[0])) names.insert(op.name);
    boost::json::array data;
    for (const auto& n : names) data.push_back(boost::json::string(n));
    const size_t n = data.size();
    return HttpResponse::Json(boost::json::serialize(Envelope(std::move(data), n)));
  });
  router.Add("GET", "/jaeger/api/operations", [q](HttpRequest& r) {
    std::string service = r.Param("service");
    if (service.empty()) return JaegerError(400, "parameter service is required");
    std::string kind = r.Param("spanKind");
    boost::json::array data;
    for (const auto& op : q->Operations(r.Tenant(), service)) {
      if (!kind.empty() && kind != SpanKindName(op.kind)) continue;
      data.push_back({{"name", op.name}, {"spanKind", SpanKindName(op.kind)}});
    }
    const size_t n = data.size();
    return HttpResponse::Json(boost::json::serialize(Envelope(std::move(data), n)));
  });
  router.Add("GET", "/jaeger/api/traces", [q](HttpRequest& r) { return SearchTraces(*q, r); });
  router.Add("GET", "/jaeger/api/traces/{id}", [q](HttpRequest& r) { return GetTrace(*q, r); });
}

}  // namespace periscope
