#include "api/span_json.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace periscope {

namespace {
std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
}  // namespace

boost::json::value AnyValueToJson(const AnyValue& v) {
  switch (v.type) {
    case ValueType::kEmpty:
      return nullptr;
    case ValueType::kString:
      return boost::json::string(v.str);
    case ValueType::kBool:
      return v.int_value != 0;
    case ValueType::kInt:
      return v.int_value;
    case ValueType::kDouble:
      if (std::isfinite(v.double_value)) return v.double_value;
      return boost::json::string(v.ToString());
    case ValueType::kBytes:
      return boost::json::string(v.ToString());
    case ValueType::kArray:
    case ValueType::kKvList: {
      boost::system::error_code ec;
      boost::json::value parsed = boost::json::parse(v.str, ec);
      if (ec) return boost::json::string(v.str);
      return parsed;
    }
  }
  return nullptr;
}

boost::json::object AttributesToJson(const Attributes& attrs) {
  boost::json::object o;
  for (const auto& kv : attrs) o[kv.key] = AnyValueToJson(kv.value);
  return o;
}

const char* SpanKindName(SpanKind kind) {
  switch (kind) {
    case SpanKind::kUnspecified:
      return "unspecified";
    case SpanKind::kInternal:
      return "internal";
    case SpanKind::kServer:
      return "server";
    case SpanKind::kClient:
      return "client";
    case SpanKind::kProducer:
      return "producer";
    case SpanKind::kConsumer:
      return "consumer";
  }
  return "unspecified";
}

const char* StatusCodeName(StatusCodeValue code) {
  switch (code) {
    case StatusCodeValue::kUnset:
      return "unset";
    case StatusCodeValue::kOk:
      return "ok";
    case StatusCodeValue::kError:
      return "error";
  }
  return "unset";
}

std::optional<SpanKind> ParseSpanKind(std::string_view s) {
  std::string l = Lower(s);
  if (l.rfind("span_kind_", 0) == 0) l = l.substr(10);
  for (int k = 0; k <= 5; ++k) {
    if (l == SpanKindName(static_cast<SpanKind>(k))) return static_cast<SpanKind>(k);
  }
  return std::nullopt;
}

std::optional<StatusCodeValue> ParseStatusCode(std::string_view s) {
  std::string l = Lower(s);
  if (l.rfind("status_code_", 0) == 0) l = l.substr(12);
  for (int k = 0; k <= 2; ++k) {
    if (l == StatusCodeName(static_cast<StatusCodeValue>(k)))
      return static_cast<StatusCodeValue>(k);
  }
  return std::nullopt;
}

boost::json::object SpanToJson(const SpanBatch& b, size_t i) {
  boost::json::object o;
  o["trace_id"] = b.trace_id[i].Hex();
  o["span_id"] = b.span_id[i].Hex();
  o["parent_span_id"] = b.parent_span_id[i].IsZero() ? std::string() : b.parent_span_id[i].Hex();
  o["name"] = b.name[i];
  o["kind"] = SpanKindName(b.kind[i]);
  o["start_time_unix_nano"] = std::to_string(b.start_ns[i]);
  o["end_time_unix_nano"] = std::to_string(b.end_ns[i]);
  o["duration_ns"] = b.duration_ns(i);
  o["status"] = {{"code", StatusCodeName(b.status_code[i])}, {"message", b.status_message[i]}};
  const UnifiedTags& tags = b.tags(i);
  o["service"] = tags.service;
  o["env"] = tags.env;
  o["version"] = tags.version;
  o["host"] = tags.host;
  o["attributes"] = AttributesToJson(b.attributes[i]);
  o["resource"] = AttributesToJson(b.resource(i).attributes);
  const Scope& scope = b.scope(i);
  o["scope"] = {{"name", scope.name},
                {"version", scope.version},
                {"attributes", AttributesToJson(scope.attributes)}};
  boost::json::array events;
  for (const auto& e : b.events[i]) {
    events.push_back({{"time_unix_nano", std::to_string(e.time_ns)},
                      {"name", e.name},
                      {"attributes", AttributesToJson(e.attributes)},
                      {"dropped_attributes_count", e.dropped_attributes_count}});
  }
  o["events"] = std::move(events);
  boost::json::array links;
  for (const auto& l : b.links[i]) {
    links.push_back({{"trace_id", l.trace_id.Hex()},
                     {"span_id", l.span_id.Hex()},
                     {"trace_state", l.trace_state},
                     {"attributes", AttributesToJson(l.attributes)},
                     {"flags", l.flags},
                     {"dropped_attributes_count", l.dropped_attributes_count}});
  }
  o["links"] = std::move(links);
  o["trace_state"] = b.trace_state[i];
  o["flags"] = b.flags[i];
  o["dropped_attributes_count"] = b.dropped_attributes_count[i];
  o["dropped_events_count"] = b.dropped_events_count[i];
  o["dropped_links_count"] = b.dropped_links_count[i];
  return o;
}

}  // namespace periscope
