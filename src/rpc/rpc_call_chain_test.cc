#include <gtest/gtest.h>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <mutex>

#include "periscope/rpc.h"
#include "periscope/trace.h"
#include "rpc/rpc_testing.h"

namespace periscope::rpc {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;
using testing::Echo;
using testing::EchoImpl;
using testing::EchoReply;
using testing::EchoRequest;
using testing::IoThreads;

// A front service whose handler calls Echo/Sleep on a backend with default CallOptions.
struct Front {
  RPC_SERVICE("Front");
  RPC_METHOD(Relay, EchoReply(EchoRequest));
};

// Implements Front over a backend channel; records what the handler saw. Thread-safe.
struct FrontImpl {
  explicit FrontImpl(Channel backend) : backend(std::move(backend)) {}
  awaitable<Result<EchoReply>> Relay(EchoRequest request, const CallContext& ctx) {
    saw_current_call = CurrentCall() == &ctx;
    if (ctx.deadline) deadline_unix_nanos = trace::ToUnixNanos(*ctx.deadline);
    Result<EchoReply> reply = co_await backend.Call<Echo::Sleep>(std::move(request));
    saw_current_call_after = CurrentCall() == &ctx;
    co_return reply;
  }
  Client<Echo> backend;
  std::atomic<bool> saw_current_call{false};
  std::atomic<bool> saw_current_call_after{false};
  std::atomic<uint64_t> deadline_unix_nanos{0};
};

// Client -> Front -> Back, every hop over the in-memory transport, traced.
class CallChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions back_options{.tracer = provider_.GetTracer("back")};
    back_ = std::make_unique<Server>(io_.executor(), back_options);
    ASSERT_TRUE(back_->Register<Echo>(back_impl_).ok());
    ChannelOptions to_back{.tracer = provider_.GetTracer("front")};
    front_impl_ = std::make_unique<FrontImpl>(*back_->ConnectInMemory(io_.executor(), to_back));
    ServerOptions front_options{.tracer = provider_.GetTracer("front")};
    front_ = std::make_unique<Server>(io_.executor(), front_options);
    ASSERT_TRUE(front_->Register<Front>(*front_impl_).ok());
    ChannelOptions to_front{.tracer = provider_.GetTracer("client")};
    client_.emplace(*front_->ConnectInMemory(io_.executor(), to_front));
  }
  // The threads stop before the fixture's members go: a handler cancelled by the test may still
  // be running on one of them and touch its FrontImpl.
  void TearDown() override {
    front_->Shutdown();
    back_->Shutdown();
    io_.Stop();
  }

  std::shared_ptr<trace::InMemorySpanExporter> exporter_ =
      std::make_shared<trace::InMemorySpanExporter>();
  trace::TracerProvider provider_{trace::TracerProviderOptions{
      .processors = {std::make_shared<trace::SimpleSpanProcessor>(exporter_)}}};
  IoThreads io_{2};
  EchoImpl back_impl_;
  std::unique_ptr<Server> back_;
  std::unique_ptr<FrontImpl> front_impl_;
  std::unique_ptr<Server> front_;
  std::optional<Client<Front>> client_;
};

