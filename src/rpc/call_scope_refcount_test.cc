#include <gtest/gtest.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/execution.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/require.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rpc/call_scope.h"
#include "rpc/strand.h"

namespace periscope::rpc {
namespace {

namespace asio = boost::asio;
namespace execution = asio::execution;
using internal::CallScopedExecutor;
using internal::MakeStrand;

// The CallScopedExecutor inside `e` (queries through any_io_executor cover only some properties).
const CallScopedExecutor& Target(const asio::any_io_executor& e) {
  const CallScopedExecutor* target = e.target<CallScopedExecutor>();
  EXPECT_NE(target, nullptr);
  return *target;
}

// Every property asio asks for on a spawn or a suspension arrives through any_io_executor
// (blocking.possibly, relationship.* and outstanding_work.* wrapped in prefer_only): over a
// strand none of them builds a new shared state, which would take a reference on the call.
TEST(CallScopedExecutorRefcountTest, AsioPropertiesShareOneStateOverAnIoStrand) {
  asio::io_context io;
  auto call = std::make_shared<CallContext>();
  CallScopedExecutor ex(MakeStrand(io.get_executor()), call);
  ASSERT_EQ(call.use_count(), 2);
  asio::any_io_executor erased = ex;
  asio::any_io_executor never = asio::require(erased, execution::blocking.never);
  asio::any_io_executor fork = asio::prefer(never, execution::relationship.fork);
  asio::any_io_executor continuation = asio::prefer(never, execution::relationship.continuation);
  asio::any_io_executor possibly = asio::prefer(never, execution::blocking.possibly);
  asio::any_io_executor tracked = asio::prefer(erased, execution::outstanding_work.tracked);
  asio::any_io_executor untracked = asio::prefer(tracked, execution::outstanding_work.untracked);
  EXPECT_EQ(call.use_count(), 2);

  EXPECT_EQ(asio::query(Target(never), execution::blocking), execution::blocking.never);
  EXPECT_EQ(asio::query(Target(possibly), execution::blocking), execution::blocking.possibly);
  EXPECT_EQ(asio::query(Target(fork), execution::relationship), execution::relationship.fork);
  EXPECT_EQ(asio::query(Target(continuation), execution::relationship),
            execution::relationship.continuation);
  EXPECT_EQ(asio::query(Target(continuation), execution::blocking), execution::blocking.never);
  EXPECT_EQ(asio::query(Target(tracked), execution::outstanding_work),
            execution::outstanding_work.tracked);
  EXPECT_EQ(asio::query(Target(untracked), execution::outstanding_work),
            execution::outstanding_work.untracked);
  EXPECT_TRUE(untracked == erased);
  EXPECT_TRUE(possibly == erased);
  EXPECT_FALSE(tracked == erased);
  EXPECT_FALSE(fork == continuation);
  asio::execution_context& context =
      asio::query(tracked, execution::context_as<asio::execution_context&>);
  EXPECT_EQ(&context, static_cast<asio::execution_context*>(&io));
  EXPECT_EQ(ex.call(), call);
}

// A tracked copy holds one unit of the io_context's work while it lives: copies hold their own,
// a move hands it over, assigning over a tracked copy gives its unit back.
TEST(CallScopedExecutorRefcountTest, TrackedCopiesHoldTheIoContextsWorkUntilTheLastEnds) {
  asio::io_context io;
  CallScopedExecutor ex(MakeStrand(io.get_executor()), std::make_shared<CallContext>());
  {
    std::optional<asio::any_io_executor> tracked =
        asio::prefer(asio::any_io_executor(ex), execution::outstanding_work.tracked);
    asio::any_io_executor copy = *tracked;
    asio::any_io_executor moved = std::move(*tracked);
    tracked.reset();
    io.poll();
    EXPECT_FALSE(io.stopped());
    copy = ex;
    io.poll();
    EXPECT_FALSE(io.stopped());

    CallScopedExecutor direct = asio::prefer(ex, execution::outstanding_work.tracked);
    CallScopedExecutor assigned = ex;
    assigned = direct;
    direct = ex;
    moved = ex;
    io.poll();
    EXPECT_FALSE(io.stopped());  // `assigned` still holds a unit
    assigned = std::move(direct);
  }
  io.poll();
  EXPECT_TRUE(io.stopped());
}

// A property that is no bit (here an allocator) keeps a tracked copy's work: the new state's
// inner executor tracks it instead.
TEST(CallScopedExecutorRefcountTest, OtherPropertiesOfATrackedCopyKeepItsWork) {
  asio::io_context io;
  auto call = std::make_shared<CallContext>();
  CallScopedExecutor ex(MakeStrand(io.get_executor()), call);
  {
    CallScopedExecutor tracked = asio::prefer(ex, execution::outstanding_work.tracked);
    CallScopedExecutor other = asio::prefer(tracked, execution::allocator(std::allocator<void>()));
    tracked = ex;
    EXPECT_EQ(asio::query(other, execution::outstanding_work), execution::outstanding_work.tracked);
    EXPECT_EQ(other.call(), call);
    io.poll();
    EXPECT_FALSE(io.stopped());
    const CallContext* seen = nullptr;
    asio::require(other, execution::blocking.never).execute([&] { seen = CurrentCall(); });
    io.poll();
    EXPECT_EQ(seen, call.get());
  }
  io.poll();
  EXPECT_TRUE(io.stopped());
}

// A function that may block runs at once when submitted from inside the strand, like the strand
// itself would run it; one that must not block is queued. Both see the call as CurrentCall().
TEST(CallScopedExecutorRefcountTest, RunsAtOnceInsideItsStrandAndLaterWhenNeverBlocking) {
  asio::io_context io;
  auto call = std::make_shared<CallContext>();
  CallScopedExecutor ex(MakeStrand(io.get_executor()), call);
  std::vector<std::string> order;
  auto mark = [&](const std::string& what) {
    order.push_back(CurrentCall() == call.get() ? what : what + " outside its call");
  };
  ex.execute([&] {
    mark("outer");
    ex.execute([&] { mark("at once"); });
    asio::require(ex, execution::blocking.never).execute([&] { mark("queued"); });
    asio::prefer(asio::require(ex, execution::blocking.never), execution::relationship.continuation)
        .execute([&] { mark("queued continuation"); });
    mark("outer end");
  });
  EXPECT_TRUE(order.empty());  // submitted from outside the strand: queued
  io.run();
  EXPECT_EQ(order, (std::vector<std::string>{"outer", "at once", "outer end", "queued",
                                             "queued continuation"}));
  EXPECT_EQ(CurrentCall(), nullptr);
}

// A queued function holds its call: the call outlives every executor that submitted it.
TEST(CallScopedExecutorRefcountTest, AQueuedFunctionKeepsItsCallAfterEveryExecutorEnds) {
  asio::io_context io;
  std::weak_ptr<const CallContext> weak;
  bool alive_when_run = false;
  {
    auto call = std::make_shared<CallContext>();
    weak = call;
    CallScopedExecutor ex(MakeStrand(io.get_executor()), std::move(call));
    asio::require(ex, execution::blocking.never).execute([&] {
      alive_when_run = CurrentCall() != nullptr && CurrentCall() == weak.lock().get();
    });
  }
  EXPECT_FALSE(weak.expired());
  io.run();
  EXPECT_TRUE(alive_when_run);
  EXPECT_TRUE(weak.expired());
}

// Over an executor that is not a strand of an io_context, properties go to the inner executor
// of a new shared state (which holds the call too), and functions still run in the call's scope.
TEST(CallScopedExecutorRefcountTest, OverAnotherExecutorPropertiesGoToTheInnerExecutor) {
  asio::io_context io;
  auto call = std::make_shared<CallContext>();
  CallScopedExecutor ex(asio::any_io_executor(io.get_executor()), call);
  ASSERT_EQ(call.use_count(), 2);
  {
    asio::any_io_executor tracked =
        asio::prefer(asio::any_io_executor(ex), execution::outstanding_work.tracked);
    EXPECT_EQ(call.use_count(), 3);
    EXPECT_EQ(asio::query(Target(tracked), execution::outstanding_work),
              execution::outstanding_work.tracked);
    asio::any_io_executor again = asio::prefer(tracked, execution::outstanding_work.tracked);
    EXPECT_EQ(call.use_count(), 3);
    io.poll();
    EXPECT_FALSE(io.stopped());
    const CallContext* seen = nullptr;
    asio::require(again, execution::blocking.never).execute([&] { seen = CurrentCall(); });
    io.poll();
    EXPECT_EQ(seen, call.get());
  }
  EXPECT_EQ(call.use_count(), 2);
  io.poll();
  EXPECT_TRUE(io.stopped());
}

}  // namespace
}  // namespace periscope::rpc
