// Direct OTLP wire-format encoding of spans and log records.
//
// EncodeSpans (otlp_encoder.cc) builds generated protobuf messages (a Span, and a KeyValue,
// AnyValue and string per attribute) and then serializes them: 33 allocations and ~18,000
// instructions per RPC-like span on the batch export thread. This writes the same
// ExportTraceServiceRequest bytes straight into a reused std::string, in field-number order like
// the generated serializer, so the output is byte-identical to EncodeSpans(...).SerializeAsString()
// (otlp_span_wire_test.cc checks that and MessageDifferencer equality): no allocation once the
// string has grown, ~1,750 instructions per span (bench/rpc/otlp_encode_bench.cc,
// docs/benchmarks.md "Session 6 (E)"). Nested lengths are back-patched (WireWriter): 2 bytes are
// reserved for a span's length, 3 for a scope's span list, and the content moves only when that
// guess is wrong (~55 instructions per moved span, measured), so no sizing pre-pass. A shared
// attribute set (SpanData::shared_attributes, one per RPC method and peer) is encoded once per
// batch and copied into each span that overrides none of its keys: ~640 instructions per RPC span
// instead of ~1,750 (bench/rpc/encode_probe.sh BIN new).
#include "sdk/otlp_span_wire.h"

#include <cstring>
#include <string>
#include <vector>

#include "sdk/otlp_wire.h"

namespace periscope::trace::internal {
namespace {

// opentelemetry/proto/trace/v1/trace.proto field numbers.
namespace span_field {
constexpr uint32_t kTraceId = 1, kSpanId = 2, kTraceState = 3, kParentSpanId = 4, kName = 5,
                   kKind = 6, kStart = 7, kEnd = 8, kAttributes = 9, kDroppedAttributes = 10,
                   kEvents = 11, kDroppedEvents = 12, kLinks = 13, kDroppedLinks = 14, kStatus = 15,
                   kFlags = 16;
}  // namespace span_field
namespace event_field {
constexpr uint32_t kTime = 1, kName = 2, kAttributes = 3;
}  // namespace event_field
namespace link_field {
constexpr uint32_t kTraceId = 1, kSpanId = 2, kTraceState = 3, kAttributes = 4, kFlags = 6;
}  // namespace link_field
namespace status_field {
constexpr uint32_t kMessage = 2, kCode = 3;
}  // namespace status_field
constexpr uint32_t kScopeItems = 2;  // ScopeSpans.spans, ScopeLogs.log_records

// SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK / SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK.
constexpr uint32_t kHasIsRemote = 0x100, kIsRemote = 0x200;

uint32_t SpanFlags(const SpanContext& ctx, bool remote) {
  return ctx.flags.value | kHasIsRemote | (remote ? kIsRemote : 0);
}

// The encoded attribute fields of the shared attribute sets met in one batch: the spans of a
// batch share a handful of sets (one per RPC method and peer), each encoded once. Keyed by the
// set's address, valid while the batch's spans hold the sets.
class SharedAttributeFields {
 public:
  // The fields of `set`, or null when the batch has more distinct sets than are kept.
  const std::string* Find(const Attributes& set) {
    for (const Entry& e : entries_) {
      if (e.set == &set) return &e.fields;
    }
    if (entries_.size() >= kMaxEntries) return nullptr;
    Entry& e = entries_.emplace_back();
    e.set = &set;
    WireWriter w(e.fields);
    WriteAttributes(w, span_field::kAttributes, set);
    w.Finish();
    return &e.fields;
  }

