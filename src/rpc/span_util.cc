#include "rpc/span_util.h"

#include <algorithm>
#include <array>

#include "periscope/trace/propagation.h"

namespace periscope::rpc::internal {
namespace {

constexpr const char* kRpcSystem = "periscope";

// "service/method", built in a per-thread buffer (the span copies it): valid until the next
// call on this thread.
std::string_view SpanName(const std::string& service, const std::string& method) {
  thread_local std::string name;
  name.assign(service).append(1, '/').append(method);
  return name;
}

// Metadata value of key, or null (keys are lowercase).
const std::string* Find(const Metadata& metadata, const char* key) {
  auto it = metadata.find(key);
  return it == metadata.end() ? nullptr : &it->second;
}

// Bytes [at, at + 8) of an id as a little-endian integer, and back.
template <size_t N>
uint64_t Load(const trace::ByteId<N>& id, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v |= uint64_t{id.bytes()[at + i]} << (8 * i);
  return v;
}
void Store(uint64_t v, std::array<uint8_t, 16>& bytes, size_t at) {
  for (size_t i = 0; i < 8; ++i) bytes[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

}  // namespace

void SetTraceFields(const trace::SpanContext& context, RequestFrame& frame) {
  frame.trace_id_low = Load(context.trace_id, 0);
  frame.trace_id_high = Load(context.trace_id, 8);
  frame.parent_span_id = Load(context.span_id, 0);
  frame.trace_flags = context.flags.value;
}

bool HasTraceFields(const RequestFrame& frame) {
  return frame.parent_span_id != 0 || frame.trace_id_low != 0 || frame.trace_id_high != 0;
}

trace::SpanContext TraceFieldsContext(const RequestFrame& frame) {
  std::array<uint8_t, 16> bytes{};
  Store(frame.trace_id_low, bytes, 0);
  Store(frame.trace_id_high, bytes, 8);
  trace::SpanContext context;
  context.trace_id = trace::TraceId(bytes);
  Store(frame.parent_span_id, bytes, 0);
  std::array<uint8_t, 8> span{};
  std::copy_n(bytes.begin(), 8, span.begin());
  context.span_id = trace::SpanId(span);
  context.flags.value = frame.trace_flags;
  context.is_remote = true;
  return context;
}

std::shared_ptr<trace::Span> StartClientSpan(const trace::Tracer& tracer,
                                             const trace::Context& parent,
                                             const std::string& service, const std::string& method,
                                             const std::string& address, uint16_t port) {
  trace::StartSpanOptions options;
  options.kind = trace::SpanKind::kClient;
  options.parent = parent;
  // Room for the status code set when the call ends.
  options.attributes.reserve(6);
  options.attributes.emplace_back("rpc.system", kRpcSystem);
  options.attributes.emplace_back("rpc.service", service);
  options.attributes.emplace_back("rpc.method", method);
  options.attributes.emplace_back("server.address", address);
  if (port != 0) options.attributes.emplace_back("server.port", int64_t{port});
  return tracer.StartSpan(SpanName(service, method), std::move(options));
}

std::shared_ptr<trace::Span> StartServerSpan(const trace::Tracer& tracer,
                                             const RemoteParent& remote, const CallContext& call) {
  trace::StartSpanOptions options;
  options.kind = trace::SpanKind::kServer;
  if (remote.span_context.IsValid()) {
    options.remote_parent = remote.span_context;
  } else {
    options.parent = trace::Context();  // a root: never the thread's current context
  }
  options.attributes.reserve(5);
  options.attributes.emplace_back("rpc.system", kRpcSystem);
  options.attributes.emplace_back("rpc.service", call.service);
  options.attributes.emplace_back("rpc.method", call.method);
  if (!call.peer.empty()) options.attributes.emplace_back("client.address", call.peer);
  return tracer.StartSpan(SpanName(call.service, call.method), std::move(options));
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

void InjectContext(const trace::Context& context, RequestFrame& frame) {
  if (!trace::internal::GlobalPropagatorIsDefault()) {
    InjectContext(context, frame.metadata);
    return;
  }
  const trace::Span* span = context.span().get();
  if (span != nullptr && span->context().IsValid()) {
    const trace::SpanContext& sc = span->context();
    SetTraceFields(sc, frame);
    if (!sc.trace_state.empty()) {
      frame.metadata.insert_or_assign("tracestate", sc.trace_state.ToHeader());
    }
  }
  if (!context.baggage().empty()) {
    std::string header = context.baggage().ToHeader();
    if (!header.empty()) frame.metadata.insert_or_assign("baggage", std::move(header));
  }
}

RemoteParent ExtractRemoteParent(const RequestFrame& frame, const Metadata& metadata) {
  if (!HasTraceFields(frame)) return ExtractRemoteParent(metadata);
  RemoteParent remote;
  trace::SpanContext sc = TraceFieldsContext(frame);
  if (sc.IsValid()) {
    if (!metadata.empty()) {
      if (const std::string* ts = Find(metadata, "tracestate")) {
        if (std::optional<trace::TraceState> state = trace::TraceState::Parse(*ts)) {
          sc.trace_state = std::move(*state);
        }
      }
    }
    remote.span_context = std::move(sc);
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

trace::Context RemoteContext(const RemoteParent& remote) {
  trace::Context context = trace::Context().WithBaggage(remote.baggage);
  if (!remote.span_context.IsValid()) return context;
  return context.WithRemoteSpanContext(remote.span_context);
}

trace::Context ServerContext(const RemoteParent& remote, std::shared_ptr<trace::Span> span) {
  return trace::Context().WithBaggage(remote.baggage).WithSpan(std::move(span));
}

void FinishSpan(const std::shared_ptr<trace::Span>& span, const Status& status) {
  if (!span) return;
  span->SetAttribute("rpc.periscope.status_code", static_cast<int64_t>(status.code()));
  if (!status.ok()) span->SetStatus(trace::StatusCode::kError, status.ToString());
  span->End();
}

}  // namespace periscope::rpc::internal
