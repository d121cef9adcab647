#include "ingest/otlp/log_proto_decoder.h"

#include <fmt/format.h>
#include <google/protobuf/stubs/common.h>

#include <algorithm>
#include <bit>
#include <climits>
#include <cmath>
#include <cstring>
#include <vector>

#include "ingest/otlp/any_value_convert.h"
#include "ingest/otlp/span_rejections.h"

namespace periscope {

namespace {

// libprotobuf's default recursion limit: the request is level 0, a message nested in it level 1.
constexpr int kMaxDepth = 100;
constexpr uint64_t kMaxTime = static_cast<uint64_t>(INT64_MAX);

constexpr uint32_t kVarint = 0;
constexpr uint32_t kFixed64 = 1;
constexpr uint32_t kLen = 2;
constexpr uint32_t kStartGroup = 3;
constexpr uint32_t kEndGroup = 4;
constexpr uint32_t kFixed32 = 5;

// Field numbers (opentelemetry/proto/{collector/logs,logs,common,resource}/v1/*.proto).
constexpr uint32_t kRequestResourceLogs = 1;
constexpr uint32_t kResourceLogsResource = 1;
constexpr uint32_t kResourceLogsScopeLogs = 2;
constexpr uint32_t kResourceLogsSchemaUrl = 3;
constexpr uint32_t kResourceAttributes = 1;
constexpr uint32_t kResourceDropped = 2;
constexpr uint32_t kResourceEntityRefs = 3;
constexpr uint32_t kScopeLogsScope = 1;
constexpr uint32_t kScopeLogsRecords = 2;
constexpr uint32_t kScopeLogsSchemaUrl = 3;
constexpr uint32_t kScopeName = 1;
constexpr uint32_t kScopeVersion = 2;
constexpr uint32_t kScopeAttributes = 3;
constexpr uint32_t kScopeDropped = 4;
constexpr uint32_t kRecordTime = 1;
constexpr uint32_t kRecordSeverityNumber = 2;
constexpr uint32_t kRecordSeverityText = 3;
constexpr uint32_t kRecordBody = 5;
constexpr uint32_t kRecordAttributes = 6;
constexpr uint32_t kRecordDropped = 7;
constexpr uint32_t kRecordFlags = 8;
constexpr uint32_t kRecordTraceId = 9;
constexpr uint32_t kRecordSpanId = 10;
constexpr uint32_t kRecordObservedTime = 11;
constexpr uint32_t kRecordEventName = 12;
constexpr uint32_t kKeyValueKey = 1;
constexpr uint32_t kKeyValueValue = 2;
constexpr uint32_t kAnyString = 1;
constexpr uint32_t kAnyBool = 2;
constexpr uint32_t kAnyInt = 3;
constexpr uint32_t kAnyDouble = 4;
constexpr uint32_t kAnyArray = 5;
constexpr uint32_t kAnyKvlist = 6;
constexpr uint32_t kAnyBytes = 7;
constexpr uint32_t kListValues = 1;  // ArrayValue.values and KeyValueList.values

// What libprotobuf checks of proto3 string fields.
bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    if ((w & 0x8080808080808080ull) != 0) break;
  }
  for (; i < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) >= 0x80) {
      return google::protobuf::internal::IsStructurallyValidUTF8(s.data() + i,
                                                                 static_cast<int>(s.size() - i));
    }
  }
  return true;
}

// Cursor over the wire bytes of one message; each read returns false on truncated or malformed
// input, accepting exactly what libprotobuf's parser accepts (or less). Not thread-safe.
class Wire {
 public:
  explicit Wire(std::string_view s) : p_(s.data()), end_(s.data() + s.size()) {}

  bool done() const { return p_ == end_; }
  const char* pos() const { return p_; }

  // A tag of at most 5 bytes; field number 0 is refused.
  bool Tag(uint32_t* field, uint32_t* type) {
    uint32_t tag = 0;
    const auto b0 = static_cast<uint8_t>(*p_);
    if (b0 < 0x80) {
      tag = b0;
      ++p_;
    } else if (!SlowTag(&tag)) {
      return false;
    }
    *field = tag >> 3;
    *type = tag & 7;
    return *field != 0;
  }

