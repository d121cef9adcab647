#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "periscope/rpc/call.h"
#include "periscope/rpc/status.h"
#include "periscope/trace/propagation.h"
#include "periscope/trace/span.h"
#include "periscope/trace/tracer.h"
#include "rpc/frame.h"
#include "rpc/span_template_cache.h"

// Span helpers of the RPC framework. Kept out of coroutine bodies on purpose: GCC 12 mishandles
// some temporaries (initializer lists) inside coroutines.
namespace periscope::rpc::internal {

// The trace context a request carries: the caller's span context (invalid when none) and its
// baggage. A plain value type.
struct RemoteParent {
  trace::SpanContext span_context;
  trace::Baggage baggage;
};

// Starts, in `span`, a CLIENT span named "service/method" with the RPC semantic-convention
// attributes, started at `start` (the call's own clock reading, through trace::WallTimeAt). It
// has one owner (the call): `tracer` must outlive its End().
void StartClientSpan(const trace::Tracer& tracer, const trace::Context& parent,
                     const std::string& service, const std::string& method,
                     const std::string& address, uint16_t port, trace::Timestamp start,
                     trace::UniqueSpan& span);
// The same for a call of a typed method (`names`) on the client connection numbered
// `connection` (see SpanTemplateCache).
void StartClientSpan(const trace::Tracer& tracer, const trace::Context& parent, uint64_t connection,
                     const MethodNames& names, const std::string& address, uint16_t port,
                     trace::Timestamp start, trace::UniqueSpan& span);
// A SERVER span started at `start`, child of the remote parent (a root when the request carried
// none); its name and attributes from `span` (by default, this thread's template for the call's
// method and peer).
std::shared_ptr<trace::Span> StartServerSpan(const trace::Tracer& tracer,
                                             const RemoteParent& remote, const CallContext& call,
                                             trace::Timestamp start);
std::shared_ptr<trace::Span> StartServerSpan(const trace::Tracer& tracer,
                                             const RemoteParent& remote, const SpanTemplate& span,
                                             trace::Timestamp start);
// The span context's ids and flags as the frame's binary trace fields.
void SetTraceFields(const trace::SpanContext& context, RequestFrame& frame);
// Injects the context into a request: the span context as the frame's binary trace fields
// (tracestate and baggage into its metadata, only when non-empty). With a non-default global
// propagator, its fields go into the metadata instead.
void InjectContext(const trace::Context& context, RequestFrame& frame);
// Injects a call's context into its request: `parent`'s baggage and, as the span, the context
// of the call's CLIENT span (or `parent`'s span when null). Builds no Context unless a
// non-default global propagator needs one. Inline for the usual traced call (a CLIENT span
// without tracestate, no baggage, the default propagator); any other through the general one.
void InjectCallContextGenerally(const trace::Context& parent, const trace::SpanContext* client_span,
                                RequestFrame& frame);
inline void InjectCallContext(const trace::Context& parent, const trace::SpanContext* client_span,
                              RequestFrame& frame) {
  if (client_span != nullptr && client_span->IsValid() && client_span->trace_state.empty() &&
      parent.baggage().empty() && trace::internal::GlobalPropagatorIsDefault()) [[likely]] {
    SetTraceFields(*client_span, frame);
    return;
  }
  InjectCallContextGenerally(parent, client_span, frame);
}
// Injects the context into metadata (traceparent, tracestate, baggage) when it has any.
void InjectContext(const trace::Context& context, Metadata& metadata);
// The remote parent in a request's binary trace fields (marked remote), or an invalid span
// context when they are unset or invalid.
trace::SpanContext FrameParent(const RequestFrame& frame);
// The remote parent of a request: the frame's binary trace fields when set (an invalid span
// context in them is ignored), else a text `traceparent` in the metadata (older peers);
// tracestate and baggage from the metadata.
RemoteParent ExtractRemoteParent(const RequestFrame& frame, const Metadata& metadata);
// The remote parent found in the metadata.
RemoteParent ExtractRemoteParent(const Metadata& metadata);
// Whether a request frame has binary trace fields, and the span context they hold.
bool HasTraceFields(const RequestFrame& frame);
trace::SpanContext TraceFieldsContext(const RequestFrame& frame);
// The context of a call served without a tracer: the remote parent as a non-recording span, with
// its baggage (taken from `remote`).
trace::Context RemoteContext(RemoteParent&& remote);
// The context of a call whose SERVER span is `span`, with the remote parent's baggage (taken
// from `remote`).
trace::Context ServerContext(RemoteParent&& remote, std::shared_ptr<trace::Span> span);
// Records a failed call's status on span (status ERROR with the message) and ends it at `end`.
void FailSpan(trace::Span& span, const Status& status, trace::Timestamp end);
void FailSpan(trace::UniqueSpan& span, const Status& status, trace::Timestamp end);
// Records the call's outcome on span (when not ok, as FailSpan) and ends it at `end`. Inline:
// a call that succeeded only ends its span.
inline void FinishSpan(trace::Span* span, const Status& status, trace::Timestamp end) {
  if (span == nullptr) return;
  if (status.ok()) [[likely]] {
    span->End(end);
  } else {
    FailSpan(*span, status, end);
  }
}
inline void FinishSpan(const std::shared_ptr<trace::Span>& span, const Status& status,
                       trace::Timestamp end) {
  FinishSpan(span.get(), status, end);
}
inline void FinishSpan(trace::UniqueSpan& span, const Status& status, trace::Timestamp end) {
  if (!span.IsRecording()) return;
  if (status.ok()) [[likely]] {
    span.End(end);
  } else {
    FailSpan(span, status, end);
  }
}

}  // namespace periscope::rpc::internal
