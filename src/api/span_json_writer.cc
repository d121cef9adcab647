#include "api/span_json_writer.h"

#include <boost/json/parse.hpp>
#include <charconv>
#include <cmath>
#include <unordered_map>

#include "api/span_json.h"

namespace periscope {

namespace {

// 0: copied as is; 'u': \u00XX; otherwise the letter after the backslash (as boost::json).
constexpr char EscapeOf(unsigned char c) {
  switch (c) {
    case '\b':
      return 'b';
    case '\t':
      return 't';
    case '\n':
      return 'n';
    case '\f':
      return 'f';
    case '\r':
      return 'r';
    case '"':
      return '"';
    case '\\':
      return '\\';
    default:
      return c < 0x20 ? 'u' : 0;
  }
}

template <size_t N>
void WriteHexId(const std::array<uint8_t, N>& bytes, JsonWriter& w) {
  static constexpr char kDigits[] = "0123456789abcdef";
  char buf[2 * N + 2];
  buf[0] = '"';
  for (size_t i = 0; i < N; ++i) {
    buf[1 + 2 * i] = kDigits[bytes[i] >> 4];
    buf[2 + 2 * i] = kDigits[bytes[i] & 0xf];
  }
  buf[2 * N + 1] = '"';
  w.Raw(std::string_view(buf, sizeof buf));
}

// A unix-nano time as a JSON string (SpanToJson uses std::to_string).
void WriteTimeString(int64_t ns, JsonWriter& w) {
  w.Char('"');
  w.Int(ns);
  w.Char('"');
}

// Index of the last attribute with each key, for the rare lists with duplicate keys; empty when
// all keys are distinct.
std::vector<size_t> LastIndexOfKeys(const Attributes& attrs) {
  const size_t n = attrs.size();
  bool duplicates = false;
  if (n <= 32) {
    for (size_t i = 1; i < n && !duplicates; ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (attrs[i].key == attrs[j].key) {
          duplicates = true;
          break;
        }
      }
    }
    if (!duplicates) return {};
  }
  std::unordered_map<std::string_view, size_t> last;
  last.reserve(n);
  for (size_t i = 0; i < n; ++i) last[attrs[i].key] = i;
  if (last.size() == n) return {};
  std::vector<size_t> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = last[attrs[i].key];
  return out;
}

// `[{"time_unix_nano": ..., "name": ..., "attributes": ..., "dropped_attributes_count": ...}]`.
void WriteEvents(const std::vector<SpanEvent>& events, JsonWriter& w) {
  w.Char('[');
  bool first = true;
  for (const auto& e : events) {
    if (!first) w.Char(',');
    first = false;
    w.Raw("{\"time_unix_nano\":");
    WriteTimeString(e.time_ns, w);
    w.Raw(",\"name\":");
    w.String(e.name);
    w.Raw(",\"attributes\":");
    WriteAttributes(e.attributes, w);
    w.Raw(",\"dropped_attributes_count\":");
    w.Uint(e.dropped_attributes_count);
    w.Char('}');
  }
  w.Char(']');
}

// `[{"trace_id": ..., "span_id": ..., "trace_state": ..., "attributes": ..., "flags": ...,
// "dropped_attributes_count": ...}]`.
void WriteLinks(const std::vector<SpanLink>& links, JsonWriter& w) {
  w.Char('[');
  bool first = true;
  for (const auto& l : links) {
    if (!first) w.Char(',');
    first = false;
    w.Raw("{\"trace_id\":");
    WriteHexId(l.trace_id.bytes, w);
    w.Raw(",\"span_id\":");
    WriteHexId(l.span_id.bytes, w);
    w.Raw(",\"trace_state\":");
    w.String(l.trace_state);
    w.Raw(",\"attributes\":");
    WriteAttributes(l.attributes, w);
    w.Raw(",\"flags\":");
    w.Uint(l.flags);
    w.Raw(",\"dropped_attributes_count\":");
    w.Uint(l.dropped_attributes_count);
    w.Char('}');
  }
  w.Char(']');
}

// Fields of one span; `resource_attrs` and `scope_attrs` are the already written JSON of the
// resource and scope attributes.
void WriteSpanWith(const SpanBatch& b, size_t i, std::string_view resource_attrs,
                   std::string_view scope_attrs, JsonWriter& w) {
  w.Raw("{\"trace_id\":");
  WriteHexId(b.trace_id[i].bytes, w);
  w.Raw(",\"span_id\":");
  WriteHexId(b.span_id[i].bytes, w);
  w.Raw(",\"parent_span_id\":");
  if (b.parent_span_id[i].IsZero()) {
    w.Raw("\"\"");
  } else {
    WriteHexId(b.parent_span_id[i].bytes, w);
  }
  w.Raw(",\"name\":");
  w.String(b.name[i]);
  w.Raw(",\"kind\":\"");
  w.Raw(SpanKindName(b.kind[i]));
  w.Raw("\",\"start_time_unix_nano\":");
  WriteTimeString(b.start_ns[i], w);
  w.Raw(",\"end_time_unix_nano\":");
  WriteTimeString(b.end_ns[i], w);
  w.Raw(",\"duration_ns\":");
  w.Int(b.duration_ns(i));
  w.Raw(",\"status\":{\"code\":\"");
  w.Raw(StatusCodeName(b.status_code[i]));
  w.Raw("\",\"message\":");
  w.String(b.status_message[i]);
  const UnifiedTags& tags = b.tags(i);
  w.Raw("},\"service\":");
  w.String(tags.service);
  w.Raw(",\"env\":");
  w.String(tags.env);
  w.Raw(",\"version\":");
  w.String(tags.version);
  w.Raw(",\"host\":");
  w.String(tags.host);
  w.Raw(",\"attributes\":");
  WriteAttributes(b.attributes[i], w);
  w.Raw(",\"resource\":");
  w.Raw(resource_attrs);
  const Scope& scope = b.scope(i);
  w.Raw(",\"scope\":{\"name\":");
  w.String(scope.name);
  w.Raw(",\"version\":");
  w.String(scope.version);
  w.Raw(",\"attributes\":");
  w.Raw(scope_attrs);
  w.Raw("},\"events\":");
  WriteEvents(b.events[i], w);
  w.Raw(",\"links\":");
  WriteLinks(b.links[i], w);
  w.Raw(",\"trace_state\":");
  w.String(b.trace_state[i]);
  w.Raw(",\"flags\":");
  w.Uint(b.flags[i]);
  w.Raw(",\"dropped_attributes_count\":");
  w.Uint(b.dropped_attributes_count[i]);
  w.Raw(",\"dropped_events_count\":");
  w.Uint(b.dropped_events_count[i]);
  w.Raw(",\"dropped_links_count\":");
  w.Uint(b.dropped_links_count[i]);
  w.Char('}');
}

std::string AttributesText(const Attributes& attrs) {
  std::string out;
  JsonWriter w(&out);
  WriteAttributes(attrs, w);
  return out;
}

}  // namespace

