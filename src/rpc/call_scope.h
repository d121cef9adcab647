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
// prefers relationship.* and outstanding_work.tracked on every spawn and suspension, and none of
// that allocates. Each copy is one reference on the shared state. Over a strand of an io_context
// (MakeStrand) every such property is a bit of the copy (a tracked copy holds one unit of the
// io_context's work while it lives); other properties, or any property over another executor,
// go to the inner executor of a new shared state.
class CallScopedExecutor {
 public:
  using IoStrand = boost::asio::strand<boost::asio::io_context::executor_type>;

  CallScopedExecutor(boost::asio::any_io_executor inner, std::shared_ptr<const CallContext> call)
      : state_(std::allocate_shared<const State>(CachedAllocator<State>(), std::move(inner),
                                                 std::move(call), false)) {}
  // Over a strand of an io_context, without type-erasing it first.
  CallScopedExecutor(const IoStrand& strand, std::shared_ptr<const CallContext> call)
      : state_(
            std::allocate_shared<const State>(CachedAllocator<State>(), strand, std::move(call))) {}
  CallScopedExecutor(const CallScopedExecutor& o) noexcept
      : state_(o.state_), never_(o.never_), continuation_(o.continuation_), tracked_(o.tracked_) {
    if (tracked_) WorkStarted();
  }
  CallScopedExecutor(CallScopedExecutor&& o) noexcept
      : state_(std::move(o.state_)),
        never_(o.never_),
        continuation_(o.continuation_),
        tracked_(std::exchange(o.tracked_, false)) {}
  CallScopedExecutor& operator=(const CallScopedExecutor& o) noexcept {
    if (this != &o) *this = CallScopedExecutor(o);
    return *this;
  }
  CallScopedExecutor& operator=(CallScopedExecutor&& o) noexcept {
    if (this == &o) return *this;
    if (tracked_) WorkFinished();
    state_ = std::move(o.state_);
    never_ = o.never_;
    continuation_ = o.continuation_;
    tracked_ = std::exchange(o.tracked_, false);
    return *this;
  }
  ~CallScopedExecutor() {
    if (tracked_) WorkFinished();
  }

  // The call this executor runs functions for.
  const std::shared_ptr<const CallContext>& call() const noexcept { return state_->call; }

  template <class F>
  void execute(F f) const {
    const State& state = *state_;
    if (state.io_strand) {
      if (!never_ && state.io_strand->running_in_this_thread()) {
        // What the strand itself does with a function that may block: run it now. This
        // executor holds the call until f returns.
        CallScope scope(state.call.get());
        std::move(f)();
        return;
      }
      // Straight to the strand: through any_io_executor the wrapper would be type-erased (and
      // allocated) once more before the strand queues it.
      ExecuteOn(*state.io_strand, Scoped(std::move(f)));
      return;
    }
    if (!never_ && !continuation_) {
      state.inner.execute(Scoped(std::move(f)));
      return;
    }
    boost::asio::any_io_executor ex = state.inner;
    if (never_) ex = boost::asio::require(ex, boost::asio::execution::blocking.never);
    if (continuation_) {
      ex = boost::asio::prefer(ex, boost::asio::execution::relationship.continuation);
    }
    ex.execute(Scoped(std::move(f)));
  }