 private:
  static constexpr size_t kMaxEntries = 64;
  struct Entry {
    const Attributes* set = nullptr;
    std::string fields;
  };
  std::vector<Entry> entries_;
};

// Whether a span's own attributes override none of its shared ones.
bool NoOverride(const SpanData& s) {
  for (const KeyValue& kv : s.attributes) {
    if (FindAttribute(*s.shared_attributes, kv.first)) return false;
  }
  return true;
}

// Whether a span has nothing but ids, name, kind, times, shared attributes, a status without
// description and flags: every span of an RPC or other shaped instrumentation that set nothing of
// its own.
bool IsPlainSpan(const SpanData& s) {
  return s.context.trace_state.empty() && s.attributes.empty() && s.events.empty() &&
         s.links.empty() && s.status_message.empty() && s.dropped_attributes == 0 &&
         s.dropped_events == 0 && s.dropped_links == 0;
}

// Appends a one-byte tag, a one-byte length and n bytes.
char* PutSmallBytes(char* p, uint8_t tag, const void* bytes, size_t n) {
  *p++ = static_cast<char>(tag);
  *p++ = static_cast<char>(n);
  std::memcpy(p, bytes, n);
  return p + n;
}

// A plain span (IsPlainSpan) with its shared attribute fields already encoded: its exact length
// is known up front, so it is written with plain stores and no back-patched length. The same
// bytes as the general path below.
void WritePlainSpan(WireWriter& w, const SpanData& s, std::string_view shared_fields) {
  using namespace span_field;  // NOLINT(build/namespaces)
  constexpr uint8_t kLengthDelimited = 2, kFixed64Type = 1, kVarintType = 0;
  constexpr auto tag = [](uint32_t field, uint8_t type) {
    return static_cast<uint8_t>(field << 3 | type);
  };
  const bool has_parent = s.parent_span_id.IsValid();
  const uint64_t kind = static_cast<uint64_t>(static_cast<int>(s.kind));
  const uint64_t start = ToUnixNanos(s.start_time);
  const uint64_t end = ToUnixNanos(s.end_time);
  const uint64_t status = static_cast<uint64_t>(static_cast<int>(s.status));
  const size_t name_field =
      s.name.empty() ? 0 : 1 + WireWriter::VarintSize(s.name.size()) + s.name.size();
  const size_t status_bytes = status == 0 ? 0 : 3 + WireWriter::VarintSize(status);
  const size_t length = 2 + TraceId::kSize + 2 + SpanId::kSize +
                        (has_parent ? 2 + SpanId::kSize : 0) + name_field +
                        (kind == 0 ? 0 : 1 + WireWriter::VarintSize(kind)) + (start == 0 ? 0 : 9) +
                        (end == 0 ? 0 : 9) + shared_fields.size() + status_bytes + 2 + 4;
  char* p = w.Reserve(1 + WireWriter::VarintSize(length) + length);
  *p++ = static_cast<char>(tag(kScopeItems, kLengthDelimited));
  p = WireWriter::PutVarint(p, length);
  p = PutSmallBytes(p, tag(kTraceId, kLengthDelimited), s.context.trace_id.AsBytes().data(),
                    TraceId::kSize);
  p = PutSmallBytes(p, tag(kSpanId, kLengthDelimited), s.context.span_id.AsBytes().data(),
                    SpanId::kSize);
  if (has_parent) {
    p = PutSmallBytes(p, tag(kParentSpanId, kLengthDelimited), s.parent_span_id.AsBytes().data(),
                      SpanId::kSize);
  }
  if (!s.name.empty()) {
    *p++ = static_cast<char>(tag(kName, kLengthDelimited));
    p = WireWriter::PutVarint(p, s.name.size());
    std::memcpy(p, s.name.data(), s.name.size());
    p += s.name.size();
  }
  if (kind != 0) {
    *p++ = static_cast<char>(tag(kKind, kVarintType));
    p = WireWriter::PutVarint(p, kind);
  }
  if (start != 0) {
    *p++ = static_cast<char>(tag(kStart, kFixed64Type));
    std::memcpy(p, &start, 8);
    p += 8;
  }
  if (end != 0) {
    *p++ = static_cast<char>(tag(kEnd, kFixed64Type));
    std::memcpy(p, &end, 8);
    p += 8;
  }
  if (!shared_fields.empty()) {
    std::memcpy(p, shared_fields.data(), shared_fields.size());
    p += shared_fields.size();
  }
  if (status != 0) {
    *p++ = static_cast<char>(tag(kStatus, kLengthDelimited));
    *p++ = static_cast<char>(1 + WireWriter::VarintSize(status));
    *p++ = static_cast<char>(tag(status_field::kCode, kVarintType));
    p = WireWriter::PutVarint(p, status);
  }
  constexpr uint8_t kFixed32Type = 5;
  const uint32_t flags = SpanFlags(s.context, s.parent_is_remote);
  p = WireWriter::PutVarint(p, kFlags << 3 | kFixed32Type);  // two bytes: field 16
  std::memcpy(p, &flags, 4);
  w.Commit(p + 4);
}

void WriteSpan(WireWriter& w, const SpanData& s, SharedAttributeFields& shared) {
  using namespace span_field;  // NOLINT(build/namespaces)
  if (IsPlainSpan(s)) {
    const std::string* fields = s.shared_attributes ? shared.Find(*s.shared_attributes) : nullptr;
    if (fields != nullptr || !s.shared_attributes) {
      WritePlainSpan(w, s, fields != nullptr ? std::string_view(*fields) : std::string_view());
      return;
    }
  }
  WireWriter::Nested span = w.Begin(kScopeItems, 2);
  w.BytesAlways(kTraceId, s.context.trace_id.AsBytes());
  w.BytesAlways(kSpanId, s.context.span_id.AsBytes());
  if (!s.context.trace_state.empty()) w.StringField(kTraceState, s.context.trace_state.ToHeader());
  if (s.parent_span_id.IsValid()) w.BytesAlways(kParentSpanId, s.parent_span_id.AsBytes());
  w.StringField(kName, s.name);
  w.VarintField(kKind, static_cast<uint64_t>(static_cast<int>(s.kind)));
  w.Fixed64Field(kStart, ToUnixNanos(s.start_time));
  w.Fixed64Field(kEnd, ToUnixNanos(s.end_time));
  if (s.shared_attributes) {
    const std::string* fields = NoOverride(s) ? shared.Find(*s.shared_attributes) : nullptr;
    if (fields) {
      w.EncodedFields(*fields);
    } else {
      for (const auto& [k, v] : *s.shared_attributes) {
        if (!FindAttribute(s.attributes, k)) WriteKeyValue(w, kAttributes, k, v);
      }
    }
  }
  WriteAttributes(w, kAttributes, s.attributes);
  w.VarintField(kDroppedAttributes, s.dropped_attributes);
  for (const SpanEvent& e : s.events) {
    WireWriter::Nested event = w.Begin(kEvents, 1);
    w.Fixed64Field(event_field::kTime, ToUnixNanos(e.time));
    w.StringField(event_field::kName, e.name);
    WriteAttributes(w, event_field::kAttributes, e.attributes);
    w.End(event);
  }
  w.VarintField(kDroppedEvents, s.dropped_events);
  for (const SpanLink& l : s.links) {
    WireWriter::Nested link = w.Begin(kLinks, 1);
    w.BytesAlways(link_field::kTraceId, l.context.trace_id.AsBytes());
    w.BytesAlways(link_field::kSpanId, l.context.span_id.AsBytes());
    if (!l.context.trace_state.empty()) {
      w.StringField(link_field::kTraceState, l.context.trace_state.ToHeader());
    }
    WriteAttributes(w, link_field::kAttributes, l.attributes);
    w.Fixed32Field(link_field::kFlags, SpanFlags(l.context, l.context.is_remote));
    w.End(link);
  }
  w.VarintField(kDroppedLinks, s.dropped_links);
  if (s.status != StatusCode::kUnset) {
    WireWriter::Nested status = w.Begin(kStatus, 1);
    w.StringField(status_field::kMessage, s.status_message);
    w.VarintField(status_field::kCode, static_cast<uint64_t>(static_cast<int>(s.status)));
    w.End(status);
  }
  w.Fixed32Field(kFlags, SpanFlags(s.context, s.parent_is_remote));
  w.End(span);
}

// opentelemetry/proto/logs/v1/logs.proto field numbers.
namespace log_field {
constexpr uint32_t kTime = 1, kSeverityNumber = 2, kSeverityText = 3, kBody = 5, kAttributes = 6,
                   kFlags = 8, kTraceId = 9, kSpanId = 10, kObservedTime = 11;
}  // namespace log_field

void WriteLogRecord(WireWriter& w, const LogRecordData& r) {
  using namespace log_field;  // NOLINT(build/namespaces)
  WireWriter::Nested record = w.Begin(kScopeItems, 1);
  w.Fixed64Field(kTime, ToUnixNanos(r.time));
  w.VarintField(kSeverityNumber, static_cast<uint64_t>(static_cast<int>(r.severity)));
  w.StringField(kSeverityText, SeverityText(r.severity));
  WireWriter::Nested body = w.Begin(kBody, 1);
  WriteAnyValue(w, r.body);
  w.End(body);
  WriteAttributes(w, kAttributes, r.attributes);
  if (r.trace_id.IsValid()) {
    w.Fixed32Field(kFlags, r.trace_flags.value);
    w.BytesAlways(kTraceId, r.trace_id.AsBytes());
    w.BytesAlways(kSpanId, r.span_id.AsBytes());
  }
  w.Fixed64Field(kObservedTime, ToUnixNanos(r.observed_time));
  w.End(record);
}

}  // namespace

void EncodeSpansWire(std::span<const SpanData> spans, std::string& out) {
  SharedAttributeFields shared;
  WireWriter w(out);
  WriteGrouped(w, spans,
               [&shared](WireWriter& ww, const SpanData& s) { WriteSpan(ww, s, shared); });
  w.Finish();
}

void EncodeLogsWire(std::span<const LogRecordData> records, std::string& out) {
  WireWriter w(out);
  WriteGrouped(w, records, WriteLogRecord);
  w.Finish();
}

}  // namespace periscope::trace::internal