void JsonWriter::String(std::string_view s) {
  out_->push_back('"');
  const char* p = s.data();
  const char* end = p + s.size();
  while (p < end) {
    const char* run = p;
    while (p < end && EscapeOf(static_cast<unsigned char>(*p)) == 0) ++p;
    out_->append(run, p);
    if (p == end) break;
    const auto c = static_cast<unsigned char>(*p++);
    const char e = EscapeOf(c);
    if (e == 'u') {
      static constexpr char kHex[] = "0123456789abcdef";
      const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
      out_->append(esc, sizeof esc);
    } else {
      const char esc[2] = {'\\', e};
      out_->append(esc, sizeof esc);
    }
  }
  out_->push_back('"');
}

void JsonWriter::Int(int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out_->append(buf, r.ptr);
}

void JsonWriter::Uint(uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out_->append(buf, r.ptr);
}

void JsonWriter::Double(double v) {
  const boost::json::value jv(v);
  Value(jv);
}

void JsonWriter::Value(const boost::json::value& v) {
  serializer_.reset(&v);
  char buf[512];
  while (!serializer_.done()) out_->append(serializer_.read(buf, sizeof buf));
}

void WriteAnyValue(const AnyValue& v, JsonWriter& w) {
  switch (v.type) {
    case ValueType::kEmpty:
      w.Raw("null");
      return;
    case ValueType::kString:
      w.String(v.str);
      return;
    case ValueType::kBool:
      w.Bool(v.int_value != 0);
      return;
    case ValueType::kInt:
      w.Int(v.int_value);
      return;
    case ValueType::kDouble:
      if (std::isfinite(v.double_value)) {
        w.Double(v.double_value);
      } else {
        w.String(v.ToString());
      }
      return;
    case ValueType::kBytes:
      w.String(v.ToString());
      return;
    case ValueType::kArray:
    case ValueType::kKvList: {
      boost::system::error_code ec;
      const boost::json::value parsed = boost::json::parse(v.str, ec);
      if (ec) {
        w.String(v.str);
      } else {
        w.Value(parsed);
      }
      return;
    }
  }
  w.Raw("null");
}

