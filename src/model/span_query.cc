#include "model/span_query.h"

namespace periscope {

namespace {

bool AttributeMatches(const SpanBatch& batch, size_t row, const AttributeFilter& f) {
  const UnifiedTags& tags = batch.tags(row);
  if (f.key == "service" || f.key == "service.name") return tags.service == f.value;
  if (f.key == "env") return tags.env == f.value;
  if (f.key == "version") return tags.version == f.value;
  if (f.key == "host") return tags.host == f.value;
  if (const AnyValue* v = FindAttribute(batch.attributes[row], f.key))
    return v->ToString() == f.value;
  if (const AnyValue* v = FindAttribute(batch.resource(row).attributes, f.key)) {
    return v->ToString() == f.value;
  }
  if (f.key == "span.kind" || f.key == "kind") {
    static constexpr const char* kNames[] = {"unspecified", "internal", "server",
                                             "client",      "producer", "consumer"};
    auto k = static_cast<size_t>(batch.kind[row]);
    return k < 6 && f.value == kNames[k];
  }
  if (f.key == "error") {
    bool is_error = batch.status_code[row] == StatusCodeValue::kError;
    return (f.value == "true") == is_error;
  }
  if (f.key == "otel.status_code" || f.key == "status") {
    static constexpr const char* kNames[] = {"UNSET", "OK", "ERROR"};
    auto s = static_cast<size_t>(batch.status_code[row]);
    return s < 3 && (f.value == kNames[s]);
  }
  return false;
}

}  // namespace

bool SpanQuery::Matches(const SpanBatch& batch, size_t row) const {
  if (trace_id && batch.trace_id[row] != *trace_id) return false;
  const int64_t start = batch.start_ns[row];
  if (start < min_start_ns || start > max_start_ns) return false;
  const UnifiedTags& tags = batch.tags(row);
  if (!service.empty() && tags.service != service) return false;
  if (!env.empty() && tags.env != env) return false;
  if (!name.empty() && batch.name[row] != name) return false;
  const int64_t duration = batch.duration_ns(row);
  if (min_duration_ns && duration < *min_duration_ns) return false;
  if (max_duration_ns && duration > *max_duration_ns) return false;
  if (status_code && batch.status_code[row] != *status_code) return false;
  if (kind && batch.kind[row] != *kind) return false;
  for (const auto& f : attributes) {
    if (!AttributeMatches(batch, row, f)) return false;
  }
  return true;
}

}  // namespace periscope
