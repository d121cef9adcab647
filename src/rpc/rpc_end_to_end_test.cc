#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <future>
#include <map>
#include <thread>

#include "periscope/rpc.h"
#include "periscope/trace.h"
#include "rpc/frame.h"
#include "rpc/rpc_testing.h"

namespace periscope::rpc {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using namespace std::chrono_literals;
using testing::Echo;
using testing::EchoImpl;
using testing::EchoReply;
using testing::EchoRequest;
using testing::IoThreads;

// A server with EchoImpl on 127.0.0.1:<free port>, with tracing into memory on both sides.
class EchoServerTest : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options = {}) {
    options.tracer = provider_.GetTracer("server");
    server_ = std::make_unique<Server>(io_.executor(), options);
    ASSERT_TRUE(server_->Register<Echo>(impl_).ok());
    Result<uint16_t> port = server_->ListenTcp("127.0.0.1", 0);
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    port_ = *port;
  }
  void SetUp() override { StartServer(); }
  void TearDown() override { server_->Shutdown(); }

  Channel Connect() {
    std::optional<Channel> channel;
    EXPECT_TRUE(io_.Run([&]() -> awaitable<void> {
      ChannelOptions options{.tracer = provider_.GetTracer("client")};
      Result<Channel> c =
          co_await Channel::ConnectTcp(io_.executor(), "127.0.0.1", port_, std::move(options));
      EXPECT_TRUE(c.ok()) << c.status().ToString();
      if (c.ok()) channel = *c;
    }));
    return *channel;
  }

  template <class M>
  Result<EchoReply> CallOnce(Client<Echo>& client, EchoRequest request, CallOptions options = {}) {
    std::optional<Result<EchoReply>> out;
    EXPECT_TRUE(io_.Run([&]() -> awaitable<void> {
      out = co_await client.Call<M>(std::move(request), std::move(options));
    }));
    return out ? *out : Result<EchoReply>(InternalError("did not finish"));
  }

  std::vector<trace::SpanData> Spans() {
    provider_.ForceFlush();
    return exporter_->spans();
  }

  std::shared_ptr<trace::InMemorySpanExporter> exporter_ =
      std::make_shared<trace::InMemorySpanExporter>();
  trace::TracerProvider provider_{trace::TracerProviderOptions{
      .processors = {std::make_shared<trace::SimpleSpanProcessor>(exporter_)}}};
  IoThreads io_{2};
  EchoImpl impl_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
};

TEST_F(EchoServerTest, EchoesOverTcp) {
  Client<Echo> client(Connect());
  Result<EchoReply> reply = CallOnce<Echo::Say>(client, {"hello"});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->text, "hello");
  EXPECT_EQ(reply->length, 5u);
  // A large message too.
  std::string big(3 << 20, 'x');
  reply = CallOnce<Echo::Say>(client, {big});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->length, big.size());
}

TEST_F(EchoServerTest, LargeAndSmallPayloadsInterleaved) {
  // Sizes around the 32 KB direct-read threshold and the 4 MB retain limit of the large-frame
  // buffer, one after another and then concurrently on one connection: each reply is its own
  // request (buffers reused between frames never mix payloads).
  Client<Echo> client(Connect());
  const std::vector<size_t> sizes = {10,      40000,   1 << 20,       (4 << 20) + 100, 33000,
                                     100,     1 << 20, (2 << 20) + 7, 70000,           32 << 10,
                                     5 << 20, 20,      (1 << 20) - 1, 300000};
  auto payload = [](size_t size, size_t seed) {
    std::string text(size, '\0');
    for (size_t i = 0; i < size; ++i) text[i] = static_cast<char>('a' + (i * 7 + seed) % 26);
    return text;
  };
  for (size_t i = 0; i < sizes.size(); ++i) {
    std::string text = payload(sizes[i], i);
    Result<EchoReply> reply = CallOnce<Echo::Say>(client, {text});
    ASSERT_TRUE(reply.ok()) << sizes[i] << ": " << reply.status().ToString();
    EXPECT_EQ(reply->length, sizes[i]);
    EXPECT_TRUE(reply->text == text) << "payload of " << sizes[i] << " bytes differs";
  }
  std::vector<std::optional<Result<EchoReply>>> replies(sizes.size());
  std::atomic<size_t> done{0};
  std::promise<void> all_done;
  for (size_t i = 0; i < sizes.size(); ++i) {
    asio::co_spawn(
        io_.io(),
        [&, i]() -> awaitable<void> {
          EchoRequest request{payload(sizes[i], 100 + i)};
          replies[i] = co_await client.Call<Echo::Say>(std::move(request));
          if (++done == sizes.size()) all_done.set_value();
        },
        asio::detached);
  }
  ASSERT_EQ(all_done.get_future().wait_for(60s), std::future_status::ready);
  for (size_t i = 0; i < sizes.size(); ++i) {
    ASSERT_TRUE(replies[i] && replies[i]->ok()) << sizes[i];
    EXPECT_TRUE((*replies[i])->text == payload(sizes[i], 100 + i)) << sizes[i];
  }
  EXPECT_EQ(server_->stats().connections_accepted, 1u);
}

