#pragma once

#include <array>
#include <boost/json/serializer.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/any_value.h"
#include "model/span_batch.h"

namespace periscope {

// Appends JSON text to a caller-owned string without building a value tree; output is
// byte-identical to boost::json::serialize of the equivalent value. The caller places commas
// (Comma()) and keys. Not thread-safe; one per response.
class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  void Raw(std::string_view s) { out_->append(s); }
  void Char(char c) { out_->push_back(c); }
  // A quoted string with the escapes boost::json uses; other bytes are copied as they are.
  void String(std::string_view s);
  // `"key":`.
  void Key(std::string_view key) {
    String(key);
    out_->push_back(':');
  }
  void Int(int64_t v);
  void Uint(uint64_t v);
  void Bool(bool v) { out_->append(v ? "true" : "false"); }
  // Finite doubles only, formatted as boost::json does.
  void Double(double v);
  // Any boost::json value, as boost::json::serialize writes it.
  void Value(const boost::json::value& v);

 private:
  std::string* out_;
  boost::json::serializer serializer_;
};

// Writes AnyValueToJson(v) (api/span_json.h) without building it.
void WriteAnyValue(const AnyValue& v, JsonWriter& w);
// Writes AttributesToJson(attrs): duplicate keys keep their first position and last value.
void WriteAttributes(const Attributes& attrs, JsonWriter& w);
// Writes SpanToJson(batch, row).
void WriteSpan(const SpanBatch& batch, size_t row, JsonWriter& w);

// The body of GET /api/traces/{id}: {"trace_id": ..., "spans": [SpanToJson(batch, i)...]}.
// Resource and scope attributes are written once per resource/scope and copied per span.
std::string TraceJson(std::string_view trace_id_hex, const SpanBatch& batch);

// The fields of one span row of CompactTraceJson, in order.
extern const std::array<std::string_view, 18> kCompactSpanFields;

// The body of GET /api/traces/{id}?format=compact (docs/api.md): the same spans, in the same
// order, with each distinct resource and scope listed once and referenced by index, and each
// span as an array of kCompactSpanFields with times as nanoseconds after the earliest start.
std::string CompactTraceJson(std::string_view trace_id_hex, const SpanBatch& batch);

}  // namespace periscope
