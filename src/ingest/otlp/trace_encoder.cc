#include "ingest/otlp/trace_encoder.h"

#include "ingest/otlp/any_value_convert.h"

namespace periscope {

namespace pb_trace = opentelemetry::proto::trace::v1;

void EncodeSpanBatch(const SpanBatch& b,
                     opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest* out) {
  pb_trace::ResourceSpans* rs = nullptr;
  pb_trace::ScopeSpans* ss = nullptr;
  for (size_t i = 0; i < b.size(); ++i) {
    if (rs == nullptr || b.resource_index[i] != b.resource_index[i - 1]) {
      const Resource& r = b.resource(i);
      rs = out->add_resource_spans();
      ToOtlpAttributes(r.attributes, rs->mutable_resource()->mutable_attributes());
      rs->mutable_resource()->set_dropped_attributes_count(r.dropped_attributes_count);
      rs->set_schema_url(r.schema_url);
      ss = nullptr;
    }
    if (ss == nullptr || b.scope_index[i] != b.scope_index[i - 1]) {
      const Scope& s = b.scope(i);
      ss = rs->add_scope_spans();
      ss->mutable_scope()->set_name(s.name);
      ss->mutable_scope()->set_version(s.version);
      ToOtlpAttributes(s.attributes, ss->mutable_scope()->mutable_attributes());
      ss->mutable_scope()->set_dropped_attributes_count(s.dropped_attributes_count);
      ss->set_schema_url(s.schema_url);
    }
    auto* span = ss->add_spans();
    span->set_trace_id(std::string(b.trace_id[i].View()));
    span->set_span_id(std::string(b.span_id[i].View()));
    if (!b.parent_span_id[i].IsZero()) {
      span->set_parent_span_id(std::string(b.parent_span_id[i].View()));
    }
    span->set_trace_state(b.trace_state[i]);
    span->set_flags(b.flags[i]);
    span->set_name(b.name[i]);
    span->set_kind(static_cast<pb_trace::Span_SpanKind>(b.kind[i]));
    span->set_start_time_unix_nano(static_cast<uint64_t>(b.start_ns[i]));
    span->set_end_time_unix_nano(static_cast<uint64_t>(b.end_ns[i]));
    ToOtlpAttributes(b.attributes[i], span->mutable_attributes());
    span->set_dropped_attributes_count(b.dropped_attributes_count[i]);
    for (const auto& e : b.events[i]) {
      auto* pe = span->add_events();
      pe->set_time_unix_nano(static_cast<uint64_t>(e.time_ns));
      pe->set_name(e.name);
      ToOtlpAttributes(e.attributes, pe->mutable_attributes());
      pe->set_dropped_attributes_count(e.dropped_attributes_count);
    }
    span->set_dropped_events_count(b.dropped_events_count[i]);
    for (const auto& l : b.links[i]) {
      auto* pl = span->add_links();
      pl->set_trace_id(std::string(l.trace_id.View()));
      pl->set_span_id(std::string(l.span_id.View()));
      pl->set_trace_state(l.trace_state);
      ToOtlpAttributes(l.attributes, pl->mutable_attributes());
      pl->set_dropped_attributes_count(l.dropped_attributes_count);
      pl->set_flags(l.flags);
    }
    span->set_dropped_links_count(b.dropped_links_count[i]);
    if (b.status_code[i] != StatusCodeValue::kUnset || !b.status_message[i].empty()) {
      span->mutable_status()->set_code(static_cast<pb_trace::Status_StatusCode>(b.status_code[i]));
      span->mutable_status()->set_message(b.status_message[i]);
    }
  }
}

}  // namespace periscope