TEST_F(EchoServerTest, ReturnsHandlerErrors) {
  Client<Echo> client(Connect());
  Result<EchoReply> reply = CallOnce<Echo::Fail>(client, {"luck"});
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status(), Status(StatusCode::kNotFound, "no luck"));
}

TEST_F(EchoServerTest, MultiplexesOneHundredConcurrentCalls) {
  Client<Echo> client(Connect());
  constexpr int kCalls = 100;
  std::vector<std::optional<Result<EchoReply>>> replies(kCalls);
  std::atomic<int> done{0};
  std::promise<void> all_done;
  for (int i = 0; i < kCalls; ++i) {
    asio::co_spawn(
        io_.io(),
        [&, i]() -> awaitable<void> {
          EchoRequest request{"call-" + std::to_string(i), 100};
          replies[i] = co_await client.Call<Echo::Sleep>(std::move(request));
          if (++done == kCalls) all_done.set_value();
        },
        asio::detached);
  }
  ASSERT_EQ(all_done.get_future().wait_for(20s), std::future_status::ready);
  for (int i = 0; i < kCalls; ++i) {
    ASSERT_TRUE(replies[i] && replies[i]->ok()) << i;
    EXPECT_EQ((*replies[i])->text, "call-" + std::to_string(i));
  }
  // All were served at once on the one connection, not one after another.
  EXPECT_GE(impl_.max_in_flight.load(), kCalls / 2);
  EXPECT_EQ(server_->stats().connections_accepted, 1u);
}

