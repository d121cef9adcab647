#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "periscope/rpc.h"
#include "rpc/rpc_testing.h"

// GCC 12 reports a false -Wmismatched-new-delete on asio awaitable frames (GCC bug 109224).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace periscope::rpc {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using namespace std::chrono_literals;
using testing::IoThreads;

awaitable<void> SleepFor(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(d);
  co_await timer.async_wait(asio::use_awaitable);
}

// True once pred() holds, checking every 5 ms for up to 5 s.
template <class Pred>
bool Eventually(Pred pred) {
  for (int i = 0; i < 1000; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return pred();
}

// A coroutine a handler spawns on its own executor and leaves running after the reply keeps
// the call: it still sees it as CurrentCall() after suspending, and the call's context is
// released once that coroutine ends.
TEST(ServerCallRefcountTest, ADetachedCoroutineOfAHandlerKeepsItsCallAfterTheReply) {
  for (bool over_tcp : {false, true}) {
    IoThreads io(2);
    Server server(io.executor());
    std::mutex mu;
    std::weak_ptr<const CallContext> weak;
    std::atomic<bool> release{false};
    std::atomic<bool> saw_call_after_reply{false};
    std::promise<void> detached_done;
    ASSERT_TRUE(server
                    .AddHandler("Refs", "Spawn",
                                [&](std::string payload, std::shared_ptr<const CallContext> ctx)
                                    -> awaitable<Result<std::string>> {
                                  {
                                    std::lock_guard lock(mu);
                                    weak = ctx;
                                  }
                                  const CallContext* call = ctx.get();
                                  asio::any_io_executor executor =
                                      co_await asio::this_coro::executor;
                                  asio::co_spawn(
                                      executor,
                                      [&, call]() -> awaitable<void> {
                                        for (int i = 0; i < 2000 && !release; ++i) {
                                          co_await SleepFor(5ms);
                                        }
                                        saw_call_after_reply = release && CurrentCall() == call &&
                                                               call->method == "Spawn";
                                        detached_done.set_value();
                                      },
                                      asio::detached);
                                  co_return payload;
                                })
                    .ok());
    std::optional<Channel> channel = testing::ConnectToServer(io, server, over_tcp);
    ASSERT_TRUE(channel.has_value());
    Result<std::string> reply = Status(StatusCode::kUnknown, "not called");
    ASSERT_TRUE(io.Run([&]() -> awaitable<void> {
      std::string payload = "hello";
      CallOptions options;  // not a default argument: see GCC 12's co_await temporaries bug
      reply = co_await channel->CallRaw("Refs", "Spawn", std::move(payload), std::move(options));
    }));
    ASSERT_TRUE(reply.ok()) << reply.status().ToString();
    EXPECT_EQ(*reply, "hello");
    std::weak_ptr<const CallContext> after_reply;
    {
      std::lock_guard lock(mu);
      after_reply = weak;
    }
    EXPECT_FALSE(after_reply.expired()) << "the detached coroutine no longer holds its call";
    release = true;
    ASSERT_EQ(detached_done.get_future().wait_for(20s), std::future_status::ready);
    EXPECT_TRUE(saw_call_after_reply) << (over_tcp ? "tcp" : "in memory");
    EXPECT_TRUE(Eventually([&] { return after_reply.expired(); }))
        << (over_tcp ? "tcp" : "in memory");
    channel->Close();
    server.Shutdown();
  }
}

// Every call's context is released once the call ended, whether its handler returned at once,
// suspended first or was cancelled by its deadline: nothing per call (the executor's copies,
// the completion, the connection's table) keeps it.
TEST(ServerCallRefcountTest, EveryCallsContextIsReleasedOnceItsCallEnded) {
  constexpr int kCalls = 300;
  constexpr int kInFlight = 16;
  for (bool over_tcp : {false, true}) {
    IoThreads io(2);
    Server server(io.executor());
    std::mutex mu;
    std::vector<std::weak_ptr<const CallContext>> contexts;
    ASSERT_TRUE(server
                    .AddHandler("Refs", "Mixed",
                                [&](std::string payload, std::shared_ptr<const CallContext> ctx)
                                    -> awaitable<Result<std::string>> {
                                  {
                                    std::lock_guard lock(mu);
                                    contexts.push_back(ctx);
                                  }
                                  // "s": suspends once; "d": outlives its deadline.
                                  if (payload == "s") co_await SleepFor(1ms);
                                  if (payload == "d") co_await SleepFor(10s);
                                  if (CurrentCall() != ctx.get()) co_return InternalError("scope");
                                  co_return payload;
                                })
                    .ok());
    std::optional<Channel> channel = testing::ConnectToServer(io, server, over_tcp);
    ASSERT_TRUE(channel.has_value());
    std::atomic<int> next{0};
    std::atomic<int> unexpected{0};
    std::atomic<int> running{kInFlight};
    std::promise<void> all_done;
    for (int w = 0; w < kInFlight; ++w) {
      asio::co_spawn(
          io.io(),
          [&]() -> awaitable<void> {
            for (int i = next++; i < kCalls; i = next++) {
              const std::string payload = i % 3 == 0 ? "a" : i % 3 == 1 ? "s" : "d";
              CallOptions options;
              if (payload == "d") options.timeout = 20ms;
              std::string request = payload;
              Result<std::string> reply = co_await channel->CallRaw(
                  "Refs", "Mixed", std::move(request), std::move(options));
              const bool ok = payload == "d"
                                  ? reply.status().code() == StatusCode::kDeadlineExceeded
                                  : reply.ok() && *reply == payload;
              if (!ok) ++unexpected;
            }
            if (--running == 0) all_done.set_value();
          },
          asio::detached);
    }
    ASSERT_EQ(all_done.get_future().wait_for(30s), std::future_status::ready);
    EXPECT_EQ(unexpected.load(), 0) << (over_tcp ? "tcp" : "in memory");
    auto live = [&] {
      std::lock_guard lock(mu);
      int n = 0;
      for (const auto& w : contexts) n += w.expired() ? 0 : 1;
      return n;
    };
    EXPECT_TRUE(Eventually([&] { return live() == 0; }))
        << live() << " contexts still held, " << (over_tcp ? "tcp" : "in memory");
    {
      // A call whose deadline passed before its handler started has no handler run.
      std::lock_guard lock(mu);
      EXPECT_GE(contexts.size(), static_cast<size_t>(kCalls * 2 / 3));
      EXPECT_LE(contexts.size(), static_cast<size_t>(kCalls));
    }
    channel->Close();
    server.Shutdown();
  }
}

// A handler that ignores the cancellation its connection's close sends still finishes safely
// after the close (the connection stays alive until its last handler returned), and its call's
// context is released afterwards.
TEST(ServerCallRefcountTest, AHandlerRunningPastItsConnectionsCloseFinishesSafely) {
  for (bool over_tcp : {false, true}) {
    IoThreads io(2);
    Server server(io.executor());
    std::mutex mu;
    std::weak_ptr<const CallContext> weak;
    std::atomic<bool> started{false};
    std::atomic<bool> release{false};
    std::atomic<bool> saw_call_after_close{false};
    ASSERT_TRUE(server
                    .AddHandler("Refs", "Stubborn",
                                [&](std::string payload, std::shared_ptr<const CallContext> ctx)
                                    -> awaitable<Result<std::string>> {
                                  {
                                    std::lock_guard lock(mu);
                                    weak = ctx;
                                  }
                                  co_await asio::this_coro::throw_if_cancelled(false);
                                  started = true;
                                  for (int i = 0; i < 5000 && !release; ++i) {
                                    std::this_thread::sleep_for(1ms);
                                    co_await asio::post(asio::use_awaitable);
                                  }
                                  saw_call_after_close = release && CurrentCall() == ctx.get();
                                  co_return payload;
                                })
                    .ok());
    std::optional<Channel> channel = testing::ConnectToServer(io, server, over_tcp);
    ASSERT_TRUE(channel.has_value());
    std::promise<StatusCode> reply_code;
    asio::co_spawn(
        io.io(),
        [&]() -> awaitable<void> {
          std::string payload = "stubborn";
          CallOptions options;
          Result<std::string> reply =
              co_await channel->CallRaw("Refs", "Stubborn", std::move(payload), std::move(options));
          reply_code.set_value(reply.status().code());
        },
        asio::detached);
    ASSERT_TRUE(Eventually([&] { return started.load(); }));
    channel->Close();
    std::future<StatusCode> code = reply_code.get_future();
    ASSERT_EQ(code.wait_for(20s), std::future_status::ready);
    EXPECT_NE(code.get(), StatusCode::kOk);
    std::this_thread::sleep_for(20ms);  // the server notices the close and cancels the call
    release = true;
    std::weak_ptr<const CallContext> context;
    {
      std::lock_guard lock(mu);
      context = weak;
    }
    EXPECT_TRUE(Eventually([&] { return context.expired(); })) << (over_tcp ? "tcp" : "in memory");
    EXPECT_TRUE(saw_call_after_close) << (over_tcp ? "tcp" : "in memory");
    server.Shutdown();
  }
}

}  // namespace
}  // namespace periscope::rpc
