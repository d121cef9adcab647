#include "rpc/span_util.h"

#include "periscope/trace/propagation.h"

namespace periscope::rpc::internal {
namespace {
constexpr const char* kRpcSystem = "periscope";
}  // namespace

std::shared_ptr<trace::Span> StartClientSpan(const trace::Tracer& tracer,
                                             const trace::Context& parent,
                                             const std::string& service, const std::string& method,
                                             const std::string& address, uint16_t port) {
  trace::StartSpanOptions options;
  options.kind = trace::SpanKind::kClient;
  options.parent = parent;
  options.attributes.reserve(5);
  options.attributes.emplace_back("rpc.system", kRpcSystem);
  options.attributes.emplace_back("rpc.service", service);
  options.attributes.emplace_back("rpc.method", method);
  options.attributes.emplace_back("server.address", address);
  if (port != 0) options.attributes.emplace_back("server.port", int64_t{port});
  return tracer.StartSpan(service + "/" + method, std::move(options));
}

std::shared_ptr<trace::Span> StartServerSpan(const trace::Tracer& tracer,
                                             const trace::Context& remote,
                                             const CallContext& call) {
  trace::StartSpanOptions options;
  options.kind = trace::SpanKind::kServer;
  options.parent = remote;
  options.attributes.reserve(4);
  options.attributes.emplace_back("rpc.system", kRpcSystem);
  options.attributes.emplace_back("rpc.service", call.service);
  options.attributes.emplace_back("rpc.method", call.method);
  if (!call.peer.empty()) options.attributes.emplace_back("client.address", call.peer);
  return tracer.StartSpan(call.service + "/" + call.method, std::move(options));
}

void InjectContext(const trace::Context& context, Metadata& metadata) {
  if (!context.span_context().IsValid() && context.baggage().empty()) return;
  trace::MapCarrier carrier(metadata);
  trace::GetGlobalPropagator()->Inject(context, carrier);
}

trace::Context ExtractContext(const Metadata& metadata) {
  trace::MapCarrier carrier(metadata);
  return trace::ExtractToContext(carrier);
}

void FinishSpan(const std::shared_ptr<trace::Span>& span, const Status& status) {
  if (!span) return;
  span->SetAttribute("rpc.periscope.status_code", static_cast<int64_t>(status.code()));
  if (!status.ok()) span->SetStatus(trace::StatusCode::kError, status.ToString());
  span->End();
}

}  // namespace periscope::rpc::internal
