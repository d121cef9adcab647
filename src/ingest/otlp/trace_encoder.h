#pragma once

#include "model/span_batch.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace periscope {

// Appends the rows of `batch` to `out` as OTLP, in row order: consecutive rows with the same
// resource and scope share one ResourceSpans / ScopeSpans. Root spans get an empty
// parent_span_id. Used by the load generator, tests and benchmarks.
void EncodeSpanBatch(const SpanBatch& batch,
                     opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest* out);

}  // namespace periscope
