#include "rpc/span_util.h"

#include <algorithm>
#include <array>
#include <boost/endian/conversion.hpp>
#include <cstring>

#include "periscope/trace/propagation.h"
#include "rpc/span_template_cache.h"

namespace periscope::rpc::internal {
namespace {

// Metadata value of key, or null (keys are lowercase).
const std::string* Find(const Metadata& metadata, const char* key) {
  auto it = metadata.find(key);
  return it == metadata.end() ? nullptr : &it->second;
}

// Bytes [at, at + 8) of an id as a little-endian integer, and back.
template <size_t N>
uint64_t Load(const trace::ByteId<N>& id, size_t at) {
  uint64_t v;
  std::memcpy(&v, id.bytes().data() + at, 8);
  return boost::endian::little_to_native(v);
}
template <size_t N>
void Store(uint64_t v, std::array<uint8_t, N>& bytes, size_t at) {
  v = boost::endian::native_to_little(v);
  std::memcpy(bytes.data() + at, &v, 8);
}

// The ids and flags of the frame's trace fields, written into `context` (marked remote).
void SetFromTraceFields(const RequestFrame& frame, trace::SpanContext& context) {
  std::array<uint8_t, 16> trace_id;
  Store(frame.trace_id_low.value, trace_id, 0);
  Store(frame.trace_id_high.value, trace_id, 8);
  std::array<uint8_t, 8> span_id;
  Store(frame.parent_span_id.value, span_id, 0);
  context.trace_id = trace::TraceId(trace_id);
  context.span_id = trace::SpanId(span_id);
  context.flags.value = frame.trace_flags;
  context.is_remote = true;
}

constinit const trace::SpanContext kNoParent;

}  // namespace

void SetTraceFields(const trace::SpanContext& context, RequestFrame& frame) {
  frame.trace_id_low.value = Load(context.trace_id, 0);
  frame.trace_id_high.value = Load(context.trace_id, 8);
  frame.parent_span_id.value = Load(context.span_id, 0);
  frame.trace_flags = context.flags.value;
}

bool HasTraceFields(const RequestFrame& frame) {
  return frame.parent_span_id.value != 0 || frame.trace_id_low.value != 0 ||
         frame.trace_id_high.value != 0;
}

trace::SpanContext TraceFieldsContext(const RequestFrame& frame) {
  trace::SpanContext context;
  SetFromTraceFields(frame, context);
  return context;
}

// The parent goes in as a SpanContext reference (no Context copied), the template's options by
// reference (no reference count on its attribute set).
namespace {

// Starts, in `span`, a span of `span_template` whose parent is `parent`'s span (a root without).
void StartFromTemplate(const trace::Tracer& tracer, const SpanTemplate& span_template,
                       const trace::Context& parent, trace::Timestamp start,
                       trace::UniqueSpan& span) {
  const trace::Span* parent_span = parent.span().get();
  tracer.StartUniqueSpan(span_template.shape, parent_span ? parent_span->context() : kNoParent,
                         start, span);
}

}  // namespace

void StartClientSpan(const trace::Tracer& tracer, const trace::Context& parent,
                     const std::string& service, const std::string& method,
                     const std::string& address, uint16_t port, trace::Timestamp start,
                     trace::UniqueSpan& span) {
  StartFromTemplate(
      tracer, SpanTemplateCache::ForThisThread().Client(tracer, service, method, address, port),
      parent, start, span);
}

void StartClientSpan(const trace::Tracer& tracer, const trace::Context& parent, uint64_t connection,
                     const MethodNames& names, const std::string& address, uint16_t port,
                     trace::Timestamp start, trace::UniqueSpan& span) {
  StartFromTemplate(
      tracer, SpanTemplateCache::ForThisThread().Client(tracer, connection, names, address, port),
      parent, start, span);
}

std::shared_ptr<trace::Span> StartServerSpan(const trace::Tracer& tracer,
                                             const RemoteParent& remote, const CallContext& call,
                                             trace::Timestamp start) {
  return StartServerSpan(
      tracer, remote,
      SpanTemplateCache::ForThisThread().Server(tracer, call.service, call.method, call.peer),
      start);
}

// The extracted parent is marked remote by the extraction; an invalid one makes a root, never a
// child of the thread's current context.
std::shared_ptr<trace::Span> StartServerSpan(const trace::Tracer& tracer,
                                             const RemoteParent& remote, const SpanTemplate& span,
                                             trace::Timestamp start) {
  return tracer.StartSpan(span.shape, remote.span_context, start);
}

void InjectContext(const trace::Context& context, Metadata& metadata) {
  const trace::Span* span = context.span().get();
  const bool has_span = span != nullptr && span->context().IsValid();
  if (!has_span && context.baggage().empty()) return;
  if (!trace::internal::GlobalPropagatorIsDefault()) {
    trace::MapCarrier carrier(metadata);
    trace::GetGlobalPropagator()->Inject(context, carrier);
    return;
  }
  // The default propagator's fields, written directly.
  if (has_span) {
    const trace::SpanContext& sc = span->context();
    metadata.insert_or_assign("traceparent", trace::FormatTraceparent(sc));
    if (!sc.trace_state.empty()) metadata.insert_or_assign("tracestate", sc.trace_state.ToHeader());
  }
  if (!context.baggage().empty()) {
    std::string header = context.baggage().ToHeader();
    if (!header.empty()) metadata.insert_or_assign("baggage", std::move(header));
  }
}

void InjectCallContextGenerally(const trace::Context& parent, const trace::SpanContext* client_span,
                                RequestFrame& frame) {
  if (!trace::internal::GlobalPropagatorIsDefault()) {
    InjectContext(client_span ? parent.WithSpan(trace::Span::NonRecording(*client_span)) : parent,
                  frame.metadata);
    return;
  }
  const trace::Span* parent_span = parent.span().get();
  const trace::SpanContext* span = client_span   ? client_span
                                   : parent_span ? &parent_span->context()
                                                 : nullptr;
  if (span != nullptr && span->IsValid()) {
    const trace::SpanContext& sc = *span;
    SetTraceFields(sc, frame);
    if (!sc.trace_state.empty()) {
      frame.metadata.insert_or_assign("tracestate", sc.trace_state.ToHeader());
    }
  }
  if (!parent.baggage().empty()) {
    std::string header = parent.baggage().ToHeader();
    if (!header.empty()) frame.metadata.insert_or_assign("baggage", std::move(header));
  }
}

void InjectContext(const trace::Context& context, RequestFrame& frame) {
  InjectCallContext(context, nullptr, frame);
}

trace::SpanContext FrameParent(const RequestFrame& frame) {
  trace::SpanContext context;
  if (HasTraceFields(frame)) {
    SetFromTraceFields(frame, context);
    if (!context.IsValid()) context = trace::SpanContext();
  }
  return context;
}

RemoteParent ExtractRemoteParent(const RequestFrame& frame, const Metadata& metadata) {
  if (!HasTraceFields(frame)) return ExtractRemoteParent(metadata);
  // Built in place (the result is returned without a copy).
  RemoteParent remote;
  trace::SpanContext& sc = remote.span_context;
  sc = FrameParent(frame);
  if (sc.IsValid() && !metadata.empty()) {
    if (const std::string* ts = Find(metadata, "tracestate")) {
      if (std::optional<trace::TraceState> state = trace::TraceState::Parse(*ts)) {
        sc.trace_state = std::move(*state);
      }
    }
  }
  if (!metadata.empty()) {
    if (const std::string* header = Find(metadata, "baggage")) {
      remote.baggage = trace::Baggage::Parse(*header);
    }
  }
  return remote;
}

RemoteParent ExtractRemoteParent(const Metadata& metadata) {
  RemoteParent remote;
  if (!trace::internal::GlobalPropagatorIsDefault()) {
    trace::MapCarrier carrier(metadata);
    trace::Context context = trace::ExtractToContext(carrier);
    remote.span_context = context.span_context();
    remote.baggage = context.baggage();
    return remote;
  }
  if (metadata.empty()) return remote;  // the usual untraced call: no key to look up
  if (const std::string* header = Find(metadata, "traceparent")) {
    if (std::optional<trace::SpanContext> sc = trace::ParseTraceparent(*header)) {
      if (const std::string* ts = Find(metadata, "tracestate")) {
        if (std::optional<trace::TraceState> state = trace::TraceState::Parse(*ts)) {
          sc->trace_state = std::move(*state);
        }
      }
      remote.span_context = std::move(*sc);
    }
  }
  if (const std::string* header = Find(metadata, "baggage")) {
    remote.baggage = trace::Baggage::Parse(*header);
  }
  return remote;
}

trace::Context RemoteContext(RemoteParent&& remote) {
  trace::Context context;
  if (!remote.baggage.empty()) context = std::move(context).WithBaggage(std::move(remote.baggage));
  if (!remote.span_context.IsValid()) return context;
  remote.span_context.is_remote = true;  // what WithRemoteSpanContext does, without a copy
  return std::move(context).WithSpan(trace::Span::NonRecording(remote.span_context));
}

trace::Context ServerContext(RemoteParent&& remote, std::shared_ptr<trace::Span> span) {
  return trace::Context(std::move(span), std::move(remote.baggage));
}

namespace {

// Status ERROR with the message and the status code attribute (the shared attributes say OK (0)),
// then the end.
template <class SpanType>
void RecordFailureAndEnd(SpanType& span, const Status& status, trace::Timestamp end) {
  span.SetAttribute(kRpcStatusCodeKey, static_cast<int64_t>(status.code()));
  span.SetStatus(trace::StatusCode::kError, status.ToString());
  span.End(end);
}

}  // namespace

void FailSpan(trace::Span& span, const Status& status, trace::Timestamp end) {
  RecordFailureAndEnd(span, status, end);
}

void FailSpan(trace::UniqueSpan& span, const Status& status, trace::Timestamp end) {
  RecordFailureAndEnd(span, status, end);
}

}  // namespace periscope::rpc::internal