TEST_F(EchoServerTest, ExpiredDeadlineFailsBeforeTheHandlerRuns) {
  Client<Echo> client(Connect());
  Result<EchoReply> reply =
      CallOnce<Echo::Sleep>(client, {"late", 10}, {.deadline = trace::Clock::now() - 1s});
  EXPECT_EQ(reply.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(impl_.completed.load() + impl_.cancelled.load(), 0);
}

TEST_F(EchoServerTest, CreatesClientAndServerSpansInOneTrace) {
  Client<Echo> client(Connect());
  ASSERT_TRUE(CallOnce<Echo::Say>(client, {"traced"}).ok());
  ASSERT_FALSE(CallOnce<Echo::Fail>(client, {"x"}).ok());

  std::vector<trace::SpanData> spans = Spans();
  ASSERT_EQ(spans.size(), 4u);
  auto find = [&](std::string_view name, trace::SpanKind kind) -> const trace::SpanData* {
    for (const auto& s : spans) {
      if (s.name == name && s.kind == kind) return &s;
    }
    return nullptr;
  };
  const trace::SpanData* client_span = find("Echo/Say", trace::SpanKind::kClient);
  const trace::SpanData* server_span = find("Echo/Say", trace::SpanKind::kServer);
  ASSERT_TRUE(client_span && server_span);
  EXPECT_EQ(server_span->context.trace_id, client_span->context.trace_id);
  EXPECT_EQ(server_span->parent_span_id, client_span->context.span_id);
  EXPECT_TRUE(server_span->parent_is_remote);
  EXPECT_EQ(client_span->status, trace::StatusCode::kUnset);
  auto attr = [](const trace::SpanData& s, std::string_view key) {
    const trace::AttributeValue* v = trace::FindAttribute(s.attributes, key);
    return v ? *v : trace::AttributeValue();
  };
  EXPECT_EQ(attr(*client_span, "rpc.system"), trace::AttributeValue("periscope"));
  EXPECT_EQ(attr(*client_span, "rpc.service"), trace::AttributeValue("Echo"));
  EXPECT_EQ(attr(*client_span, "rpc.method"), trace::AttributeValue("Say"));
  EXPECT_EQ(attr(*client_span, "server.address"), trace::AttributeValue("127.0.0.1"));
  EXPECT_EQ(attr(*client_span, "server.port"), trace::AttributeValue(int64_t{port_}));
  EXPECT_EQ(attr(*server_span, "rpc.method"), trace::AttributeValue("Say"));

  const trace::SpanData* failed_client = find("Echo/Fail", trace::SpanKind::kClient);
  const trace::SpanData* failed_server = find("Echo/Fail", trace::SpanKind::kServer);
  ASSERT_TRUE(failed_client && failed_server);
  EXPECT_EQ(failed_client->status, trace::StatusCode::kError);
  EXPECT_EQ(failed_server->status, trace::StatusCode::kError);
  EXPECT_EQ(failed_server->status_message, "NOT_FOUND: no x");
  EXPECT_EQ(failed_server->parent_span_id, failed_client->context.span_id);
}

TEST_F(EchoServerTest, TheServerSpanLiesWithinTheClientSpanOnTheWallClock) {
  Client<Echo> client(Connect());
  const trace::Timestamp before = trace::Clock::now();
  ASSERT_TRUE(CallOnce<Echo::Say>(client, {"timed"}).ok());
  const trace::Timestamp after = trace::Clock::now();
  std::vector<trace::SpanData> spans = Spans();
  ASSERT_EQ(spans.size(), 2u);
  const trace::SpanData& client_span =
      spans[0].kind == trace::SpanKind::kClient ? spans[0] : spans[1];
  const trace::SpanData& server_span =
      spans[0].kind == trace::SpanKind::kClient ? spans[1] : spans[0];
  ASSERT_EQ(server_span.kind, trace::SpanKind::kServer);
  // Both ends stamp their spans from their steady clock readings (trace::WallTimeAt): in one
  // process the server's span lies within the client's, and both within the wall-clock time
  // around the call (give or take what the wall clock moved since the last anchoring).
  EXPECT_LE(client_span.start_time, server_span.start_time);
  EXPECT_LE(server_span.start_time, server_span.end_time);
  EXPECT_LE(server_span.end_time, client_span.end_time);
  EXPECT_GT(client_span.start_time, before - 50ms);
  EXPECT_LT(client_span.end_time, after + 50ms);
}

TEST_F(EchoServerTest, ClientSpanIsChildOfTheCallersSpan) {
  Client<Echo> client(Connect());
  auto parent = provider_.GetTracer("app").StartSpan("checkout");
  ASSERT_TRUE(
      CallOnce<Echo::Say>(client, {"x"}, {.trace_parent = trace::Context().WithSpan(parent)}).ok());
  parent->End();
  std::vector<trace::SpanData> spans = Spans();
  ASSERT_EQ(spans.size(), 3u);
  for (const auto& s : spans) EXPECT_EQ(s.context.trace_id, parent->context().trace_id);
}

TEST_F(EchoServerTest, RejectsCallsOverTheConcurrencyLimit) {
  server_->Shutdown();
  StartServer({.max_concurrent_calls = 5});
  Client<Echo> client(Connect());
  constexpr int kCalls = 20;
  std::atomic<int> ok{0}, exhausted{0}, done{0};
  std::promise<void> all_done;
  for (int i = 0; i < kCalls; ++i) {
    asio::co_spawn(
        io_.io(),
        [&]() -> awaitable<void> {
          EchoRequest request{"x", 200};
          Result<EchoReply> r = co_await client.Call<Echo::Sleep>(std::move(request));
          if (r.ok()) ++ok;
          if (r.status().code() == StatusCode::kResourceExhausted) ++exhausted;
          if (++done == kCalls) all_done.set_value();
        },
        asio::detached);
  }
  ASSERT_EQ(all_done.get_future().wait_for(20s), std::future_status::ready);
  EXPECT_EQ(ok.load(), 5);
  EXPECT_EQ(exhausted.load(), kCalls - 5);
}

// Starts a Sleep call of `sleep_ms` on `client` and waits (up to 1 s) until `impl` runs it; its
// result lands in the returned future.
std::future<Result<EchoReply>> StartSleep(IoThreads& io, Client<Echo>& client, int sleep_ms,
                                          const EchoImpl& impl) {
  auto promise = std::make_shared<std::promise<Result<EchoReply>>>();
  std::future<Result<EchoReply>> result = promise->get_future();
  asio::co_spawn(
      io.io(),
      [&client, sleep_ms, promise]() -> awaitable<void> {
        EchoRequest request{"slow", sleep_ms};
        promise->set_value(co_await client.Call<Echo::Sleep>(std::move(request)));
      },
      asio::detached);
  for (int i = 0; i < 200 && impl.in_flight.load() == 0; ++i) std::this_thread::sleep_for(5ms);
  return result;
}

TEST_F(EchoServerTest, GracefulShutdownLetsCallsInFlightFinishAndRefusesNewOnes) {
  Client<Echo> client(Connect());
  std::future<Result<EchoReply>> slow = StartSleep(io_, client, 400, impl_);
  ASSERT_EQ(impl_.in_flight.load(), 1);
  server_->Shutdown(5s);
  // A new call on the open connection is refused while the slow one runs.
  Result<EchoReply> refused = CallOnce<Echo::Say>(client, {"late"});
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.status().message().find("shutting down"), std::string::npos)
      << refused.status().ToString();
  ASSERT_EQ(slow.wait_for(10s), std::future_status::ready);
  Result<EchoReply> done = slow.get();
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->text, "slow");
  EXPECT_EQ(impl_.cancelled.load(), 0);
  EXPECT_TRUE(server_->WaitForConnectionsClosed(5s));
  // The listener is closed: nothing new connects.
  std::optional<Status> connect;
  ASSERT_TRUE(io_.Run([&]() -> awaitable<void> {
    Result<Channel> c = co_await Channel::ConnectTcp(io_.executor(), "127.0.0.1", port_);
    connect = c.status();
  }));
  EXPECT_FALSE(connect->ok());
}

