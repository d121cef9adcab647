#include "rpc/call_scope.h"

namespace periscope::rpc {
namespace {
thread_local const CallContext* current_call = nullptr;
}  // namespace

const CallContext* CurrentCall() { return current_call; }

namespace internal {

CallScope::CallScope(const CallContext* call)
    : previous_(current_call), trace_scope_(call ? &call->trace_context : nullptr) {
  current_call = call;
}

CallScope::~CallScope() { current_call = previous_; }

}  // namespace internal
}  // namespace periscope::rpc