  bool Varint(uint64_t* v) {
    if (p_ < end_ && static_cast<uint8_t>(*p_) < 0x80) {
      *v = static_cast<uint8_t>(*p_++);
      return true;
    }
    uint64_t res = 0;
    for (int i = 0; i < 10; ++i) {
      if (p_ == end_) return false;
      const auto b = static_cast<uint8_t>(*p_++);
      res |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
      if (b < 0x80) {
        *v = res;
        return true;
      }
    }
    return false;
  }

  bool Fixed64(uint64_t* v) {
    if (end_ - p_ < 8) return false;
    std::memcpy(v, p_, 8);
    p_ += 8;
    return true;
  }

  bool Fixed32(uint32_t* v) {
    if (end_ - p_ < 4) return false;
    std::memcpy(v, p_, 4);
    p_ += 4;
    return true;
  }

  // A length-delimited payload; the length takes at most 5 bytes, as in libprotobuf.
  bool Bytes(std::string_view* out) {
    uint32_t len = 0;
    for (int i = 0;; ++i) {
      if (p_ == end_) return false;
      const auto b = static_cast<uint8_t>(*p_++);
      if (i == 4) {
        if (b >= 8) return false;
        len |= static_cast<uint32_t>(b) << 28;
        break;
      }
      len |= static_cast<uint32_t>(b & 0x7f) << (7 * i);
      if (b < 0x80) break;
    }
    if (len > static_cast<size_t>(end_ - p_)) return false;
    *out = std::string_view(p_, len);
    p_ += len;
    return true;
  }

  bool String(std::string_view* out) { return Bytes(out) && ValidUtf8(*out); }

  // Skips a field this decoder does not keep; `level` is the enclosing message's nesting level.
  bool Skip(uint32_t field, uint32_t type, int level) {
    switch (type) {
      case kVarint: {
        uint64_t v = 0;
        return Varint(&v);
      }
      case kFixed64:
        return Advance(8);
      case kLen: {
        std::string_view s;
        return Bytes(&s);
      }
      case kStartGroup:
        return SkipGroup(field, level + 1);
      case kFixed32:
        return Advance(4);
      default:
        return false;
    }
  }

 private:
  bool SlowTag(uint32_t* tag) {
    uint32_t res = 0;
    for (int i = 0; i < 5; ++i) {
      if (p_ == end_) return false;
      const auto b = static_cast<uint8_t>(*p_++);
      res |= static_cast<uint32_t>(b & 0x7f) << (7 * i);
      if (b < 0x80) {
        *tag = res;
        return true;
      }
    }
    return false;
  }

  bool Advance(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) return false;
    p_ += n;
    return true;
  }

  bool SkipGroup(uint32_t field, int level) {
    if (level > kMaxDepth) return false;
    while (true) {
      if (done()) return false;
      uint32_t f = 0, t = 0;
      if (!Tag(&f, &t)) return false;
      if (t == kEndGroup) return f == field;
      if (!Skip(f, t, level)) return false;
    }
  }

  const char* p_;
  const char* end_;
};

// The oneof of an AnyValue, possibly merged from several occurrences of the same field: scalars
// replace, and consecutive array or kvlist occurrences concatenate. Not thread-safe.
struct AnyState {
  uint32_t field = 0;  // the set member's field number, 0 when none is set
  std::string_view bytes;
  uint64_t bits = 0;
  std::vector<std::string_view> pieces;  // occurrences of the array or kvlist member

  void SetScalar(uint32_t f) {
    field = f;
    pieces.clear();
  }
};

bool ParseAnyValue(std::string_view data, int level, bool validate, AnyState* st);

// A KeyValue message; merges into *key and *value. With validate false, `data` is known good.
bool ParseKeyValue(std::string_view data, int level, bool validate, std::string_view* key,
                   AnyState* value) {
  if (level > kMaxDepth) return false;
  Wire w(data);
  while (!w.done()) {
    uint32_t f = 0, t = 0;
    if (!w.Tag(&f, &t)) return false;
    if (t == kLen && f == kKeyValueKey) {
      if (!(validate ? w.String(key) : w.Bytes(key))) return false;
    } else if (t == kLen && f == kKeyValueValue) {
      std::string_view sub;
      if (!w.Bytes(&sub) || !ParseAnyValue(sub, level + 1, validate, value)) return false;
    } else if (!w.Skip(f, t, level)) {
      return false;
    }
  }
  return true;
}

