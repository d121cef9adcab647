#include "ingest/otlp/otlp_json.h"

#include <fmt/format.h>
#include <google/protobuf/util/json_util.h>

#include <array>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

#include "ingest/otlp/exact_json.h"

namespace periscope {

namespace {

namespace pb_collector = opentelemetry::proto::collector::trace::v1;
namespace pb_trace = opentelemetry::proto::trace::v1;
namespace pb_common = opentelemetry::proto::common::v1;
namespace pb_resource = opentelemetry::proto::resource::v1;
using JValue = boost::json::value;
using JObject = boost::json::object;

constexpr int kMaxJsonDepth = 64;  // keeps the protobuf nesting of the result well under 100

// A JSON path, built on the stack as the walk descends and rendered only for errors.
struct Path {
  const Path* parent = nullptr;
  std::string_view field;
  int index = -1;

  Path Field(std::string_view f) const { return Path{this, f, -1}; }
  Path Index(int i) const { return Path{this, {}, i}; }
  void RenderTo(std::string* out) const {
    if (parent) parent->RenderTo(out);
    if (!field.empty()) {
      if (!out->empty()) out->push_back('.');
      out->append(field);
    } else if (index >= 0) {
      fmt::format_to(std::back_inserter(*out), "[{}]", index);
    }
  }
  std::string Render() const {
    std::string out;
    RenderTo(&out);
    return out.empty() ? "body" : out;
  }
};

template <typename... Args>
Status Error(const Path& path, fmt::format_string<Args...> f, Args&&... args) {
  return Status::InvalidArgument("{}: {}", path.Render(),
                                 fmt::format(f, std::forward<Args>(args)...));
}

const char* KindName(const JValue& v) {
  switch (v.kind()) {
    case boost::json::kind::null:
      return "null";
    case boost::json::kind::bool_:
      return "a bool";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_:
      return "a number";
    case boost::json::kind::string:
      return "a string";
    case boost::json::kind::array:
      return "an array";
    case boost::json::kind::object:
      return "an object";
  }
  return "?";
}

// snake_case -> lowerCamelCase into `buf`; names without '_' are returned as they are.
std::string_view Camel(std::string_view key, std::array<char, 48>& buf) {
  if (key.find('_') == std::string_view::npos || key.size() > buf.size()) return key;
  size_t n = 0;
  bool upper = false;
  for (char c : key) {
    if (c == '_') {
      upper = true;
      continue;
    }
    buf[n++] = upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    upper = false;
  }
  return {buf.data(), n};
}

// Calls fn(camel_key, value, path_of_value) for each member of the object `v`; null is empty.
template <typename Fn>
Status ForEachField(const JValue& v, const Path& path, Fn&& fn) {
  if (v.is_null()) return Status::Ok();
  const JObject* obj = v.if_object();
  if (obj == nullptr) return Error(path, "expected an object, got {}", KindName(v));
  std::array<char, 48> buf;
  for (const auto& member : *obj) {
    std::string_view key(member.key().data(), member.key().size());
    RETURN_IF_ERROR(fn(Camel(key, buf), member.value(), path.Field(key)));
  }
  return Status::Ok();
}

// Calls fn(element, path_of_element, index) for each element of the array `v`; null is empty.
template <typename Fn>
Status ForEachElement(const JValue& v, const Path& path, Fn&& fn) {
  if (v.is_null()) return Status::Ok();
  const auto* arr = v.if_array();
  if (arr == nullptr) return Error(path, "expected an array, got {}", KindName(v));
  for (size_t i = 0; i < arr->size(); ++i) {
    const int index = static_cast<int>(i);
    RETURN_IF_ERROR(fn((*arr)[i], path.Index(index), index));
  }
  return Status::Ok();
}

template <typename Setter>
Status ReadString(const JValue& v, const Path& path, Setter&& set) {
  if (v.is_null()) return Status::Ok();
  const auto* s = v.if_string();
  if (s == nullptr) return Error(path, "expected a string, got {}", KindName(v));
  set(s->data(), s->size());
  return Status::Ok();
}

Status ReadBool(const JValue& v, const Path& path, bool* out) {
  if (v.is_null()) return Status::Ok();
  if (!v.is_bool()) return Error(path, "expected true or false, got {}", KindName(v));
  *out = v.get_bool();
  return Status::Ok();
}

// Integers as JSON numbers (integral doubles included) or decimal strings.
template <typename T>
Status ReadInteger(const JValue& v, const Path& path, T* out) {
  constexpr auto kMin = std::numeric_limits<T>::min();
  constexpr auto kMax = std::numeric_limits<T>::max();
  switch (v.kind()) {
    case boost::json::kind::null:
      return Status::Ok();
    case boost::json::kind::int64: {
      const int64_t x = v.get_int64();
      if (std::cmp_less(x, kMin) || std::cmp_greater(x, kMax)) break;
      *out = static_cast<T>(x);
      return Status::Ok();
    }
    case boost::json::kind::uint64: {
      const uint64_t x = v.get_uint64();
      if (std::cmp_greater(x, kMax)) break;
      *out = static_cast<T>(x);
      return Status::Ok();
    }
    case boost::json::kind::double_: {
      const double d = v.get_double();
      // 2^64 and 2^63 are exact doubles; the bounds below are exclusive at the top.
      const double hi = std::ldexp(1.0, std::numeric_limits<T>::digits);
      if (!(d == std::floor(d) && d >= static_cast<double>(kMin) && d < hi)) break;
      *out = static_cast<T>(d);
      return Status::Ok();
    }
    case boost::json::kind::string: {
      const auto& s = v.get_string();
      T x{};
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
      if (ec != std::errc() || end != s.data() + s.size() || s.empty()) {
        return Error(path, "\"{}\" is not an integer in range", std::string_view(s));
      }
      *out = x;
      return Status::Ok();
    }
    default:
      return Error(path, "expected an integer, got {}", KindName(v));
  }
  if (v.is_double()) return Error(path, "{} is not an integer in range", v.get_double());
  return Error(path, "{} is out of range", boost::json::serialize(v));
}

Status ReadDouble(const JValue& v, const Path& path, double* out) {
  switch (v.kind()) {
    case boost::json::kind::null:
      return Status::Ok();
    case boost::json::kind::int64:
      *out = static_cast<double>(v.get_int64());
      return Status::Ok();
    case boost::json::kind::uint64:
      *out = static_cast<double>(v.get_uint64());
      return Status::Ok();
    case boost::json::kind::double_:
      *out = v.get_double();
      return Status::Ok();
    case boost::json::kind::string: {
      std::string_view s(v.get_string().data(), v.get_string().size());
      if (s == "NaN") {
        *out = std::numeric_limits<double>::quiet_NaN();
      } else if (s == "Infinity") {
        *out = std::numeric_limits<double>::infinity();
      } else if (s == "-Infinity") {
        *out = -std::numeric_limits<double>::infinity();
      } else {
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
        if (ec != std::errc() || end != s.data() + s.size() || s.empty()) {
          return Error(path, "\"{}\" is not a number", s);
        }
      }
      return Status::Ok();
    }
    default:
      return Error(path, "expected a number, got {}", KindName(v));
  }
}

// An enum as its integer value or its name.
Status ReadEnum(const JValue& v, const Path& path, const google::protobuf::EnumDescriptor* desc,
                int* out) {
  if (const auto* s = v.if_string()) {
    const auto* value = desc->FindValueByName(std::string(s->data(), s->size()));
    if (value == nullptr) {
      return Error(path, "unknown {} name \"{}\"", desc->name(), std::string_view(*s));
    }
    *out = value->number();
    return Status::Ok();
  }
  int32_t x = *out;
  RETURN_IF_ERROR(ReadInteger(v, path, &x));
  *out = x;
  return Status::Ok();
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A hex id of `n` bytes (or empty). Sets `reject` when the text is not such hex.
template <typename Setter>
Status ReadHexId(const JValue& v, const Path& path, size_t n, Setter&& set, std::string* reject) {
  if (v.is_null()) return Status::Ok();
  const auto* s = v.if_string();
  if (s == nullptr) return Error(path, "expected a hex string, got {}", KindName(v));
  if (s->empty()) return Status::Ok();
  char bytes[16];
  bool ok = s->size() == 2 * n;
  for (size_t i = 0; ok && i < n; ++i) {
    const int hi = HexDigit((*s)[2 * i]), lo = HexDigit((*s)[2 * i + 1]);
    ok = hi >= 0 && lo >= 0;
    bytes[i] = static_cast<char>(hi << 4 | lo);
  }
  if (!ok) {
    if (reject->empty()) *reject = fmt::format("{}: not {} hex digits", path.Render(), 2 * n);
    return Status::Ok();
  }
  set(bytes, n);
  return Status::Ok();
}

Status ReadKeyValues(const JValue& v, const Path& path,
                     google::protobuf::RepeatedPtrField<pb_common::KeyValue>* out);

Status ReadAnyValue(const JValue& v, const Path& path, pb_common::AnyValue* out) {
  return ForEachField(v, path, [&](std::string_view key, const JValue& f, const Path& p) -> Status {
    if (key == "stringValue") {
      return ReadString(f, p, [&](const char* d, size_t n) { out->set_string_value(d, n); });
    }
    if (key == "intValue") {
      int64_t x = 0;
      RETURN_IF_ERROR(ReadInteger(f, p, &x));
      out->set_int_value(x);
    } else if (key == "boolValue") {
      bool b = false;
      RETURN_IF_ERROR(ReadBool(f, p, &b));
      out->set_bool_value(b);
    } else if (key == "doubleValue") {
      double d = 0;
      RETURN_IF_ERROR(ReadDouble(f, p, &d));
      out->set_double_value(d);
    } else if (key == "bytesValue") {
      std::string text;
      RETURN_IF_ERROR(ReadString(f, p, [&](const char* d, size_t n) { text.assign(d, n); }));
      auto raw = Base64Decode(text);
      if (!raw) return Error(p, "not base64");
      out->set_bytes_value(std::move(*raw));
    } else if (key == "arrayValue") {
      auto* arr = out->mutable_array_value();
      return ForEachField(f, p, [&](std::string_view k, const JValue& a, const Path& ap) {
        if (k != "values") return Status::Ok();
        return ForEachElement(a, ap, [&](const JValue& e, const Path& ep, int) {
          return ReadAnyValue(e, ep, arr->add_values());
        });
      });
    } else if (key == "kvlistValue") {
      auto* list = out->mutable_kvlist_value();
      return ForEachField(f, p, [&](std::string_view k, const JValue& a, const Path& ap) {
        return k == "values" ? ReadKeyValues(a, ap, list->mutable_values()) : Status::Ok();
      });
    }
    return Status::Ok();
  });
}

Status ReadKeyValues(const JValue& v, const Path& path,
                     google::protobuf::RepeatedPtrField<pb_common::KeyValue>* out) {
  if (const auto* arr = v.if_array()) out->Reserve(out->size() + static_cast<int>(arr->size()));
  return ForEachElement(v, path, [&](const JValue& e, const Path& ep, int) {
    auto* kv = out->Add();
    return ForEachField(e, ep, [&](std::string_view key, const JValue& f, const Path& p) {
      if (key == "key") {
        return ReadString(f, p, [&](const char* d, size_t n) { kv->set_key(d, n); });
      }
      if (key == "value") return ReadAnyValue(f, p, kv->mutable_value());
      return Status::Ok();
    });
  });
}

template <typename Msg>
Status ReadUint32Into(const JValue& v, const Path& p, Msg* m, void (Msg::*set)(uint32_t)) {
  uint32_t x = 0;
  RETURN_IF_ERROR(ReadInteger(v, p, &x));
  (m->*set)(x);
  return Status::Ok();
}

Status ReadEvent(const JValue& v, const Path& path, pb_trace::Span::Event* out) {
  return ForEachField(v, path, [&](std::string_view key, const JValue& f, const Path& p) {
    if (key == "timeUnixNano") {
      uint64_t t = 0;
      RETURN_IF_ERROR(ReadInteger(f, p, &t));
      out->set_time_unix_nano(t);
      return Status::Ok();
    }
    if (key == "name")
      return ReadString(f, p, [&](const char* d, size_t n) { out->set_name(d, n); });
    if (key == "attributes") return ReadKeyValues(f, p, out->mutable_attributes());
    if (key == "droppedAttributesCount") {
      return ReadUint32Into(f, p, out, &pb_trace::Span::Event::set_dropped_attributes_count);
    }
    return Status::Ok();
  });
}

Status ReadLink(const JValue& v, const Path& path, pb_trace::Span::Link* out, std::string* reject) {
  return ForEachField(v, path, [&](std::string_view key, const JValue& f, const Path& p) {
    if (key == "traceId") {
      return ReadHexId(
          f, p, 16, [&](const char* d, size_t n) { out->set_trace_id(d, n); }, reject);
    }
    if (key == "spanId") {
      return ReadHexId(
          f, p, 8, [&](const char* d, size_t n) { out->set_span_id(d, n); }, reject);
    }
    if (key == "traceState") {
      return ReadString(f, p, [&](const char* d, size_t n) { out->set_trace_state(d, n); });
    }
    if (key == "attributes") return ReadKeyValues(f, p, out->mutable_attributes());
    if (key == "droppedAttributesCount") {
      return ReadUint32Into(f, p, out, &pb_trace::Span::Link::set_dropped_attributes_count);
    }
    if (key == "flags") return ReadUint32Into(f, p, out, &pb_trace::Span::Link::set_flags);
    return Status::Ok();
  });
}

Status ReadStatus(const JValue& v, const Path& path, pb_trace::Status* out) {
  return ForEachField(v, path, [&](std::string_view key, const JValue& f, const Path& p) {
    if (key == "message") {
      return ReadString(f, p, [&](const char* d, size_t n) { out->set_message(d, n); });
    }
    if (key == "code") {
      int code = 0;
      RETURN_IF_ERROR(ReadEnum(f, p, pb_trace::Status_StatusCode_descriptor(), &code));
      out->set_code(static_cast<pb_trace::Status_StatusCode>(code));
    }
    return Status::Ok();
  });
}

Status ReadSpan(const JValue& v, const Path& path, pb_trace::Span* out, std::string* reject) {
  using Span = pb_trace::Span;
  return ForEachField(v, path, [&](std::string_view key, const JValue& f, const Path& p) -> Status {
    auto str = [&](auto&& set) { return ReadString(f, p, set); };
    auto hex = [&](size_t bytes, auto&& set) { return ReadHexId(f, p, bytes, set, reject); };
    auto time = [&](void (Span::*set)(uint64_t)) {
      uint64_t t = 0;
      RETURN_IF_ERROR(ReadInteger(f, p, &t));
      (out->*set)(t);
      return Status::Ok();
    };
    if (key == "traceId") return hex(16, [&](const char* d, size_t n) { out->set_trace_id(d, n); });
    if (key == "spanId") return hex(8, [&](const char* d, size_t n) { out->set_span_id(d, n); });
    if (key == "parentSpanId") {
      return hex(8, [&](const char* d, size_t n) { out->set_parent_span_id(d, n); });
    }
    if (key == "name") return str([&](const char* d, size_t n) { out->set_name(d, n); });
    if (key == "kind") {
      int kind = 0;
      RETURN_IF_ERROR(ReadEnum(f, p, pb_trace::Span_SpanKind_descriptor(), &kind));
      out->set_kind(static_cast<pb_trace::Span_SpanKind>(kind));
      return Status::Ok();
    }
    if (key == "startTimeUnixNano") return time(&Span::set_start_time_unix_nano);
    if (key == "endTimeUnixNano") return time(&Span::set_end_time_unix_nano);
    if (key == "attributes") return ReadKeyValues(f, p, out->mutable_attributes());
    if (key == "traceState") {
      return str([&](const char* d, size_t n) { out->set_trace_state(d, n); });
    }
    if (key == "flags") return ReadUint32Into(f, p, out, &Span::set_flags);
    if (key == "droppedAttributesCount") {
      return ReadUint32Into(f, p, out, &Span::set_dropped_attributes_count);
    }
    if (key == "events") {
      return ForEachElement(f, p, [&](const JValue& e, const Path& ep, int) {
        return ReadEvent(e, ep, out->add_events());
      });
    }
    if (key == "droppedEventsCount")
      return ReadUint32Into(f, p, out, &Span::set_dropped_events_count);
    if (key == "links") {
      return ForEachElement(f, p, [&](const JValue& e, const Path& ep, int) {
        return ReadLink(e, ep, out->add_links(), reject);
      });
    }
    if (key == "droppedLinksCount")
      return ReadUint32Into(f, p, out, &Span::set_dropped_links_count);
    if (key == "status") return ReadStatus(f, p, out->mutable_status());
    return Status::Ok();
  });
}

Status ReadScope(const JValue& v, const Path& path, pb_common::InstrumentationScope* out) {
  return ForEachField(v, path, [&](std::string_view key, const JValue& f, const Path& p) {
    if (key == "name")
      return ReadString(f, p, [&](const char* d, size_t n) { out->set_name(d, n); });
    if (key == "version") {
      return ReadString(f, p, [&](const char* d, size_t n) { out->set_version(d, n); });
    }
    if (key == "attributes") return ReadKeyValues(f, p, out->mutable_attributes());
    if (key == "droppedAttributesCount") {
      return ReadUint32Into(f, p, out,
                            &pb_common::InstrumentationScope::set_dropped_attributes_count);
    }
    return Status::Ok();
  });
}

Status ReadResource(const JValue& v, const Path& path, pb_resource::Resource* out) {
  return ForEachField(v, path, [&](std::string_view key, const JValue& f, const Path& p) {
    if (key == "attributes") return ReadKeyValues(f, p, out->mutable_attributes());
    if (key == "droppedAttributesCount") {
      return ReadUint32Into(f, p, out, &pb_resource::Resource::set_dropped_attributes_count);
    }
    return Status::Ok();
  });
}

// Walks one request, collecting spans with unusable ids.
class RequestReader {
 public:
  RequestReader(std::vector<SpanPosition>* rejected, SpanRejections* rejections)
      : rejected_(rejected), rejections_(rejections) {}

  Status Read(const JValue& root, pb_collector::ExportTraceServiceRequest* out) {
    if (!root.is_object()) return Status::InvalidArgument("body: expected a JSON object");
    Path path;
    return ForEachField(root, path, [&](std::string_view key, const JValue& f, const Path& p) {
      if (key != "resourceSpans") return Status::Ok();
      return ForEachElement(f, p, [&](const JValue& e, const Path& ep, int ri) {
        return ReadResourceSpans(e, ep, ri, out->add_resource_spans());
      });
    });
  }

 private:
  Status ReadResourceSpans(const JValue& v, const Path& path, int ri,
                           pb_trace::ResourceSpans* out) {
    return ForEachField(v, path, [&](std::string_view key, const JValue& f, const Path& p) {
      if (key == "resource") return ReadResource(f, p, out->mutable_resource());
      if (key == "schemaUrl") {
        return ReadString(f, p, [&](const char* d, size_t n) { out->set_schema_url(d, n); });
      }
      if (key != "scopeSpans") return Status::Ok();
      return ForEachElement(f, p, [&](const JValue& e, const Path& ep, int si) {
        return ReadScopeSpans(e, ep, ri, si, out->add_scope_spans());
      });
    });
  }

  Status ReadScopeSpans(const JValue& v, const Path& path, int ri, int si,
                        pb_trace::ScopeSpans* out) {
    return ForEachField(v, path, [&](std::string_view key, const JValue& f, const Path& p) {
      if (key == "scope") return ReadScope(f, p, out->mutable_scope());
      if (key == "schemaUrl") {
        return ReadString(f, p, [&](const char* d, size_t n) { out->set_schema_url(d, n); });
      }
      if (key != "spans") return Status::Ok();
      if (const auto* arr = f.if_array()) {
        out->mutable_spans()->Reserve(out->spans_size() + static_cast<int>(arr->size()));
      }
      return ForEachElement(f, p, [&](const JValue& e, const Path& ep, int) -> Status {
        const int index = out->spans_size();
        auto* span = out->add_spans();
        std::string reject;
        RETURN_IF_ERROR(ReadSpan(e, ep, span, &reject));
        if (!reject.empty()) {
          span->clear_trace_id();
          span->clear_span_id();
          span->clear_parent_span_id();
          rejected_->push_back(SpanPosition{ri, si, index});
          rejections_->Add(reject);
        }
        return Status::Ok();
      });
    });
  }

  std::vector<SpanPosition>* rejected_;
  SpanRejections* rejections_;
};

// Rewrites every string member named traceId/spanId/parentSpanId from base64 to hex.
void IdsToHex(JValue& v) {
  if (auto* arr = v.if_array()) {
    for (auto& e : *arr) IdsToHex(e);
    return;
  }
  auto* obj = v.if_object();
  if (obj == nullptr) return;
  for (auto& member : *obj) {
    const std::string_view key(member.key().data(), member.key().size());
    auto* s = member.value().if_string();
    if (s != nullptr && (key == "traceId" || key == "spanId" || key == "parentSpanId")) {
      auto raw = Base64Decode(std::string_view(s->data(), s->size()));
      if (!raw) continue;
      static constexpr char kDigits[] = "0123456789abcdef";
      std::string hex;
      for (unsigned char c : *raw) {
        hex.push_back(kDigits[c >> 4]);
        hex.push_back(kDigits[c & 0xf]);
      }
      *s = hex;
    } else {
      IdsToHex(member.value());
    }
  }
}

}  // namespace

std::optional<std::string> Base64Decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '+' || c == '-') {
      v = 62;
    } else if (c == '/' || c == '_') {
      v = 63;
    } else {
      return std::nullopt;
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  if (bits >= 6) return std::nullopt;  // a lone trailing character carries no whole byte
  return out;
}

Status ParseTracesJson(std::string_view body, pb_collector::ExportTraceServiceRequest* out,
                       std::vector<SpanPosition>* rejected, SpanRejections* rejections) {
  boost::json::monotonic_resource memory;
  JValue root;
  RETURN_IF_ERROR(ParseJsonExact(body, boost::json::storage_ptr(&memory), kMaxJsonDepth, &root));
  RequestReader reader(rejected, rejections);
  return reader.Read(root, out);
}

Result<std::string> EncodeTracesJson(const pb_collector::ExportTraceServiceRequest& req) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_enums_as_ints = true;
  std::string text;
  auto st = google::protobuf::util::MessageToJsonString(req, &text, options);
  if (!st.ok()) return Status::Internal("MessageToJsonString: {}", st.ToString());
  JValue v;
  RETURN_IF_ERROR(ParseJsonExact(text, {}, kMaxJsonDepth, &v));
  IdsToHex(v);
  return boost::json::serialize(v);
}

}  // namespace periscope
