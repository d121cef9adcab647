#include "sdk/otlp_encoder.h"

#include <map>
#include <utility>

namespace periscope::trace::internal {
namespace {

namespace common = ::opentelemetry::proto::common::v1;
namespace tracepb = ::opentelemetry::proto::trace::v1;
namespace logspb = ::opentelemetry::proto::logs::v1;
namespace metricspb = ::opentelemetry::proto::metrics::v1;

struct Visitor {
  common::AnyValue* out;
  void operator()(std::monostate) const {}
  void operator()(bool v) const { out->set_bool_value(v); }
  void operator()(int64_t v) const { out->set_int_value(v); }
  void operator()(double v) const { out->set_double_value(v); }
  void operator()(const std::string& v) const { out->set_string_value(v); }
  void operator()(const Bytes& v) const {
    out->set_bytes_value(std::string(v.data.begin(), v.data.end()));
  }
  void operator()(const AttributeArray& v) const {
    auto* arr = out->mutable_array_value();
    for (const AttributeValue& e : v) EncodeValue(e, arr->add_values());
  }
  void operator()(const Attributes& v) const {
    EncodeAttributes(v, out->mutable_kvlist_value()->mutable_values());
  }
};

void EncodeResource(const Resource* resource, ::opentelemetry::proto::resource::v1::Resource* out) {
  if (resource) EncodeAttributes(resource->attributes, out->mutable_attributes());
}

void EncodeScope(const InstrumentationScope* scope, common::InstrumentationScope* out) {
  if (!scope) return;
  out->set_name(scope->name);
  out->set_version(scope->version);
}

// Groups items by (resource, scope) pointer identity, preserving first-seen order.
template <class Item, class ResourceMsg, class AddResource, class AddScope, class AddItem>
void Group(std::span<const Item> items, AddResource add_resource, AddScope add_scope,
           AddItem add_item) {
  std::map<const Resource*, ResourceMsg*> resources;
  std::map<std::pair<const Resource*, const InstrumentationScope*>, void*> scopes;
  for (const Item& item : items) {
    const Resource* r = item.resource.get();
    auto rit = resources.find(r);
    if (rit == resources.end()) rit = resources.emplace(r, add_resource(r)).first;
    auto key = std::make_pair(r, item.scope.get());
    auto sit = scopes.find(key);
    if (sit == scopes.end())
      sit = scopes.emplace(key, add_scope(rit->second, item.scope.get())).first;
    add_item(sit->second, item);
  }
}

tracepb::Span::SpanKind ToProtoKind(SpanKind kind) {
  return static_cast<tracepb::Span::SpanKind>(static_cast<int>(kind));
}

uint32_t SpanFlags(const SpanContext& ctx, bool has_remote_info, bool remote) {
  uint32_t flags = ctx.flags.value;
  if (has_remote_info) flags |= tracepb::SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK;
  if (remote) flags |= tracepb::SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK;
  return flags;
}

void EncodeSpan(const SpanData& s, tracepb::Span* out) {
  out->set_trace_id(std::string(s.context.trace_id.AsBytes()));
  out->set_span_id(std::string(s.context.span_id.AsBytes()));
  if (!s.context.trace_state.empty()) out->set_trace_state(s.context.trace_state.ToHeader());
  if (s.parent_span_id.IsValid()) out->set_parent_span_id(std::string(s.parent_span_id.AsBytes()));
  out->set_flags(SpanFlags(s.context, true, s.parent_is_remote));
  out->set_name(s.name);
  out->set_kind(ToProtoKind(s.kind));
  out->set_start_time_unix_nano(ToUnixNanos(s.start_time));
  out->set_end_time_unix_nano(ToUnixNanos(s.end_time));
  if (s.shared_attributes) {
    auto* attrs = out->mutable_attributes();
    attrs->Reserve(static_cast<int>(s.shared_attributes->size() + s.attributes.size()));
    for (const auto& [k, v] : *s.shared_attributes) {
      if (FindAttribute(s.attributes, k)) continue;  // overridden by the span's own
      common::KeyValue* kv = attrs->Add();
      kv->set_key(k);
      EncodeValue(v, kv->mutable_value());
    }
  }
  EncodeAttributes(s.attributes, out->mutable_attributes());
  out->set_dropped_attributes_count(s.dropped_attributes);
  for (const SpanEvent& e : s.events) {
    auto* ev = out->add_events();
    ev->set_time_unix_nano(ToUnixNanos(e.time));
    ev->set_name(e.name);
    EncodeAttributes(e.attributes, ev->mutable_attributes());
  }
  out->set_dropped_events_count(s.dropped_events);
  for (const SpanLink& l : s.links) {
    auto* link = out->add_links();
    link->set_trace_id(std::string(l.context.trace_id.AsBytes()));
    link->set_span_id(std::string(l.context.span_id.AsBytes()));
    if (!l.context.trace_state.empty()) link->set_trace_state(l.context.trace_state.ToHeader());
    EncodeAttributes(l.attributes, link->mutable_attributes());
    link->set_flags(SpanFlags(l.context, true, l.context.is_remote));
  }
  out->set_dropped_links_count(s.dropped_links);
  if (s.status != StatusCode::kUnset) {
    out->mutable_status()->set_code(static_cast<tracepb::Status::StatusCode>(s.status));
    out->mutable_status()->set_message(s.status_message);
  }
}

}  // namespace

void EncodeValue(const AttributeValue& value, common::AnyValue* out) {
  std::visit(Visitor{out}, value.storage());
}

void EncodeAttributes(const Attributes& attrs,
                      google::protobuf::RepeatedPtrField<common::KeyValue>* out) {
  out->Reserve(out->size() + static_cast<int>(attrs.size()));
  for (const auto& [k, v] : attrs) {
    common::KeyValue* kv = out->Add();
    kv->set_key(k);
    EncodeValue(v, kv->mutable_value());
  }
}

otlp_collector::trace::v1::ExportTraceServiceRequest EncodeSpans(std::span<const SpanData> spans) {
  otlp_collector::trace::v1::ExportTraceServiceRequest req;
  Group<SpanData, tracepb::ResourceSpans>(
      spans,
      [&](const Resource* r) {
        auto* rs = req.add_resource_spans();
        EncodeResource(r, rs->mutable_resource());
        return rs;
      },
      [](tracepb::ResourceSpans* rs, const InstrumentationScope* scope) -> void* {
        auto* ss = rs->add_scope_spans();
        EncodeScope(scope, ss->mutable_scope());
        return ss;
      },
      [](void* ss, const SpanData& s) {
        EncodeSpan(s, static_cast<tracepb::ScopeSpans*>(ss)->add_spans());
      });
  return req;
}

otlp_collector::logs::v1::ExportLogsServiceRequest EncodeLogs(
    std::span<const LogRecordData> records) {
  otlp_collector::logs::v1::ExportLogsServiceRequest req;
  Group<LogRecordData, logspb::ResourceLogs>(
      records,
      [&](const Resource* r) {
        auto* rl = req.add_resource_logs();
        EncodeResource(r, rl->mutable_resource());
        return rl;
      },
      [](logspb::ResourceLogs* rl, const InstrumentationScope* scope) -> void* {
        auto* sl = rl->add_scope_logs();
        EncodeScope(scope, sl->mutable_scope());
        return sl;
      },
      [](void* sl, const LogRecordData& r) {
        auto* out = static_cast<logspb::ScopeLogs*>(sl)->add_log_records();
        out->set_time_unix_nano(ToUnixNanos(r.time));
        out->set_observed_time_unix_nano(ToUnixNanos(r.observed_time));
        out->set_severity_number(static_cast<logspb::SeverityNumber>(r.severity));
        out->set_severity_text(std::string(SeverityText(r.severity)));
        EncodeValue(r.body, out->mutable_body());
        EncodeAttributes(r.attributes, out->mutable_attributes());
        if (r.trace_id.IsValid()) {
          out->set_trace_id(std::string(r.trace_id.AsBytes()));
          out->set_span_id(std::string(r.span_id.AsBytes()));
          out->set_flags(r.trace_flags.value);
        }
      });
  return req;
}

otlp_collector::metrics::v1::ExportMetricsServiceRequest EncodeMetrics(
    const Resource& resource, std::span<const MetricData> metrics) {
  otlp_collector::metrics::v1::ExportMetricsServiceRequest req;
  auto* rm = req.add_resource_metrics();
  EncodeResource(&resource, rm->mutable_resource());
  std::map<const InstrumentationScope*, metricspb::ScopeMetrics*> scopes;
  for (const MetricData& m : metrics) {
    auto it = scopes.find(m.scope.get());
    if (it == scopes.end()) {
      auto* sm = rm->add_scope_metrics();
      EncodeScope(m.scope.get(), sm->mutable_scope());
      it = scopes.emplace(m.scope.get(), sm).first;
    }
    metricspb::Metric* out = it->second->add_metrics();
    out->set_name(m.name);
    out->set_description(m.description);
    out->set_unit(m.unit);
    const uint64_t start = ToUnixNanos(m.start_time), now = ToUnixNanos(m.time);
    if (m.kind == MetricData::Kind::kSum) {
      auto* sum = out->mutable_sum();
      sum->set_aggregation_temporality(metricspb::AGGREGATION_TEMPORALITY_CUMULATIVE);
      sum->set_is_monotonic(true);
      for (const SumPoint& p : m.sums) {
        auto* dp = sum->add_data_points();
        EncodeAttributes(p.attributes, dp->mutable_attributes());
        dp->set_start_time_unix_nano(start);
        dp->set_time_unix_nano(now);
        if (const int64_t* i = std::get_if<int64_t>(&p.value)) {
          dp->set_as_int(*i);
        } else {
          dp->set_as_double(std::get<double>(p.value));
        }
      }
    } else {
      auto* hist = out->mutable_histogram();
      hist->set_aggregation_temporality(metricspb::AGGREGATION_TEMPORALITY_CUMULATIVE);
      for (const HistogramPoint& p : m.histograms) {
        auto* dp = hist->add_data_points();
        EncodeAttributes(p.attributes, dp->mutable_attributes());
        dp->set_start_time_unix_nano(start);
        dp->set_time_unix_nano(now);
        dp->set_count(p.count);
        dp->set_sum(p.sum);
        if (p.count > 0) {
          dp->set_min(p.min);
          dp->set_max(p.max);
        }
        for (uint64_t c : p.bucket_counts) dp->add_bucket_counts(c);
        for (double b : m.bounds) dp->add_explicit_bounds(b);
      }
    }
  }
  return req;
}

}  // namespace periscope::trace::internal
