#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "periscope/trace/common.h"
#include "periscope/trace/context.h"

namespace periscope::rpc {

// Request metadata: lowercase keys, string values; carries traceparent/tracestate/baggage.
using Metadata = std::map<std::string, std::string>;

// What a server handler knows about the call it serves. Created by the server per call and
// valid until the handler's awaitable completes; not synchronised (read-only for handlers).
struct CallContext {
  std::string service;
  std::string method;
  // Absolute deadline set by the caller, if any; the server cancels the handler when it passes.
  std::optional<trace::Timestamp> deadline;
  Metadata metadata;
  // The extracted remote context with the SERVER span active: the parent for downstream calls.
  trace::Context trace_context;
  std::string peer;
};

// Per-call options of a client call. A plain value type.
struct CallOptions {
  // Relative and absolute deadlines; the earliest of these and parent->deadline applies.
  std::optional<std::chrono::nanoseconds> timeout;
  std::optional<trace::Timestamp> deadline;
  // The call being served when this call is made from a handler: its deadline and trace context
  // are inherited (deadline propagation, server span as the parent of this CLIENT span).
  const CallContext* parent = nullptr;
  // Parent of the CLIENT span when set; else parent->trace_context; else Context::Current().
  std::optional<trace::Context> trace_parent;
  Metadata metadata;
};

}  // namespace periscope::rpc