TEST_F(CallChainTest, DownstreamCallInheritsTheDeadlineAndTrace) {
  std::optional<Result<EchoReply>> reply;
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(io_.Run([&]() -> awaitable<void> {
    EchoRequest request{"deep", 5000};
    CallOptions options{.timeout = 300ms};
    reply = co_await client_->Call<Front::Relay>(std::move(request), std::move(options));
  }));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status().code(), StatusCode::kDeadlineExceeded) << reply->status().ToString();
  EXPECT_TRUE(front_impl_->saw_current_call.load());
  EXPECT_TRUE(back_impl_.saw_deadline.load());
  // The backend got exactly the front call's deadline, without the handler passing it on.
  EXPECT_NE(front_impl_->deadline_unix_nanos.load(), 0u);
  EXPECT_EQ(back_impl_.last_deadline_unix_nanos.load(), front_impl_->deadline_unix_nanos.load());
  for (int i = 0; i < 200 && back_impl_.cancelled == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(back_impl_.cancelled.load(), 1);

  // Four spans, one trace: client -> front server -> front client -> back server.
  for (int i = 0; i < 200 && exporter_->spans().size() < 4; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  std::vector<trace::SpanData> spans = exporter_->spans();
  ASSERT_EQ(spans.size(), 4u);
  for (const auto& s : spans) EXPECT_EQ(s.context.trace_id, spans[0].context.trace_id);
  auto find = [&](std::string_view name, trace::SpanKind kind) -> const trace::SpanData* {
    for (const auto& s : spans) {
      if (s.name == name && s.kind == kind) return &s;
    }
    return nullptr;
  };
  const trace::SpanData* front_server = find("Front/Relay", trace::SpanKind::kServer);
  const trace::SpanData* back_client = find("Echo/Sleep", trace::SpanKind::kClient);
  ASSERT_TRUE(front_server && back_client);
  EXPECT_EQ(back_client->parent_span_id, front_server->context.span_id);
}

TEST_F(CallChainTest, CancelCascadesToTheHandlersDownstreamCall) {
  bool timer_won = false;
  ASSERT_TRUE(io_.Run([&]() -> awaitable<void> {
    asio::steady_timer timer(io_.executor());
    timer.expires_after(150ms);
    Client<Front> client = *client_;
    auto call = [client]() -> awaitable<void> {
      EchoRequest request{"abandoned", 5000};
      Result<EchoReply> r = co_await client.Call<Front::Relay>(std::move(request));
      (void)r;
    };
    auto which = co_await (call() || timer.async_wait(asio::use_awaitable));
    timer_won = which.index() == 1;
  }));
  EXPECT_TRUE(timer_won);
  // No deadline anywhere: the backend handler can only stop because the cancel cascaded.
  for (int i = 0; i < 200 && back_impl_.cancelled == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(back_impl_.cancelled.load(), 1);
  EXPECT_FALSE(back_impl_.saw_deadline.load());
  EXPECT_EQ(front_->stats().calls_cancelled, 1u);
  for (int i = 0; i < 200 && back_->stats().calls_cancelled == 0; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(back_->stats().calls_cancelled, 1u);
}

// Records the hooks' calls. Thread-safe.
struct HookLog {
  void Add(std::string entry) {
    std::lock_guard lock(mu);
    entries.push_back(std::move(entry));
  }
  std::vector<std::string> Get() {
    std::lock_guard lock(mu);
    return entries;
  }
  std::mutex mu;
  std::vector<std::string> entries;
  std::atomic<int64_t> total_nanos{0};
};

TEST(MiddlewareTest, RejectsUnauthenticatedCallsAndSeesEveryCall) {
  IoThreads io(2);
  HookLog server_log;
  HookLog client_log;
  ServerMiddleware auth{
      .before = [](const CallContext& call) -> Status {
        auto it = call.metadata.find("authorization");
        if (it == call.metadata.end() || it->second != "Bearer good") {
          return Status(StatusCode::kUnauthenticated, "missing or bad token");
        }
        return Status::Ok();
      },
      .after =
          [&](const CallContext& call, const Status& status, std::chrono::nanoseconds d) {
            server_log.Add(call.method + " " + std::string(StatusCodeName(status.code())));
            server_log.total_nanos += d.count();
          },
  };
  ServerOptions options;
  options.middleware.push_back(auth);
  Server server(io.executor(), options);
  EchoImpl impl;
  ASSERT_TRUE(server.Register<Echo>(impl).ok());

  ClientInterceptor add_token{
      .before = [](ClientCallInfo& call) -> Status {
        call.metadata["authorization"] = "Bearer good";
        return Status::Ok();
      },
      .after =
          [&](const ClientCallInfo& call, const Status& status, std::chrono::nanoseconds d) {
            client_log.Add(std::string(call.method) + " " +
                           std::string(StatusCodeName(status.code())));
            client_log.total_nanos += d.count();
          },
  };
  ChannelOptions with_token;
  with_token.interceptors.push_back(add_token);
  Client<Echo> good(*server.ConnectInMemory(io.executor(), with_token));
  Client<Echo> anonymous(*server.ConnectInMemory(io.executor()));

  std::optional<Result<EchoReply>> ok, rejected, failed;
  ASSERT_TRUE(io.Run([&]() -> awaitable<void> {
    EchoRequest a{"a", 20};
    ok = co_await good.Call<Echo::Sleep>(std::move(a));
    EchoRequest b{"b"};
    failed = co_await good.Call<Echo::Fail>(std::move(b));
    EchoRequest c{"c", 20};
    rejected = co_await anonymous.Call<Echo::Sleep>(std::move(c));
  }));
  ASSERT_TRUE(ok && ok->ok()) << ok->status().ToString();
  EXPECT_EQ(failed->status().code(), StatusCode::kNotFound);
  EXPECT_EQ(rejected->status(), Status(StatusCode::kUnauthenticated, "missing or bad token"));
  EXPECT_EQ(impl.completed.load(), 1);  // the rejected call never reached the handler
  EXPECT_EQ(server_log.Get(),
            (std::vector<std::string>{"Sleep OK", "Fail NOT_FOUND", "Sleep UNAUTHENTICATED"}));
  EXPECT_GE(server_log.total_nanos.load(), 20'000'000);
  EXPECT_EQ(client_log.Get(), (std::vector<std::string>{"Sleep OK", "Fail NOT_FOUND"}));
  EXPECT_GE(client_log.total_nanos.load(), 20'000'000);
  server.Shutdown();
}

TEST(MiddlewareTest, InterceptorCanFailACallLocally) {
  IoThreads io(2);
  Server server(io.executor());
  EchoImpl impl;
  ASSERT_TRUE(server.Register<Echo>(impl).ok());
  ChannelOptions options;
  options.interceptors.push_back(ClientInterceptor{.before = [](ClientCallInfo& call) -> Status {
    if (call.method == "Fail") return Status(StatusCode::kFailedPrecondition, "blocked");
    return Status::Ok();
  }});
  Client<Echo> client(*server.ConnectInMemory(io.executor(), options));
  std::optional<Result<EchoReply>> blocked, passed;
  ASSERT_TRUE(io.Run([&]() -> awaitable<void> {
    EchoRequest a{"a"};
    blocked = co_await client.Call<Echo::Fail>(std::move(a));
    EchoRequest b{"b"};
    passed = co_await client.Call<Echo::Say>(std::move(b));
  }));
  EXPECT_EQ(blocked->status(), Status(StatusCode::kFailedPrecondition, "blocked"));
  EXPECT_TRUE(passed->ok());
  EXPECT_EQ(server.stats().calls, 1u);
  server.Shutdown();
}

TEST(InMemoryTransportTest, ServesConcurrentAndLargeCalls) {
  IoThreads io(2);
  Server server(io.executor());
  EchoImpl impl;
  ASSERT_TRUE(server.Register<Echo>(impl).ok());
  Client<Echo> client(*server.ConnectInMemory(io.executor()));
  constexpr int kCalls = 50;
  std::atomic<int> ok{0}, done{0};
  std::promise<void> all_done;
  for (int i = 0; i < kCalls; ++i) {
    asio::co_spawn(
        io.io(),
        [&, i]() -> awaitable<void> {
          EchoRequest request{std::string(i * 1000, 'x'), 50};
          Result<EchoReply> r = co_await client.Call<Echo::Sleep>(std::move(request));
          if (r.ok() && r->length == static_cast<uint64_t>(i * 1000)) ++ok;
          if (++done == kCalls) all_done.set_value();
        },
        asio::detached);
  }
  ASSERT_EQ(all_done.get_future().wait_for(10s), std::future_status::ready);
  EXPECT_EQ(ok.load(), kCalls);
  EXPECT_GE(impl.max_in_flight.load(), kCalls / 2);
  std::optional<Result<EchoReply>> big;
  ASSERT_TRUE(io.Run([&]() -> awaitable<void> {
    EchoRequest request{std::string(3 << 20, 'y')};
    big = co_await client.Call<Echo::Say>(std::move(request));
  }));
  ASSERT_TRUE(big->ok());
  EXPECT_EQ((*big)->length, 3u << 20);
  // Shutting the server down closes the in-memory connection.
  server.Shutdown();
  for (int i = 0; i < 200 && client.channel().is_open(); ++i) std::this_thread::sleep_for(5ms);
  EXPECT_FALSE(client.channel().is_open());
  std::optional<Result<EchoReply>> after;
  ASSERT_TRUE(io.Run([&]() -> awaitable<void> {
    EchoRequest request{"late"};
    after = co_await client.Call<Echo::Say>(std::move(request));
  }));
  EXPECT_EQ(after->status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(server.ConnectInMemory(io.executor()).ok());
}

TEST(IdleTimeoutTest, KeepsConnectionsWithAnOpenStreamAndClosesIdleOnes) {
  IoThreads io(2);
  ServerOptions options{.idle_timeout = 100ms};
  Server server(io.executor(), options);
  testing::StreamsImpl impl;
  ASSERT_TRUE(server.Register<testing::Streams>(impl).ok());
  Channel idle = *server.ConnectInMemory(io.executor());
  Client<testing::Streams> busy(*server.ConnectInMemory(io.executor()));
  std::optional<ClientReaderWriter<testing::Number, testing::Number>> stream;
  ASSERT_TRUE(io.Run([&]() -> awaitable<void> {
    stream.emplace(co_await busy.BidiStream<testing::Streams::Double>());
  }));
  for (int i = 0; i < 100 && idle.is_open(); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_FALSE(idle.is_open());
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(busy.channel().is_open());  // a stream is in flight, silent but not idle
  ASSERT_TRUE(io.Run([&]() -> awaitable<void> {
    Status closed = co_await stream->CloseSend();
    EXPECT_TRUE(closed.ok());
    Result<std::optional<testing::Number>> end = co_await stream->Read();
    EXPECT_TRUE(end.ok() && !end->has_value());
  }));
  for (int i = 0; i < 100 && busy.channel().is_open(); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_FALSE(busy.channel().is_open());
  EXPECT_EQ(server.stats().connections_closed_idle, 2u);
  server.Shutdown();
}

}  // namespace
}  // namespace periscope::rpc