// Checks an ArrayValue (key_values false) or KeyValueList message and everything in it.
bool ValidateList(std::string_view data, int level, bool key_values) {
  if (level > kMaxDepth) return false;
  Wire w(data);
  while (!w.done()) {
    uint32_t f = 0, t = 0;
    if (!w.Tag(&f, &t)) return false;
    if (t == kLen && f == kListValues) {
      std::string_view sub;
      if (!w.Bytes(&sub)) return false;
      AnyState st;
      std::string_view key;
      if (!(key_values ? ParseKeyValue(sub, level + 1, true, &key, &st)
                       : ParseAnyValue(sub, level + 1, true, &st))) {
        return false;
      }
    } else if (!w.Skip(f, t, level)) {
      return false;
    }
  }
  return true;
}

bool ParseAnyValue(std::string_view data, int level, bool validate, AnyState* st) {
  if (level > kMaxDepth) return false;
  Wire w(data);
  while (!w.done()) {
    uint32_t f = 0, t = 0;
    if (!w.Tag(&f, &t)) return false;
    bool ok;
    if (t == kLen && (f == kAnyString || f == kAnyBytes)) {
      ok = validate && f == kAnyString ? w.String(&st->bytes) : w.Bytes(&st->bytes);
      st->SetScalar(f);
    } else if (t == kVarint && (f == kAnyBool || f == kAnyInt)) {
      ok = w.Varint(&st->bits);
      st->SetScalar(f);
    } else if (t == kFixed64 && f == kAnyDouble) {
      ok = w.Fixed64(&st->bits);
      st->SetScalar(f);
    } else if (t == kLen && (f == kAnyArray || f == kAnyKvlist)) {
      std::string_view sub;
      ok = w.Bytes(&sub) && (!validate || ValidateList(sub, level + 1, f == kAnyKvlist));
      if (st->field != f) st->pieces.clear();
      st->field = f;
      st->pieces.push_back(sub);
    } else {
      ok = w.Skip(f, t, level);
    }
    if (!ok) return false;
  }
  return true;
}

