#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/execution.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/require.hpp>
#include <memory>
#include <utility>

#include "periscope/rpc/call.h"
#include "periscope/trace/context.h"

namespace periscope::rpc::internal {

// Makes `call` the CurrentCall() and its trace context the SDK's current context on this thread
// for the scope's lifetime. Not copyable.
class CallScope {
 public:
  explicit CallScope(const CallContext* call);
  ~CallScope();
  CallScope(const CallScope&) = delete;
  CallScope& operator=(const CallScope&) = delete;

 private:
  const CallContext* previous_;
  trace::ScopedContext trace_scope_;
};

// An executor adapter that runs every function submitted to it inside a CallScope of one call:
// a handler's coroutine spawned on it sees its call as CurrentCall() at every step, so the
// downstream calls it makes inherit the deadline and trace context. Thread-safe like the wrapped
// executor.
class CallScopedExecutor {
 public:
  CallScopedExecutor(boost::asio::any_io_executor inner, std::shared_ptr<const CallContext> call)
      : inner_(std::move(inner)), call_(std::move(call)) {}

  template <class F>
  void execute(F f) const {
    inner_.execute([call = call_, f = std::move(f)]() mutable {
      CallScope scope(call.get());
      std::move(f)();
    });
  }

  template <class P>
  requires boost::asio::can_require<const boost::asio::any_io_executor&, const P&>::value
      CallScopedExecutor
      require(const P& p)
  const { return CallScopedExecutor(boost::asio::require(inner_, p), call_); }
  template <class P>
  requires boost::asio::can_prefer<const boost::asio::any_io_executor&, const P&>::value
      CallScopedExecutor
      prefer(const P& p)
  const { return CallScopedExecutor(boost::asio::prefer(inner_, p), call_); }
  template <class P>
  requires boost::asio::can_query<const boost::asio::any_io_executor&,
                                  const P&>::value decltype(auto)
  query(const P& p) const {
    return boost::asio::query(inner_, p);
  }

  bool operator==(const CallScopedExecutor& o) const noexcept {
    return inner_ == o.inner_ && call_ == o.call_;
  }
  bool operator!=(const CallScopedExecutor& o) const noexcept { return !(*this == o); }

 private:
  boost::asio::any_io_executor inner_;
  std::shared_ptr<const CallContext> call_;
};

}  // namespace periscope::rpc::internal
