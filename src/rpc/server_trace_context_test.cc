#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
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
#include "periscope/trace.h"
#include "rpc/rpc_testing.h"

// GCC 12 reports a false -Wmismatched-new-delete on asio awaitable frames (GCC bug 109224).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace periscope::rpc {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using namespace std::chrono_literals;
using testing::IoThreads;

// The caller's span, as a remote parent.
trace::SpanContext CallerSpan() {
  trace::SpanContext sc;
  sc.trace_id = *trace::TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e4736");
  sc.span_id = *trace::SpanId::FromHex("00f067aa0ba902b7");
  sc.flags.value = trace::TraceFlags::kSampled;
  return sc;
}

// The parent every test call is made with: the caller's span and baggage user=alice.
trace::Context CallerContext() {
  return trace::Context()
      .WithRemoteSpanContext(CallerSpan())
      .WithBaggage(trace::Baggage().Set("user", "alice"));
}

// Whether the step of a handler running now sees its call: CurrentCall() is `ctx`, the active
// trace context is the call's (its SERVER span, in the caller's trace) with the caller's baggage.
bool SeesItsCall(const CallContext& ctx) {
  if (CurrentCall() != &ctx) return false;
  const trace::Context current = trace::Context::Current();
  const std::shared_ptr<trace::Span>& span = current.span();
  return span != nullptr && span == ctx.trace_context.span() &&
         span->context().trace_id == CallerSpan().trace_id &&
         current.baggage().Get("user") == std::optional<std::string_view>("alice");
}

awaitable<void> SleepFor(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(d);
  co_await timer.async_wait(asio::use_awaitable);
}

// A traced server on two io threads whose handler Trace/Steps suspends as many times as its
// payload says ("0" returns at once) and checks SeesItsCall at every step; Trace/Fail fails
// without suspending; Trace/Late outlives its deadline and checks its call once cancelled.
class ServerTraceContextTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    ServerOptions options{.tracer = provider_.GetTracer("server")};
    server_ = std::make_unique<Server>(io_.executor(), options);
    ASSERT_TRUE(server_
                    ->AddHandler("Trace", "Steps",
                                 [](std::string payload, std::shared_ptr<const CallContext> ctx)
                                     -> awaitable<Result<std::string>> {
                                   const int suspensions = std::stoi(payload);
                                   for (int step = 0; step <= suspensions; ++step) {
                                     if (!SeesItsCall(*ctx)) {
                                       co_return InternalError("step " + std::to_string(step));
                                     }
                                     if (step < suspensions) co_await SleepFor(1ms);
                                   }
                                   co_return payload;
                                 })
                    .ok());
    ASSERT_TRUE(server_
                    ->AddHandler("Trace", "Fail",
                                 [](std::string payload, std::shared_ptr<const CallContext> ctx)
                                     -> awaitable<Result<std::string>> {
                                   if (!SeesItsCall(*ctx)) co_return InternalError("scope");
                                   co_return Status(StatusCode::kNotFound, "no " + payload);
                                 })
                    .ok());
    ASSERT_TRUE(server_
                    ->AddHandler("Trace", "Late",
                                 [this](std::string payload, std::shared_ptr<const CallContext> ctx)
                                     -> awaitable<Result<std::string>> {
                                   try {
                                     co_await SleepFor(10s);
                                   } catch (const boost::system::system_error&) {
                                     late_saw_call_when_cancelled_ = SeesItsCall(*ctx);
                                     late_cancelled_.set_value();
                                     throw;
                                   }
                                   co_return payload;
                                 })
                    .ok());
    channel_ = testing::ConnectToServer(io_, *server_, /*over_tcp=*/GetParam());
    ASSERT_TRUE(channel_.has_value());
  }
  void TearDown() override {
    if (channel_) channel_->Close();
    server_->Shutdown();
    io_.Stop();
  }

  // The SERVER spans exported so far named `name`.
  std::vector<trace::SpanData> ServerSpans(std::string_view name) const {
    std::vector<trace::SpanData> out;
    for (trace::SpanData& s : exporter_->spans()) {
      if (s.kind == trace::SpanKind::kServer && s.name == name) out.push_back(std::move(s));
    }
    return out;
  }

  std::shared_ptr<trace::InMemorySpanExporter> exporter_ =
      std::make_shared<trace::InMemorySpanExporter>();
  trace::TracerProvider provider_{trace::TracerProviderOptions{
      .processors = {std::make_shared<trace::SimpleSpanProcessor>(exporter_)}}};
  IoThreads io_{2};
  std::unique_ptr<Server> server_;
  std::optional<Channel> channel_;
  std::atomic<bool> late_saw_call_when_cancelled_{false};
  std::promise<void> late_cancelled_;
};