void AppendDoubleJson(double d, std::string* out) {
  if (std::isnan(d)) {
    out->append("\"NaN\"");
  } else if (std::isinf(d)) {
    out->append(d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
  } else {
    fmt::format_to(std::back_inserter(*out), "{}", d);
  }
}

// The JSON of a validated AnyValue, as AppendAnyValueJson writes it.
void AppendStateJson(const AnyState& st, std::string* out) {
  switch (st.field) {
    case kAnyString:
      AppendJsonString(st.bytes, out);
      return;
    case kAnyBool:
      out->append(st.bits != 0 ? "true" : "false");
      return;
    case kAnyInt:
      fmt::format_to(std::back_inserter(*out), "{}", static_cast<int64_t>(st.bits));
      return;
    case kAnyDouble:
      AppendDoubleJson(std::bit_cast<double>(st.bits), out);
      return;
    case kAnyBytes:
      AppendJsonString(Base64Encode(st.bytes), out);
      return;
    case kAnyArray:
    case kAnyKvlist: {
      const bool kv = st.field == kAnyKvlist;
      out->push_back(kv ? '{' : '[');
      bool first = true;
      for (std::string_view piece : st.pieces) {
        Wire w(piece);
        while (!w.done()) {
          uint32_t f = 0, t = 0;
          w.Tag(&f, &t);
          if (t != kLen || f != kListValues) {
            w.Skip(f, t, 0);
            continue;
          }
          std::string_view sub, key;
          w.Bytes(&sub);
          AnyState e;
          if (!first) out->push_back(',');
          first = false;
          if (kv) {
            ParseKeyValue(sub, 0, false, &key, &e);
            AppendJsonString(key, out);
            out->push_back(':');
          } else {
            ParseAnyValue(sub, 0, false, &e);
          }
          AppendStateJson(e, out);
        }
      }
      out->push_back(kv ? '}' : ']');
      return;
    }
    default:
      out->append("null");
  }
}

void AssignModel(const AnyState& st, AnyValue* v) {
  switch (st.field) {
    case kAnyString:
      v->type = ValueType::kString;
      v->str.assign(st.bytes);
      return;
    case kAnyBool:
      v->type = ValueType::kBool;
      v->int_value = st.bits != 0 ? 1 : 0;
      return;
    case kAnyInt:
      v->type = ValueType::kInt;
      v->int_value = static_cast<int64_t>(st.bits);
      return;
    case kAnyDouble:
      v->type = ValueType::kDouble;
      v->double_value = std::bit_cast<double>(st.bits);
      return;
    case kAnyBytes:
      v->type = ValueType::kBytes;
      v->str.assign(st.bytes);
      return;
    case kAnyArray:
    case kAnyKvlist:
      v->type = st.field == kAnyArray ? ValueType::kArray : ValueType::kKvList;
      AppendStateJson(st, &v->str);
      return;
    default:
      return;
  }
}

// Parses one KeyValue occurrence of a repeated attributes field and appends it.
bool AppendAttribute(std::string_view data, int level, Attributes* attrs) {
  std::string_view key;
  AnyState st;
  if (!ParseKeyValue(data, level, true, &key, &st)) return false;
  KeyValue& kv = attrs->emplace_back();
  kv.key.assign(key);
  AssignModel(st, &kv.value);
  return true;
}

bool ValidateEntityRef(std::string_view data, int level) {
  if (level > kMaxDepth) return false;
  Wire w(data);
  while (!w.done()) {
    uint32_t f = 0, t = 0;
    if (!w.Tag(&f, &t)) return false;
    std::string_view s;
    // schema_url, type, id_keys, description_keys: all strings.
    const bool ok = t == kLen && f >= 1 && f <= 4 ? w.String(&s) : w.Skip(f, t, level);
    if (!ok) return false;
  }
  return true;
}

bool ParseResource(std::string_view data, int level, Resource* res) {
  if (level > kMaxDepth) return false;
  Wire w(data);
  while (!w.done()) {
    uint32_t f = 0, t = 0;
    if (!w.Tag(&f, &t)) return false;
    bool ok;
    std::string_view sub;
    if (t == kLen && f == kResourceAttributes) {
      ok = w.Bytes(&sub) && AppendAttribute(sub, level + 1, &res->attributes);
    } else if (t == kVarint && f == kResourceDropped) {
      uint64_t v = 0;
      ok = w.Varint(&v);
      res->dropped_attributes_count = static_cast<uint32_t>(v);
    } else if (t == kLen && f == kResourceEntityRefs) {
      ok = w.Bytes(&sub) && ValidateEntityRef(sub, level + 1);
    } else {
      ok = w.Skip(f, t, level);
    }
    if (!ok) return false;
  }
  return true;
}

bool ParseScope(std::string_view data, int level, Scope* scope) {
  if (level > kMaxDepth) return false;
  Wire w(data);
  while (!w.done()) {
    uint32_t f = 0, t = 0;
    if (!w.Tag(&f, &t)) return false;
    bool ok;
    std::string_view sub;
    if (t == kLen && (f == kScopeName || f == kScopeVersion)) {
      ok = w.String(&sub);
      (f == kScopeName ? scope->name : scope->version).assign(sub);
    } else if (t == kLen && f == kScopeAttributes) {
      ok = w.Bytes(&sub) && AppendAttribute(sub, level + 1, &scope->attributes);
    } else if (t == kVarint && f == kScopeDropped) {
      uint64_t v = 0;
      ok = w.Varint(&v);
      scope->dropped_attributes_count = static_cast<uint32_t>(v);
    } else {
      ok = w.Skip(f, t, level);
    }
    if (!ok) return false;
  }
  return true;
}

// The fields of one LogRecord, views into the body. Not thread-safe.
struct RecordFields {
  uint64_t time = 0;
  uint64_t observed = 0;
  int32_t severity_number = 0;
  uint32_t dropped = 0;
  uint32_t flags = 0;
  std::string_view severity_text, trace_id, span_id, event_name;
  AnyState body;
  Attributes attributes;
};

bool ParseRecord(std::string_view data, int level, RecordFields* r) {
  if (level > kMaxDepth) return false;
  Wire w(data);
  while (!w.done()) {
    uint32_t f = 0, t = 0;
    if (!w.Tag(&f, &t)) return false;
    bool ok;
    uint64_t v = 0;
    std::string_view sub;
    if (t == kFixed64 && f == kRecordTime) {
      ok = w.Fixed64(&r->time);
    } else if (t == kFixed64 && f == kRecordObservedTime) {
      ok = w.Fixed64(&r->observed);
    } else if (t == kVarint && f == kRecordSeverityNumber) {
      ok = w.Varint(&v);
      r->severity_number = static_cast<int32_t>(v);
    } else if (t == kLen && f == kRecordSeverityText) {
      ok = w.String(&r->severity_text);
    } else if (t == kLen && f == kRecordBody) {
      ok = w.Bytes(&sub) && ParseAnyValue(sub, level + 1, true, &r->body);
    } else if (t == kLen && f == kRecordAttributes) {
      ok = w.Bytes(&sub) && AppendAttribute(sub, level + 1, &r->attributes);
    } else if (t == kVarint && f == kRecordDropped) {
      ok = w.Varint(&v);
      r->dropped = static_cast<uint32_t>(v);
    } else if (t == kFixed32 && f == kRecordFlags) {
      ok = w.Fixed32(&r->flags);
    } else if (t == kLen && f == kRecordTraceId) {
      ok = w.Bytes(&r->trace_id);
    } else if (t == kLen && f == kRecordSpanId) {
      ok = w.Bytes(&r->span_id);
    } else if (t == kLen && f == kRecordEventName) {
      ok = w.String(&r->event_name);
    } else {
      ok = w.Skip(f, t, level);
    }
    if (!ok) return false;
  }
  return true;
}

// "" when the record is acceptable, else why it is not (the generated-class decoder's wording).
std::string RecordProblem(const RecordFields& r) {
  if (!r.trace_id.empty() && r.trace_id.size() != TraceId::kSize) {
    return fmt::format("traceId is {} bytes, want 0 or 16", r.trace_id.size());
  }
  if (!r.span_id.empty() && r.span_id.size() != SpanId::kSize) {
    return fmt::format("spanId is {} bytes, want 0 or 8", r.span_id.size());
  }
  if (r.time > kMaxTime || r.observed > kMaxTime) {
    return "time is beyond the int64 nanosecond range";
  }
  return {};
}

template <typename T>
uint32_t InternInto(std::vector<T>& pool, T&& item) {
  for (size_t i = 0; i < pool.size(); ++i) {
    if (pool[i] == item) return static_cast<uint32_t>(i);
  }
  pool.push_back(std::move(item));
  return static_cast<uint32_t>(pool.size() - 1);
}

template <typename V>
void Grow(V& v, size_t n) {
  if (v.capacity() < n) v.reserve(std::max(n, 2 * v.capacity()));
}

void ReserveRows(LogBatch& b, size_t n) {
  Grow(b.resource_index, n);
  Grow(b.scope_index, n);
  Grow(b.time_ns, n);
  Grow(b.observed_time_ns, n);
  Grow(b.severity_number, n);
  Grow(b.severity_text, n);
  Grow(b.body, n);
  Grow(b.trace_id, n);
  Grow(b.span_id, n);
  Grow(b.flags, n);
  Grow(b.event_name, n);
  Grow(b.attributes, n);
  Grow(b.dropped_attributes_count, n);
}

template <size_t N>
BinaryId<N> IdFrom(std::string_view bytes) {
  BinaryId<N> id;
  if (bytes.size() == N) std::memcpy(id.bytes.data(), bytes.data(), N);
  return id;
}

// What happens to a record in the WAL payload.
enum class RecordAction : uint8_t { kKeep, kReject, kStamp };

// One request's decoding state. Not thread-safe.
class Decoder {
 public:
  Decoder(int64_t now_ns, DecodedLogs* out) : now_ns_(now_ns), out_(out), b_(out->batch) {}

  bool Decode(std::string_view body) {
    Wire w(body);
    int r = 0;
    while (!w.done()) {
      uint32_t f = 0, t = 0;
      if (!w.Tag(&f, &t)) return false;
      if (t == kLen && f == kRequestResourceLogs) {
        std::string_view sub;
        if (!w.Bytes(&sub) || !ResourceLogs(sub, r++)) return false;
      } else if (!w.Skip(f, t, 0)) {
        return false;
      }
    }
    out_->rejected_records = rejections_.count();
    out_->error_message = rejections_.message();
    return true;
  }

  bool changed() const { return changed_; }
  const std::vector<RecordAction>& actions() const { return actions_; }

 private:
  bool ResourceLogs(std::string_view data, int r_index) {
    constexpr int kLevel = 1;
    std::vector<std::string_view> resource_pieces, scope_pieces;
    std::string_view schema_url;
    Wire w(data);
    while (!w.done()) {
      uint32_t f = 0, t = 0;
      if (!w.Tag(&f, &t)) return false;
      bool ok;
      std::string_view sub;
      if (t == kLen && f == kResourceLogsResource) {
        ok = w.Bytes(&sub);
        resource_pieces.push_back(sub);
      } else if (t == kLen && f == kResourceLogsScopeLogs) {
        ok = w.Bytes(&sub);
        scope_pieces.push_back(sub);
      } else if (t == kLen && f == kResourceLogsSchemaUrl) {
        ok = w.String(&schema_url);
      } else {
        ok = w.Skip(f, t, kLevel);
      }
      if (!ok) return false;
    }
    Resource res;
    for (std::string_view piece : resource_pieces) {
      if (!ParseResource(piece, kLevel + 1, &res)) return false;
    }
    res.schema_url.assign(schema_url);
    res.tags = ExtractUnifiedTags(res.attributes);
    int64_t r = -1;
    for (size_t s = 0; s < scope_pieces.size(); ++s) {
      if (!ScopeLogs(scope_pieces[s], r_index, static_cast<int>(s), res, &r)) return false;
    }
    return true;
  }

  // `res` is moved into the batch at the first accepted record, when *r is still -1.
  bool ScopeLogs(std::string_view data, int r_index, int s_index, Resource& res, int64_t* r) {
    constexpr int kLevel = 2;
    std::vector<std::string_view> scope_pieces;
    std::string_view schema_url;
    records_.clear();
    Wire w(data);
    while (!w.done()) {
      uint32_t f = 0, t = 0;
      if (!w.Tag(&f, &t)) return false;
      bool ok;
      std::string_view sub;
      if (t == kLen && f == kScopeLogsScope) {
        ok = w.Bytes(&sub);
        scope_pieces.push_back(sub);
      } else if (t == kLen && f == kScopeLogsRecords) {
        ok = w.Bytes(&sub);
        records_.push_back(sub);
      } else if (t == kLen && f == kScopeLogsSchemaUrl) {
        ok = w.String(&schema_url);
      } else {
        ok = w.Skip(f, t, kLevel);
      }
      if (!ok) return false;
    }
    Scope scope;
    for (std::string_view piece : scope_pieces) {
      if (!ParseScope(piece, kLevel + 1, &scope)) return false;
    }
    scope.schema_url.assign(schema_url);
    ReserveRows(b_, b_.size() + records_.size());
    int64_t s = -1;
    for (size_t k = 0; k < records_.size(); ++k) {
      RecordFields rec;
      if (!ParseRecord(records_[k], kLevel + 1, &rec)) return false;
      std::string problem = RecordProblem(rec);
      if (!problem.empty()) {
        rejections_.Add(fmt::format("resourceLogs[{}].scopeLogs[{}].logRecords[{}]: {}", r_index,
                                    s_index, k, problem));
        actions_.push_back(RecordAction::kReject);
        changed_ = true;
        continue;
      }
      if (rec.time == 0 && rec.observed == 0) {
        rec.observed = static_cast<uint64_t>(now_ns_);
        actions_.push_back(RecordAction::kStamp);
        changed_ = true;
      } else {
        actions_.push_back(RecordAction::kKeep);
      }
      if (*r < 0) *r = InternInto(b_.resources, std::move(res));
      if (s < 0) s = InternInto(b_.scopes, std::move(scope));
      Append(rec, static_cast<uint32_t>(*r), static_cast<uint32_t>(s));
    }
    return true;
  }

  void Append(RecordFields& rec, uint32_t r, uint32_t s) {
    b_.resource_index.push_back(r);
    b_.scope_index.push_back(s);
    const auto observed = static_cast<int64_t>(rec.observed);
    const auto time = static_cast<int64_t>(rec.time);
    b_.time_ns.push_back(time != 0 ? time : observed);
    b_.observed_time_ns.push_back(observed);
    b_.severity_number.push_back(rec.severity_number);
    b_.severity_text.emplace_back(rec.severity_text);
    AssignModel(rec.body, &b_.body.emplace_back());
    b_.trace_id.push_back(IdFrom<TraceId::kSize>(rec.trace_id));
    b_.span_id.push_back(IdFrom<SpanId::kSize>(rec.span_id));
    b_.flags.push_back(rec.flags);
    b_.event_name.emplace_back(rec.event_name);
    b_.attributes.push_back(std::move(rec.attributes));
    b_.dropped_attributes_count.push_back(rec.dropped);
  }

  const int64_t now_ns_;
  DecodedLogs* out_;
  LogBatch& b_;
  SpanRejections rejections_;
  std::vector<std::string_view> records_;  // LogRecord occurrences of the current ScopeLogs
  std::vector<RecordAction> actions_;      // one per record, in request order
  bool changed_ = false;
};

// --- WAL payload of the accepted records: the body with rejected records cut out, records
// without any time given an observed time, and emptied scopes and resources dropped. ---

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutLengthDelimited(uint32_t field, std::string_view payload, std::string* out) {
  PutVarint(field << 3 | kLen, out);
  PutVarint(payload.size(), out);
  out->append(payload);
}

// The body's fields are known to be well formed here: Decoder accepted it.
class PayloadBuilder {
 public:
  PayloadBuilder(const std::vector<RecordAction>& actions, int64_t now_ns)
      : actions_(actions), now_ns_(now_ns) {}

  void Build(std::string_view body, std::string* out) {
    out->reserve(body.size() + 16);
    Filter(body, kRequestResourceLogs, out, [this](std::string_view rl, std::string* o) {
      return Filter(rl, kResourceLogsScopeLogs, o, [this](std::string_view sl, std::string* o2) {
        return Filter(sl, kScopeLogsRecords, o2,
                      [this](std::string_view rec, std::string* o3) { return Record(rec, o3); });
      });
    });
  }

 private:
  // Copies the fields of `msg` to *out, except that each length-delimited field `field` goes
  // through `child`, which writes its new content and returns false to drop it. Returns whether
  // any `field` was kept.
  template <typename Child>
  bool Filter(std::string_view msg, uint32_t field, std::string* out, Child&& child) {
    bool kept = false;
    std::string content;
    Wire w(msg);
    while (!w.done()) {
      const char* start = w.pos();
      uint32_t f = 0, t = 0;
      w.Tag(&f, &t);
      if (t == kLen && f == field) {
        std::string_view sub;
        w.Bytes(&sub);
        content.clear();
        if (child(sub, &content)) {
          PutLengthDelimited(field, content, out);
          kept = true;
        }
      } else {
        w.Skip(f, t, 0);
        out->append(start, static_cast<size_t>(w.pos() - start));
      }
    }
    return kept;
  }

  bool Record(std::string_view rec, std::string* out) {
    const RecordAction action = actions_[next_++];
    if (action == RecordAction::kReject) return false;
    out->append(rec);
    if (action == RecordAction::kStamp) {
      PutVarint(kRecordObservedTime << 3 | kFixed64, out);
      const auto v = static_cast<uint64_t>(now_ns_);
      char bytes[8];
      std::memcpy(bytes, &v, 8);
      out->append(bytes, 8);
    }
    return true;
  }

  const std::vector<RecordAction>& actions_;
  const int64_t now_ns_;
  size_t next_ = 0;
};

}  // namespace

LogsWireOutcome DecodeLogsWire(std::string_view body, std::string_view tenant, int64_t now_ns,
                               DecodedLogs* out) {
  static_assert(std::endian::native == std::endian::little, "fixed-width fields are copied");
  if (body.size() > static_cast<size_t>(INT_MAX)) return LogsWireOutcome::kMalformed;
  out->batch.tenant = tenant.empty() ? std::string("default") : std::string(tenant);
  Decoder decoder(now_ns, out);
  if (!decoder.Decode(body)) return LogsWireOutcome::kMalformed;
  if (!decoder.changed()) return LogsWireOutcome::kBodyUnchanged;
  out->wal_payload.clear();
  PayloadBuilder(decoder.actions(), now_ns).Build(body, &out->wal_payload);
  return LogsWireOutcome::kPayloadRebuilt;
}

}  // namespace periscope
