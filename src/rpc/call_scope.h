#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/execution.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/require.hpp>
#include <boost/asio/strand.hpp>
#include <memory>
#include <optional>
#include <utility>

#include "periscope/rpc/call.h"
#include "periscope/trace/context.h"
#include "rpc/block_cache.h"

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
  trace::BorrowedScopedContext trace_scope_;
};

// An executor adapter that runs every function submitted to it inside a CallScope of one call:
// a handler's coroutine spawned on it sees its call as CurrentCall() at every step, so the
// downstream calls it makes inherit the deadline and trace context. Thread-safe like the wrapped
// executor.
//
// It is 24 bytes (a shared state plus property bits) so that any_io_executor holds it in its
// small-object buffer: asio's coroutine machinery converts, copies, requires blocking.never and
// prefers relationship.* on every suspension, and none of that allocates. Outstanding work is a
// property of the shared state (a tracked state holds a tracked inner executor): switching it
// builds a new state, asking for what the state already has does not.
class CallScopedExecutor {
 public:
  CallScopedExecutor(boost::asio::any_io_executor inner, std::shared_ptr<const CallContext> call)
      : state_(std::allocate_shared<const State>(CachedAllocator<State>(), std::move(inner),
                                                 std::move(call), false)) {}

  template <class F>
  void execute(F f) const {
    auto run = [call = state_->call, f = std::move(f)]() mutable {
      CallScope scope(call.get());
      std::move(f)();
    };
    if (state_->io_strand) {
      // Straight to the strand: through any_io_executor the wrapper would be type-erased (and
      // allocated) once more before the strand queues it.
      ExecuteOn(*state_->io_strand, std::move(run));
      return;
    }
    if (!never_ && !continuation_) {
      state_->inner.execute(std::move(run));
      return;
    }
    boost::asio::any_io_executor ex = state_->inner;
    if (never_) ex = boost::asio::require(ex, boost::asio::execution::blocking.never);
    if (continuation_) {
      ex = boost::asio::prefer(ex, boost::asio::execution::relationship.continuation);
    }
    ex.execute(std::move(run));
  }

  // blocking and relationship are bits applied at execute; outstanding work and any other
  // property go to the inner executor of a new shared state.
  CallScopedExecutor require(const boost::asio::execution::blocking_t::never_t&) const {
    return WithBits(true, continuation_);
  }
  CallScopedExecutor prefer(const boost::asio::execution::blocking_t::possibly_t&) const {
    return WithBits(false, continuation_);
  }
  CallScopedExecutor prefer(const boost::asio::execution::relationship_t::fork_t&) const {
    return WithBits(never_, false);
  }
  CallScopedExecutor prefer(const boost::asio::execution::relationship_t::continuation_t&) const {
    return WithBits(never_, true);
  }
  CallScopedExecutor prefer(const boost::asio::execution::outstanding_work_t::tracked_t& p) const {
    if (state_->tracked) return *this;
    return WithInner(boost::asio::prefer(state_->inner, p), true);
  }
  CallScopedExecutor prefer(
      const boost::asio::execution::outstanding_work_t::untracked_t& p) const {
    if (!state_->tracked) return *this;
    return WithInner(boost::asio::prefer(state_->inner, p), false);
  }
  template <class P>
  requires boost::asio::can_require<const boost::asio::any_io_executor&, const P&>::value
      CallScopedExecutor
      require(const P& p)
  const { return WithInner(boost::asio::require(state_->inner, p), state_->tracked); }
  template <class P>
  requires boost::asio::can_prefer<const boost::asio::any_io_executor&, const P&>::value
      CallScopedExecutor
      prefer(const P& p)
  const { return WithInner(boost::asio::prefer(state_->inner, p), state_->tracked); }

  boost::asio::execution::blocking_t query(const boost::asio::execution::blocking_t&) const {
    if (never_) return boost::asio::execution::blocking.never;
    return boost::asio::execution::blocking.possibly;
  }
  boost::asio::execution::relationship_t query(
      const boost::asio::execution::relationship_t&) const {
    if (continuation_) return boost::asio::execution::relationship.continuation;
    return boost::asio::execution::relationship.fork;
  }
  boost::asio::execution::outstanding_work_t query(
      const boost::asio::execution::outstanding_work_t&) const {
    if (state_->tracked) return boost::asio::execution::outstanding_work.tracked;
    return boost::asio::execution::outstanding_work.untracked;
  }
  template <class P>
  requires boost::asio::can_query<const boost::asio::any_io_executor&,
                                  const P&>::value decltype(auto)
  query(const P& p) const {
    return boost::asio::query(state_->inner, p);
  }

  bool operator==(const CallScopedExecutor& o) const noexcept {
    return never_ == o.never_ && continuation_ == o.continuation_ &&
           (state_ == o.state_ ||
            (state_->inner == o.state_->inner && state_->call == o.state_->call));
  }
  bool operator!=(const CallScopedExecutor& o) const noexcept { return !(*this == o); }

 private:
  using IoStrand = boost::asio::strand<boost::asio::io_context::executor_type>;

  struct State {
    State(boost::asio::any_io_executor ex, std::shared_ptr<const CallContext> c, bool t)
        : inner(std::move(ex)), call(std::move(c)), tracked(t) {
      if (const IoStrand* strand = inner.target<IoStrand>()) io_strand = *strand;
    }
    boost::asio::any_io_executor inner;
    std::shared_ptr<const CallContext> call;
    bool tracked;  // whether inner tracks outstanding work
    // inner's target when it is a strand over an io_context (MakeStrand): the fast path.
    std::optional<IoStrand> io_strand;
  };

  // Runs f on the strand with this executor's blocking and relationship bits.
  template <class F>
  void ExecuteOn(const IoStrand& strand, F&& f) const {
    namespace ex = boost::asio::execution;
    if (never_ && continuation_) {
      boost::asio::prefer(boost::asio::require(strand, ex::blocking.never),
                          ex::relationship.continuation)
          .execute(std::forward<F>(f));
    } else if (never_) {
      boost::asio::require(strand, ex::blocking.never).execute(std::forward<F>(f));
    } else if (continuation_) {
      boost::asio::prefer(strand, ex::relationship.continuation).execute(std::forward<F>(f));
    } else {
      strand.execute(std::forward<F>(f));
    }
  }

  CallScopedExecutor(std::shared_ptr<const State> state, bool never, bool continuation)
      : state_(std::move(state)), never_(never), continuation_(continuation) {}
  CallScopedExecutor WithBits(bool never, bool continuation) const {
    return CallScopedExecutor(state_, never, continuation);
  }
  CallScopedExecutor WithInner(boost::asio::any_io_executor inner, bool tracked) const {
    return CallScopedExecutor(
        std::allocate_shared<const State>(CachedAllocator<State>(), std::move(inner), state_->call,
                                          tracked),
        never_, continuation_);
  }

  std::shared_ptr<const State> state_;
  bool never_ = false;
  bool continuation_ = false;
};

static_assert(sizeof(CallScopedExecutor) <= 3 * sizeof(void*),
              "must fit any_io_executor's small-object buffer");

}  // namespace periscope::rpc::internal
