#pragma once

#include <memory>

#include "periscope/trace/span.h"

namespace periscope::trace::internal {

// A queued span that was started from a shape and set nothing of its own: what tells it from the
// shape's other spans. A batch queue slot of 72 bytes instead of a SpanData's 300; the exporting
// thread turns it into SpanData (ExpandCompact).
struct SpanRecord {
  std::shared_ptr<const SpanShape> shape;
  TraceId trace_id;
  SpanId span_id;
  SpanId parent_span_id;
  Timestamp start_time;
  Timestamp end_time;
  TraceFlags flags;
  bool parent_is_remote = false;
  StatusCode status = StatusCode::kUnset;
};

// Writes an ended span into a slot that holds an exported one. The slot's shape is replaced only
// when it differs: most often the slot held a span of the same shape, and no reference count
// changes.
[[gnu::always_inline]] inline void WriteSpanRecord(SpanRecord& slot, const SpanContext& context,
                                                   const ShapedSpan& span,
                                                   Timestamp end_time) noexcept {
  if (slot.shape != span.shape) slot.shape = span.shape;
  slot.trace_id = context.trace_id;
  slot.span_id = context.span_id;
  slot.parent_span_id = span.parent_span_id;
  slot.start_time = span.start_time;
  slot.end_time = end_time;
  slot.flags = context.flags;
  slot.parent_is_remote = span.parent_is_remote;
  slot.status = span.status;
}

// The record as SpanData, for an exporter, in `data` that holds the record `last` (only its
// shape is kept; null the first time) and nothing else: when the shapes are the same, only the
// span's own fields are written.
void ExpandCompact(const SpanRecord& record, SpanRecord& last, SpanData& data);

}  // namespace periscope::trace::internal