TEST_F(EchoServerTest, GracefulShutdownCancelsCallsLeftAtTheDeadline) {
  Client<Echo> client(Connect());
  std::future<Result<EchoReply>> slow = StartSleep(io_, client, 60000, impl_);
  ASSERT_EQ(impl_.in_flight.load(), 1);
  const auto start = std::chrono::steady_clock::now();
  server_->Shutdown(150ms);
  ASSERT_EQ(slow.wait_for(10s), std::future_status::ready);
  Result<EchoReply> cut = slow.get();
  EXPECT_EQ(cut.status().code(), StatusCode::kUnavailable) << cut.status().ToString();
  EXPECT_NE(cut.status().message().find("shut down before the call finished"), std::string::npos)
      << cut.status().ToString();
  EXPECT_GE(std::chrono::steady_clock::now() - start, 150ms);
  EXPECT_TRUE(server_->WaitForConnectionsClosed(5s));
  EXPECT_EQ(impl_.cancelled.load(), 1);
  EXPECT_EQ(impl_.in_flight.load(), 0);
}

TEST_F(EchoServerTest, ACoroutineAwaitsTheEndOfAGracefulShutdown) {
  Client<Echo> client(Connect());
  std::future<Result<EchoReply>> slow = StartSleep(io_, client, 300, impl_);
  ASSERT_EQ(impl_.in_flight.load(), 1);
  server_->Shutdown(5s);
  std::optional<bool> early, closed;
  ASSERT_TRUE(io_.Run([&]() -> awaitable<void> {
    early = co_await server_->ConnectionsClosed(50ms);  // the slow call still runs
    closed = co_await server_->ConnectionsClosed(5s);
  }));
  EXPECT_EQ(early, false);
  EXPECT_EQ(closed, true);
  ASSERT_EQ(slow.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(slow.get().ok());
}

TEST_F(EchoServerTest, GracefulShutdownOfAnIdleServerClosesAtOnce) {
  Channel channel = Connect();
  Client<Echo> client(channel);
  ASSERT_TRUE(CallOnce<Echo::Say>(client, {"x"}).ok());
  server_->Shutdown(30s);
  EXPECT_TRUE(server_->WaitForConnectionsClosed(5s));
  for (int i = 0; i < 200 && channel.is_open(); ++i) std::this_thread::sleep_for(5ms);
  EXPECT_FALSE(channel.is_open());
}

TEST_F(EchoServerTest, ClosesIdleConnections) {
  server_->Shutdown();
  StartServer({.idle_timeout = 100ms});
  Channel channel = Connect();
  for (int i = 0; i < 200 && channel.is_open(); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_FALSE(channel.is_open());
  EXPECT_EQ(server_->stats().connections_closed_idle, 1u);
  Client<Echo> client(channel);
  EXPECT_EQ(CallOnce<Echo::Say>(client, {"x"}).status().code(), StatusCode::kUnavailable);
}

TEST_F(EchoServerTest, ServesUnixSockets) {
  std::string path = "/tmp/periscope_rpc_test_" + std::to_string(::getpid()) + ".sock";
  ASSERT_TRUE(server_->ListenUnix(path).ok());
  std::optional<Result<EchoReply>> reply;
  ASSERT_TRUE(io_.Run([&]() -> awaitable<void> {
    Result<Channel> c = co_await Channel::ConnectUnix(io_.executor(), path);
    if (!c.ok()) {
      reply = c.status();
      co_return;
    }
    Client<Echo> client(*c);
    EchoRequest request{"over unix"};
    reply = co_await client.Call<Echo::Say>(std::move(request));
  }));
  ::unlink(path.c_str());
  ASSERT_TRUE(reply && reply->ok()) << reply->status().ToString();
  EXPECT_EQ((*reply)->text, "over unix");
}

TEST_F(EchoServerTest, ConnectFailsCleanly) {
  server_->Shutdown();
  std::optional<Status> status;
  ASSERT_TRUE(io_.Run([&]() -> awaitable<void> {
    // Port 1 on loopback: nothing listens there.
    Result<Channel> c = co_await Channel::ConnectTcp(io_.executor(), "127.0.0.1", 1);
    status = c.status();
  }));
  EXPECT_EQ(status->code(), StatusCode::kUnavailable);
}

// A blocking raw-socket peer that writes arbitrary bytes and reads response frames.
class RawPeer {
 public:
  explicit RawPeer(uint16_t port) : socket_(io_) {
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
  }
  void Write(std::string_view bytes) { asio::write(socket_, asio::buffer(bytes)); }
  // The next response frame, or nullopt when the server closed the connection.
  std::optional<internal::ResponseFrame> Read() {
    boost::system::error_code ec;
    uint8_t header[4];
    asio::read(socket_, asio::buffer(header), ec);
    if (ec) return std::nullopt;
    uint32_t len = header[0] | header[1] << 8 | header[2] << 16 | uint32_t{header[3]} << 24;
    std::string body(len, '\0');
    asio::read(socket_, asio::buffer(body), ec);
    if (ec) return std::nullopt;
    auto parsed = internal::ParseFrameBody(body);
    if (!parsed.ok()) return std::nullopt;
    auto frame = Decode<internal::ResponseFrame>(parsed->encoded);
    if (!frame.ok()) return std::nullopt;
    return *frame;
  }

 private:
  asio::io_context io_;
  asio::ip::tcp::socket socket_;
};

std::string Raw(uint32_t len, std::string_view body) {
  std::string out;
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(len >> (8 * i)));
  out.append(body);
  return out;
}

TEST_F(EchoServerTest, DeadlineExceededCancelsTheHandler) {
  Client<Echo> client(Connect());
  auto start = std::chrono::steady_clock::now();
  Result<EchoReply> reply = CallOnce<Echo::Sleep>(client, {"slow", 30000}, {.timeout = 100ms});
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kDeadlineExceeded);
  // Far sooner than the handler's 30 s, with room for a loaded machine.
  EXPECT_LT(elapsed, 10s);
  // The handler saw the deadline and was cancelled (bounded polling). On a loaded machine the
  // client may give up (deadline + grace, then CANCEL) before the server's own deadline fires,
  // so which side ended the call is checked below with a peer that never gives up.
  for (int i = 0; i < 1000 && impl_.cancelled < 1; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(impl_.cancelled.load(), 1);
  EXPECT_TRUE(impl_.saw_deadline.load());

  // A raw peer sends the deadline and waits: the server answers DEADLINE_EXCEEDED by itself
  // (its message names the handler) and cancels the handler.
  EchoRequest slow{"slow", 30000};
  internal::RequestFrame request{
      .id = 1,
      .service = "Echo",
      .method = "Sleep",
      .deadline_unix_nanos = trace::ToUnixNanos(trace::Clock::now()) + 100'000'000,
      .payload = Encode(slow)};
  RawPeer peer(port_);
  peer.Write(internal::EncodeFrame(request));
  std::optional<internal::ResponseFrame> response = peer.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->id, 1u);
  EXPECT_EQ(response->code, static_cast<int32_t>(StatusCode::kDeadlineExceeded));
  EXPECT_NE(response->message.find("handler cancelled"), std::string::npos) << response->message;
  for (int i = 0; i < 1000 && impl_.cancelled < 2; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(impl_.cancelled.load(), 2);
  EXPECT_EQ(impl_.completed.load(), 0);
}

TEST_F(EchoServerTest, MalformedFramesCloseTheConnectionWithAnError) {
  server_->Shutdown();
  StartServer({.max_frame_size = 1 << 20});
  struct Case {
    const char* name;
    std::string bytes;
    StatusCode code;
    const char* message;
  };
  std::vector<Case> cases = {
      {"zero length", Raw(0, ""), StatusCode::kInvalidArgument, "length 0"},
      {"oversized", Raw(0xffffffff, "x"), StatusCode::kResourceExhausted, "exceeds the limit"},
      {"unknown kind", Raw(2, "\x09x"), StatusCode::kInvalidArgument, "unknown frame kind"},
      {"response from client", Raw(2, "\x02x"), StatusCode::kInvalidArgument, "only send"},
      {"garbage header", Raw(4, std::string("\x01\x7f\x00\x01", 4)), StatusCode::kInvalidArgument,
       "undecodable"},
  };
  for (const auto& c : cases) {
    RawPeer peer(port_);
    peer.Write(c.bytes);
    std::optional<internal::ResponseFrame> error = peer.Read();
    ASSERT_TRUE(error) << c.name;
    EXPECT_EQ(error->id, 0u) << c.name;
    EXPECT_EQ(error->code, static_cast<int32_t>(c.code)) << c.name;
    EXPECT_NE(error->message.find(c.message), std::string::npos)
        << c.name << ": " << error->message;
    EXPECT_FALSE(peer.Read()) << c.name << ": connection should be closed";
  }
  EXPECT_EQ(server_->stats().connections_closed_malformed, cases.size());
  // The server still serves.
  Client<Echo> client(Connect());
  EXPECT_TRUE(CallOnce<Echo::Say>(client, {"alive"}).ok());
}

TEST_F(EchoServerTest, BadCallsFailOnlyThatCall) {
  RawPeer peer(port_);
  internal::RequestFrame unknown{.id = 7, .service = "Echo", .method = "Nope"};
  internal::RequestFrame bad_args{
      .id = 8, .service = "Echo", .method = "Say", .payload = "\x03\xff\xff"};
  internal::RequestFrame good{
      .id = 9, .service = "Echo", .method = "Say", .payload = Encode(EchoRequest{"ok"})};
  peer.Write(internal::EncodeFrame(unknown));
  peer.Write(internal::EncodeFrame(bad_args));
  peer.Write(internal::EncodeFrame(good));
  std::map<uint64_t, internal::ResponseFrame> responses;
  for (int i = 0; i < 3; ++i) {
    std::optional<internal::ResponseFrame> r = peer.Read();
    ASSERT_TRUE(r);
    responses[r->id] = *r;
  }
  EXPECT_EQ(responses[7].code, static_cast<int32_t>(StatusCode::kUnimplemented));
  EXPECT_EQ(responses[7].message, "unknown method Echo/Nope");
  EXPECT_EQ(responses[8].code, static_cast<int32_t>(StatusCode::kInvalidArgument));
  EXPECT_NE(responses[8].message.find("arguments of Echo/Say do not decode"), std::string::npos);
  EXPECT_EQ(responses[9].code, 0);
  EXPECT_EQ(Decode<EchoReply>(responses[9].payload)->text, "ok");
}

// Requests from raw peers: an older client's text traceparent, a binary trace context that is
// not valid (served as a root), and a trace field of the wrong type (connection error).
TEST_F(EchoServerTest, TraceContextFromOlderOrBrokenPeers) {
  const std::string tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  internal::RequestFrame old_peer{.id = 1,
                                  .service = "Echo",
                                  .method = "Say",
                                  .metadata = {{"traceparent", tp}},
                                  .payload = Encode(EchoRequest{"old"})};
  internal::RequestFrame bogus{
      .id = 2, .service = "Echo", .method = "Say", .payload = Encode(EchoRequest{"bogus"})};
  bogus.parent_span_id.value = 5;  // no trace id
  bogus.trace_flags = 1;
  {
    RawPeer peer(port_);
    peer.Write(internal::EncodeFrame(old_peer));
    peer.Write(internal::EncodeFrame(bogus));
    for (int i = 0; i < 2; ++i) {
      std::optional<internal::ResponseFrame> r = peer.Read();
      ASSERT_TRUE(r);
      EXPECT_EQ(r->code, 0) << r->message;
    }
  }
  std::vector<trace::SpanData> spans = Spans();
  ASSERT_EQ(spans.size(), 2u);
  for (const auto& span : spans) {
    ASSERT_EQ(span.kind, trace::SpanKind::kServer);
    const trace::AttributeValue* status =
        trace::FindAttribute(span.attributes, "rpc.periscope.status_code");
    ASSERT_NE(status, nullptr);
    EXPECT_EQ(*status, trace::AttributeValue(int64_t{0}));
  }
  const trace::SpanData& first =
      spans[0].context.trace_id.ToHex() == "4bf92f3577b34da6a3ce929d0e0e4736" ? spans[0] : spans[1];
  const trace::SpanData& second = &first == &spans[0] ? spans[1] : spans[0];
  EXPECT_EQ(first.context.trace_id.ToHex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(first.parent_span_id.ToHex(), "00f067aa0ba902b7");
  EXPECT_TRUE(first.parent_is_remote);
  EXPECT_FALSE(second.parent_span_id.IsValid());  // a new root
  EXPECT_TRUE(second.context.trace_id.IsValid());

  // trace_flags (field 11) sent as a string: the frame does not decode.
  internal::RequestFrame good{
      .id = 3, .service = "Echo", .method = "Say", .payload = Encode(EchoRequest{"x"})};
  std::string frame = internal::EncodeFrame(good);
  std::string body = frame.substr(internal::kFrameHeaderSize + 1);
  serial::Reader r(body, DecodeLimits{});
  uint64_t len = 0;
  ASSERT_TRUE(r.Varint(len).ok());
  std::string fields = body.substr(body.size() - len) + std::string("\x5a\x01x", 3);
  std::string broken(1, static_cast<char>(internal::FrameKind::kRequest));
  serial::Writer w(broken);
  w.Varint(fields.size());
  w.Bytes(fields);
  RawPeer peer(port_);
  peer.Write(Raw(static_cast<uint32_t>(broken.size()), broken));
  std::optional<internal::ResponseFrame> error = peer.Read();
  ASSERT_TRUE(error);
  EXPECT_EQ(error->id, 0u);
  EXPECT_EQ(error->code, static_cast<int32_t>(StatusCode::kInvalidArgument)) << error->message;
  EXPECT_FALSE(peer.Read());
  // The server still serves.
  Client<Echo> client(Connect());
  EXPECT_TRUE(CallOnce<Echo::Say>(client, {"alive"}).ok());
}

TEST_F(EchoServerTest, PipelinedRequestsInOneWriteAndAFrameSplitAcrossWrites) {
  RawPeer peer(port_);
  constexpr uint64_t kCalls = 64;
  std::string burst;
  for (uint64_t id = 1; id <= kCalls; ++id) {
    internal::RequestFrame request{.id = id,
                                   .service = "Echo",
                                   .method = "Say",
                                   .payload = Encode(EchoRequest{"m" + std::to_string(id)})};
    burst += internal::EncodeFrame(request);
  }
  peer.Write(burst);
  internal::RequestFrame last{.id = kCalls + 1,
                              .service = "Echo",
                              .method = "Say",
                              .payload = Encode(EchoRequest{std::string(5000, 's')})};
  const std::string split = internal::EncodeFrame(last);
  peer.Write(std::string_view(split).substr(0, 2));  // inside the length prefix
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  peer.Write(std::string_view(split).substr(2, 1000));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  peer.Write(std::string_view(split).substr(1002));
  std::map<uint64_t, internal::ResponseFrame> responses;
  for (uint64_t i = 0; i <= kCalls; ++i) {
    std::optional<internal::ResponseFrame> r = peer.Read();
    ASSERT_TRUE(r) << "after " << i << " responses";
    responses[r->id] = *r;
  }
  ASSERT_EQ(responses.size(), kCalls + 1);
  for (uint64_t id = 1; id <= kCalls; ++id) {
    ASSERT_EQ(responses[id].code, 0) << id;
    EXPECT_EQ(Decode<EchoReply>(responses[id].payload)->text, "m" + std::to_string(id));
  }
  EXPECT_EQ(Decode<EchoReply>(responses[kCalls + 1].payload)->text, std::string(5000, 's'));
}

TEST_F(EchoServerTest, EarlierDeadlineArrivingSecondStillFiresFirst) {
  // Both calls on one connection, whose single deadline timer is armed for the first call's
  // deadline when the second, earlier one arrives.
  RawPeer peer(port_);
  const auto start = std::chrono::steady_clock::now();
  auto request = [&](uint64_t id, std::chrono::milliseconds timeout) {
    internal::RequestFrame frame{
        .id = id,
        .service = "Echo",
        .method = "Sleep",
        .deadline_unix_nanos = trace::ToUnixNanos(trace::Clock::now() + timeout),
        .payload = Encode(EchoRequest{"slow", 5000})};
    return internal::EncodeFrame(frame);
  };
  peer.Write(request(1, 800ms));
  peer.Write(request(2, 100ms));
  std::optional<internal::ResponseFrame> first = peer.Read();
  const auto first_at = std::chrono::steady_clock::now() - start;
  std::optional<internal::ResponseFrame> second = peer.Read();
  const auto second_at = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->id, 2u);
  EXPECT_EQ(first->code, static_cast<int32_t>(StatusCode::kDeadlineExceeded));
  EXPECT_LT(first_at, 600ms);
  EXPECT_EQ(second->id, 1u);
  EXPECT_EQ(second->code, static_cast<int32_t>(StatusCode::kDeadlineExceeded));
  EXPECT_GE(second_at, 700ms);
  EXPECT_LT(second_at, 3s);
  for (int i = 0; i < 100 && impl_.cancelled < 2; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(impl_.cancelled.load(), 2);
}

}  // namespace
}  // namespace periscope::rpc