void WriteAttributes(const Attributes& attrs, JsonWriter& w) {
  w.Char('{');
  const std::vector<size_t> last = LastIndexOfKeys(attrs);
  bool first = true;
  for (size_t i = 0; i < attrs.size(); ++i) {
    size_t from = i;
    if (!last.empty()) {
      // Only the first occurrence of a key is written, with the last value.
      bool seen = false;
      for (size_t j = 0; j < i && !seen; ++j) seen = attrs[j].key == attrs[i].key;
      if (seen) continue;
      from = last[i];
    }
    if (!first) w.Char(',');
    first = false;
    w.Key(attrs[i].key);
    WriteAnyValue(attrs[from].value, w);
  }
  w.Char('}');
}

void WriteSpan(const SpanBatch& batch, size_t row, JsonWriter& w) {
  WriteSpanWith(batch, row, AttributesText(batch.resource(row).attributes),
                AttributesText(batch.scope(row).attributes), w);
}

std::string TraceJson(std::string_view trace_id_hex, const SpanBatch& batch) {
  std::vector<std::string> resource_attrs(batch.resources.size());
  std::vector<bool> resource_done(batch.resources.size());
  std::vector<std::string> scope_attrs(batch.scopes.size());
  std::vector<bool> scope_done(batch.scopes.size());
  std::string out;
  out.reserve(64 + batch.size() * 640);
  JsonWriter w(&out);
  w.Raw("{\"trace_id\":");
  w.String(trace_id_hex);
  w.Raw(",\"spans\":[");
  for (size_t i = 0; i < batch.size(); ++i) {
    const uint32_t r = batch.resource_index[i];
    const uint32_t s = batch.scope_index[i];
    if (!resource_done[r]) {
      resource_attrs[r] = AttributesText(batch.resources[r].attributes);
      resource_done[r] = true;
    }
    if (!scope_done[s]) {
      scope_attrs[s] = AttributesText(batch.scopes[s].attributes);
      scope_done[s] = true;
    }
    if (i > 0) w.Char(',');
    WriteSpanWith(batch, i, resource_attrs[r], scope_attrs[s], w);
  }
  w.Raw("]}");
  return out;
}

namespace {

// Signed difference a - b, wrapping instead of overflowing for absurd times.
int64_t OffsetNs(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}

// Numbers the distinct JSON texts in first-seen order: Index(text) returns the number of `text`,
// written to `list` (a JSON array body) when it is new.
class JsonTable {
 public:
  uint32_t Index(std::string text) {
    auto [it, added] = index_.try_emplace(std::move(text), static_cast<uint32_t>(index_.size()));
    if (added) {
      if (!list_.empty()) list_.push_back(',');
      list_.append(it->first);
    }
    return it->second;
  }
  const std::string& list() const { return list_; }

 private:
  std::unordered_map<std::string, uint32_t> index_;
  std::string list_;
};

}  // namespace

const std::array<std::string_view, 18> kCompactSpanFields = {"span_id",
                                                             "parent_span_id",
                                                             "name",
                                                             "kind",
                                                             "start_offset_ns",
                                                             "end_offset_ns",
                                                             "status_code",
                                                             "status_message",
                                                             "resource",
                                                             "scope",
                                                             "attributes",
                                                             "events",
                                                             "links",
                                                             "trace_state",
                                                             "flags",
                                                             "dropped_attributes_count",
                                                             "dropped_events_count",
                                                             "dropped_links_count"};