// Calls that return at once, suspend once or suspend three times, 16 in flight on two io
// threads: every step of every handler runs in its call's scope, and every SERVER span is a
// child of the caller's span with an OK status.
TEST_P(ServerTraceContextTest, EveryStepOfEveryCallSeesItsCallAndServerSpan) {
  constexpr int kCalls = 240;
  constexpr int kInFlight = 16;
  std::atomic<int> next{0};
  std::atomic<int> failures{0};
  std::atomic<int> running{kInFlight};
  std::promise<void> all_done;
  std::string first_failure;
  std::mutex mu;
  for (int w = 0; w < kInFlight; ++w) {
    asio::co_spawn(
        io_.io(),
        [&]() -> awaitable<void> {
          for (int i = next++; i < kCalls; i = next++) {
            std::string payload = std::to_string(i % 3 == 0 ? 0 : i % 3 == 1 ? 1 : 3);
            CallOptions options;
            options.trace_parent = CallerContext();
            std::string request = payload;
            Result<std::string> reply = co_await channel_->CallRaw(
                "Trace", "Steps", std::move(request), std::move(options));
            if (!reply.ok() || *reply != payload) {
              ++failures;
              std::lock_guard lock(mu);
              if (first_failure.empty()) first_failure = reply.status().ToString();
            }
          }
          if (--running == 0) all_done.set_value();
        },
        asio::detached);
  }
  ASSERT_EQ(all_done.get_future().wait_for(20s), std::future_status::ready);
  EXPECT_EQ(failures.load(), 0) << first_failure;
  // Spans end before their replies are sent, and export synchronously.
  std::vector<trace::SpanData> spans = ServerSpans("Trace/Steps");
  ASSERT_EQ(spans.size(), static_cast<size_t>(kCalls));
  for (const trace::SpanData& s : spans) {
    EXPECT_EQ(s.context.trace_id, CallerSpan().trace_id);
    EXPECT_EQ(s.parent_span_id, CallerSpan().span_id);
    EXPECT_NE(s.context.span_id, CallerSpan().span_id);
    EXPECT_NE(s.status, trace::StatusCode::kError);
  }
}

// A handler that fails without suspending: its SERVER span, a child of the caller's, records
// the error.
TEST_P(ServerTraceContextTest, AFailingHandlerThatNeverSuspendedEndsItsSpanWithTheError) {
  Result<std::string> reply = Status(StatusCode::kUnknown, "not called");
  ASSERT_TRUE(io_.Run([&]() -> awaitable<void> {
    CallOptions options;
    options.trace_parent = CallerContext();
    std::string request = "thing";
    reply = co_await channel_->CallRaw("Trace", "Fail", std::move(request), std::move(options));
  }));
  EXPECT_EQ(reply.status().code(), StatusCode::kNotFound) << reply.status().ToString();
  std::vector<trace::SpanData> spans = ServerSpans("Trace/Fail");
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].parent_span_id, CallerSpan().span_id);
  EXPECT_EQ(spans[0].status, trace::StatusCode::kError);
}

// A handler cancelled by its deadline resumes in its call's scope, and its SERVER span records
// DEADLINE_EXCEEDED.
TEST_P(ServerTraceContextTest, AHandlerCancelledByItsDeadlineResumesInItsCallsScope) {
  Result<std::string> reply = Status(StatusCode::kUnknown, "not called");
  ASSERT_TRUE(io_.Run([&]() -> awaitable<void> {
    CallOptions options;
    options.trace_parent = CallerContext();
    options.timeout = 50ms;
    std::string request = "x";
    reply = co_await channel_->CallRaw("Trace", "Late", std::move(request), std::move(options));
  }));
  EXPECT_EQ(reply.status().code(), StatusCode::kDeadlineExceeded) << reply.status().ToString();
  ASSERT_EQ(late_cancelled_.get_future().wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(late_saw_call_when_cancelled_.load());
  std::vector<trace::SpanData> spans = ServerSpans("Trace/Late");
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].parent_span_id, CallerSpan().span_id);
  EXPECT_EQ(spans[0].status, trace::StatusCode::kError);
}

// Without a tracer the caller's span is the handler's active span (non-recording, remote),
// with the caller's baggage, before and after a suspension.
TEST(ServerTraceContextUntracedTest, HandlersSeeTheCallersSpanAndBaggageAtEveryStep) {
  for (bool over_tcp : {false, true}) {
    IoThreads io(2);
    Server server(io.executor());
    auto sees_caller = [](const CallContext& ctx) {
      const trace::Context current = trace::Context::Current();
      return CurrentCall() == &ctx && current.span() != nullptr && !current.span()->IsRecording() &&
             current.span_context().is_remote &&
             current.span_context().span_id == CallerSpan().span_id &&
             current.span_context().trace_id == CallerSpan().trace_id &&
             current.baggage().Get("user") == std::optional<std::string_view>("alice");
    };
    ASSERT_TRUE(server
                    .AddHandler("Trace", "Steps",
                                [&](std::string payload, std::shared_ptr<const CallContext> ctx)
                                    -> awaitable<Result<std::string>> {
                                  if (!sees_caller(*ctx)) co_return InternalError("before");
                                  if (payload == "s") co_await SleepFor(1ms);
                                  if (!sees_caller(*ctx)) co_return InternalError("after");
                                  co_return payload;
                                })
                    .ok());
    std::optional<Channel> channel = testing::ConnectToServer(io, server, over_tcp);
    ASSERT_TRUE(channel.has_value());
    for (const char* payload : {"a", "s"}) {
      Result<std::string> reply = Status(StatusCode::kUnknown, "not called");
      ASSERT_TRUE(io.Run([&]() -> awaitable<void> {
        CallOptions options;
        options.trace_parent = CallerContext();
        std::string request = payload;
        reply = co_await channel->CallRaw("Trace", "Steps", std::move(request), std::move(options));
      }));
      EXPECT_TRUE(reply.ok()) << reply.status().ToString() << (over_tcp ? " tcp" : " in memory");
    }
    channel->Close();
    server.Shutdown();
  }
}

INSTANTIATE_TEST_SUITE_P(Transports, ServerTraceContextTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Tcp" : "InMemory";
                         });

}  // namespace
}  // namespace periscope::rpc
