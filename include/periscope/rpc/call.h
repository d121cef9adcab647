#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "periscope/rpc/status.h"
#include "periscope/trace/common.h"
#include "periscope/trace/context.h"

namespace periscope::rpc {

// Request metadata: lowercase keys, string values; carries traceparent/tracestate/baggage.
using Metadata = std::map<std::string, std::string>;

// The shape of a method: one request and one reply, or a stream on either side or both.
enum class CallKind : uint8_t {
  kUnary = 0,
  kServerStream = 1,  // one request, a stream of replies
  kClientStream = 2,  // a stream of requests, one reply
  kBidiStream = 3,    // streams both ways
};

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
  CallKind kind = CallKind::kUnary;
};

// Per-call options of a client call. A plain value type.
struct CallOptions {
  // Relative and absolute deadlines; the earliest of these and the parent's deadline applies.
  std::optional<std::chrono::nanoseconds> timeout;
  std::optional<trace::Timestamp> deadline;
  // The call being served when this call is made from a handler: its deadline and trace context
  // are inherited (deadline propagation, server span as the parent of this CLIENT span). When
  // null and the call is made from inside a handler running on the server's executor, that
  // handler's call is the parent (see CurrentCall()).
  const CallContext* parent = nullptr;
  // Parent of the CLIENT span when set; else parent->trace_context; else Context::Current().
  std::optional<trace::Context> trace_parent;
  Metadata metadata;
  // Marks this call as safe to retry (methods declared with RPC_IDEMPOTENT are always).
  bool idempotent = false;
  // Consistent-hash load balancing: calls with the same key go to the same server.
  std::string hash_key;
};

// The call whose handler is running on this thread right now (set by the server around each
// step of a handler's coroutine), or null. Client calls use it as their default parent.
const CallContext* CurrentCall();

// What a client interceptor sees of a call; `metadata` may be changed by `before`.
struct ClientCallInfo {
  std::string_view service;
  std::string_view method;
  CallKind kind = CallKind::kUnary;
  Metadata& metadata;
};

// Before/after hooks around every client call (unary or stream) of a Channel. `before` may add
// metadata, or fail the call locally with a non-OK status (the request is then not sent);
// `after` sees the final status and how long the call took. Hooks run on the connection's
// strand and must not block.
struct ClientInterceptor {
  std::function<Status(ClientCallInfo& call)> before;
  std::function<void(const ClientCallInfo& call, const Status& status,
                     std::chrono::nanoseconds duration)>
      after;
};

// Before/after hooks around every call a Server serves. `before` may reject the call with a
// non-OK status (e.g. UNAUTHENTICATED when a token is missing): the handler does not run and the
// caller gets that status. `after` sees the final status and the call's duration. Hooks run on
// the connection's strand and must not block.
struct ServerMiddleware {
  std::function<Status(const CallContext& call)> before;
  std::function<void(const CallContext& call, const Status& status,
                     std::chrono::nanoseconds duration)>
      after;
};

}  // namespace periscope::rpc