std::string CompactTraceJson(std::string_view trace_id_hex, const SpanBatch& batch) {
  int64_t origin = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (i == 0 || batch.start_ns[i] < origin) origin = batch.start_ns[i];
  }
  // Batch resource/scope index -> index in the answer's lists (equal texts share one entry).
  constexpr uint32_t kUnset = ~uint32_t{0};
  std::vector<uint32_t> resource_of(batch.resources.size(), kUnset);
  std::vector<uint32_t> scope_of(batch.scopes.size(), kUnset);
  JsonTable resources;
  JsonTable scopes;
  std::string spans;
  spans.reserve(batch.size() * 160);
  JsonWriter w(&spans);
  for (size_t i = 0; i < batch.size(); ++i) {
    const uint32_t r = batch.resource_index[i];
    if (resource_of[r] == kUnset) {
      const Resource& res = batch.resources[r];
      std::string text;
      JsonWriter rw(&text);
      rw.Raw("{\"service\":");
      rw.String(res.tags.service);
      rw.Raw(",\"env\":");
      rw.String(res.tags.env);
      rw.Raw(",\"version\":");
      rw.String(res.tags.version);
      rw.Raw(",\"host\":");
      rw.String(res.tags.host);
      rw.Raw(",\"attributes\":");
      WriteAttributes(res.attributes, rw);
      rw.Char('}');
      resource_of[r] = resources.Index(std::move(text));
    }
    const uint32_t s = batch.scope_index[i];
    if (scope_of[s] == kUnset) {
      const Scope& scope = batch.scopes[s];
      std::string text;
      JsonWriter sw(&text);
      sw.Raw("{\"name\":");
      sw.String(scope.name);
      sw.Raw(",\"version\":");
      sw.String(scope.version);
      sw.Raw(",\"attributes\":");
      WriteAttributes(scope.attributes, sw);
      sw.Char('}');
      scope_of[s] = scopes.Index(std::move(text));
    }
    if (i > 0) w.Char(',');
    w.Char('[');
    WriteHexId(batch.span_id[i].bytes, w);
    w.Char(',');
    if (batch.parent_span_id[i].IsZero()) {
      w.Raw("\"\"");
    } else {
      WriteHexId(batch.parent_span_id[i].bytes, w);
    }
    w.Char(',');
    w.String(batch.name[i]);
    w.Raw(",\"");
    w.Raw(SpanKindName(batch.kind[i]));
    w.Raw("\",");
    w.Int(OffsetNs(batch.start_ns[i], origin));
    w.Char(',');
    w.Int(OffsetNs(batch.end_ns[i], origin));
    w.Raw(",\"");
    w.Raw(StatusCodeName(batch.status_code[i]));
    w.Raw("\",");
    w.String(batch.status_message[i]);
    w.Char(',');
    w.Uint(resource_of[r]);
    w.Char(',');
    w.Uint(scope_of[s]);
    w.Char(',');
    WriteAttributes(batch.attributes[i], w);
    w.Char(',');
    WriteEvents(batch.events[i], w);
    w.Char(',');
    WriteLinks(batch.links[i], w);
    w.Char(',');
    w.String(batch.trace_state[i]);
    w.Char(',');
    w.Uint(batch.flags[i]);
    w.Char(',');
    w.Uint(batch.dropped_attributes_count[i]);
    w.Char(',');
    w.Uint(batch.dropped_events_count[i]);
    w.Char(',');
    w.Uint(batch.dropped_links_count[i]);
    w.Char(']');
  }
  std::string out;
  out.reserve(512 + resources.list().size() + scopes.list().size() + spans.size());
  JsonWriter o(&out);
  o.Raw("{\"trace_id\":");
  o.String(trace_id_hex);
  o.Raw(",\"format\":\"compact\",\"start_time_unix_nano\":");
  WriteTimeString(origin, o);
  o.Raw(",\"span_fields\":[");
  for (size_t f = 0; f < kCompactSpanFields.size(); ++f) {
    if (f > 0) o.Char(',');
    o.String(kCompactSpanFields[f]);
  }
  o.Raw("],\"resources\":[");
  o.Raw(resources.list());
  o.Raw("],\"scopes\":[");
  o.Raw(scopes.list());
  o.Raw("],\"spans\":[");
  o.Raw(spans);
  o.Raw("]}");
  return out;
}

}  // namespace periscope
