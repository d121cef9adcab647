#include "rpc/span_util.h"

#include "periscope/trace/propagation.h"

namespace periscope::rpc::internal {
namespace {

constexpr const char* kRpcSystem = "periscope";

std::string SpanName(const std::string& service, const std::string& method) {
  std::string name;
  name.reserve(service.size() + 1 + method.size());
  name.append(service).push_back('/');
  name.append(method);
  return name;
}

// Metadata value of key, or null (keys are lowercase).
const std::string* Find(const Metadata& metadata, const char* key) {
  auto it = metadata.find(key);
  return it == metadata.end() ? nullptr : &it->second;
}

}  // namespace

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