  // blocking and relationship are bits applied at execute; outstanding work is a bit too over an
  // io_context's strand, else it goes (like any other property) to the inner executor of a new
  // shared state.
  CallScopedExecutor require(const boost::asio::execution::blocking_t::never_t&) const {
    return WithBits(true, continuation_, tracked_);
  }
  CallScopedExecutor prefer(const boost::asio::execution::blocking_t::possibly_t&) const {
    return WithBits(false, continuation_, tracked_);
  }
  CallScopedExecutor prefer(const boost::asio::execution::relationship_t::fork_t&) const {
    return WithBits(never_, false, tracked_);
  }
  CallScopedExecutor prefer(const boost::asio::execution::relationship_t::continuation_t&) const {
    return WithBits(never_, true, tracked_);
  }
  CallScopedExecutor prefer(const boost::asio::execution::outstanding_work_t::tracked_t& p) const {
    if (state_->io_strand) return WithBits(never_, continuation_, true);
    if (state_->tracked) return *this;
    return WithInner(boost::asio::prefer(state_->inner, p), true);
  }
  CallScopedExecutor prefer(
      const boost::asio::execution::outstanding_work_t::untracked_t& p) const {
    if (state_->io_strand) return WithBits(never_, continuation_, false);
    if (!state_->tracked) return *this;
    return WithInner(boost::asio::prefer(state_->inner, p), false);
  }
  // any_io_executor asks for blocking.possibly, relationship.* and outstanding_work.* wrapped in
  // prefer_only: they take the overloads above.
  template <class P>
  requires requires(const CallScopedExecutor& e, const P& p) { e.prefer(p); }
  CallScopedExecutor prefer(const boost::asio::execution::prefer_only<P>& p) const {
    return prefer(p.property);
  }
  template <class P>
  requires boost::asio::can_require<const boost::asio::any_io_executor&, const P&>::value
      CallScopedExecutor
      require(const P& p)
  const { return WithInner(boost::asio::require(Inner(), p), tracked_ || state_->tracked); }
  template <class P>
  requires boost::asio::can_prefer<const boost::asio::any_io_executor&, const P&>::value
      CallScopedExecutor
      prefer(const P& p)
  const { return WithInner(boost::asio::prefer(Inner(), p), tracked_ || state_->tracked); }

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
    if (tracked_ || state_->tracked) return boost::asio::execution::outstanding_work.tracked;
    return boost::asio::execution::outstanding_work.untracked;
  }
  template <class P>
  requires boost::asio::can_query<const boost::asio::any_io_executor&, const P&>::value
      typename boost::asio::query_result<const boost::asio::any_io_executor&, const P&>::type
      query(const P& p) const {
    if constexpr (boost::asio::can_query<const IoStrand&, const P&>::value) {
      if (state_->io_strand) return boost::asio::query(*state_->io_strand, p);
    }
    return boost::asio::query(Inner(), p);
  }

  bool operator==(const CallScopedExecutor& o) const noexcept {
    return never_ == o.never_ && continuation_ == o.continuation_ && tracked_ == o.tracked_ &&
           (state_ == o.state_ ||
            (state_->io_strand == o.state_->io_strand && state_->inner == o.state_->inner &&
             state_->call == o.state_->call));
  }
  bool operator!=(const CallScopedExecutor& o) const noexcept { return !(*this == o); }

 private:
  // Over a strand of an io_context the state keeps that strand only (no type-erased copy of it).
  struct State {
    State(boost::asio::any_io_executor ex, std::shared_ptr<const CallContext> c, bool t)
        : call(std::move(c)), tracked(t) {
      if (IoStrand* strand = ex.target<IoStrand>()) {
        io_strand.emplace(std::move(*strand));
      } else {
        inner = std::move(ex);
      }
    }
    State(const IoStrand& strand, std::shared_ptr<const CallContext> c)
        : io_strand(strand), call(std::move(c)), tracked(false) {}
    std::optional<IoStrand> io_strand;   // the fast path
    boost::asio::any_io_executor inner;  // any other executor
    std::shared_ptr<const CallContext> call;
    bool tracked;  // whether inner tracks outstanding work
  };

  // f wrapped to run inside the call's scope; holds the call until it has run or is dropped.
  template <class F>
  auto Scoped(F f) const {
    return [call = state_->call, f = std::move(f)]() mutable {
      CallScope scope(call.get());
      std::move(f)();
    };
  }

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

  // The executor this one wraps, with its outstanding work (for the properties that are no bits).
  boost::asio::any_io_executor Inner() const {
    if (!state_->io_strand) return state_->inner;
    boost::asio::any_io_executor inner(*state_->io_strand);
    if (tracked_)
      inner = boost::asio::prefer(inner, boost::asio::execution::outstanding_work.tracked);
    return inner;
  }

  // The io_context's work held by a tracked copy (tracked_ is only set over an io strand).
  void WorkStarted() const noexcept { state_->io_strand->get_inner_executor().on_work_started(); }
  void WorkFinished() const noexcept { state_->io_strand->get_inner_executor().on_work_finished(); }

  CallScopedExecutor(std::shared_ptr<const State> state, bool never, bool continuation,
                     bool tracked)
      : state_(std::move(state)), never_(never), continuation_(continuation), tracked_(tracked) {
    if (tracked_) WorkStarted();
  }
  CallScopedExecutor WithBits(bool never, bool continuation, bool tracked) const {
    return CallScopedExecutor(state_, never, continuation, tracked);
  }
  CallScopedExecutor WithInner(boost::asio::any_io_executor inner, bool tracked) const {
    return CallScopedExecutor(
        std::allocate_shared<const State>(CachedAllocator<State>(), std::move(inner), state_->call,
                                          tracked),
        never_, continuation_, false);
  }

  std::shared_ptr<const State> state_;
  bool never_ = false;
  bool continuation_ = false;
  bool tracked_ = false;  // holds a unit of the io_context's work (io strand states only)
};

static_assert(sizeof(CallScopedExecutor) <= 3 * sizeof(void*),
              "must fit any_io_executor's small-object buffer");

}  // namespace periscope::rpc::internal
