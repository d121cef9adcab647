#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "periscope/rpc/call.h"
#include "periscope/rpc/status.h"
#include "periscope/trace/span.h"
#include "periscope/trace/tracer.h"

// Span helpers of the RPC framework. Kept out of coroutine bodies on purpose: GCC 12 mishandles
// some temporaries (initializer lists) inside coroutines.
namespace periscope::rpc::internal {

// A CLIENT span named "service/method" with the RPC semantic-convention attributes.
std::shared_ptr<trace::Span> StartClientSpan(const trace::Tracer& tracer,
                                             const trace::Context& parent,
                                             const std::string& service, const std::string& method,
                                             const std::string& address, uint16_t port);
// A SERVER span, child of the remote parent.
std::shared_ptr<trace::Span> StartServerSpan(const trace::Tracer& tracer,
                                             const trace::Context& remote, const CallContext& call);
// Injects the context into metadata (traceparent, tracestate, baggage) when it has any.
void InjectContext(const trace::Context& context, Metadata& metadata);
// The remote context found in the metadata.
trace::Context ExtractContext(const Metadata& metadata);
// Records the call's outcome on span (status ERROR with the message when not ok) and ends it.
void FinishSpan(const std::shared_ptr<trace::Span>& span, const Status& status);

}  // namespace periscope::rpc::internal
