#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "periscope/rpc.h"
#include "periscope/trace.h"
#include "rpc/frame.h"
#include "rpc/rpc_testing.h"

namespace periscope::rpc {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using namespace std::chrono_literals;
using testing::IoThreads;
using testing::Number;
using testing::RangeRequest;
using testing::Streams;
using testing::StreamsImpl;
using testing::Sum;

// A Streams server reached over TCP or in memory (the test parameter), traced on both sides.
class StreamTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    ServerOptions options{.tracer = provider_.GetTracer("server")};
    server_ = std::make_unique<Server>(io_.executor(), options);
    ASSERT_TRUE(server_->Register<Streams>(impl_).ok());
    port_ = *server_->ListenTcp("127.0.0.1", 0);
  }
  void TearDown() override { server_->Shutdown(); }

  Channel Connect(ChannelOptions options = {}) {
    options.tracer = provider_.GetTracer("client");
    if (!GetParam()) return *server_->ConnectInMemory(io_.executor(), options);
    std::optional<Channel> channel;
    EXPECT_TRUE(io_.Run([&]() -> awaitable<void> {
      Result<Channel> c =
          co_await Channel::ConnectTcp(io_.executor(), "127.0.0.1", port_, std::move(options));
      if (c.ok()) channel = *c;
    }));
    return *channel;
  }

  // Reads until the end or an error; returns the values and the final status.
  static awaitable<Status> ReadAll(ClientReader<Number>& reader, std::vector<int64_t>& out) {
    for (;;) {
      Result<std::optional<Number>> n = co_await reader.Read();
      if (!n.ok()) co_return n.status();
      if (!n->has_value()) co_return Status::Ok();
      out.push_back((*n)->value);
    }
  }

  std::shared_ptr<trace::InMemorySpanExporter> exporter_ =
      std::make_shared<trace::InMemorySpanExporter>();
  trace::TracerProvider provider_{trace::TracerProviderOptions{
      .processors = {std::make_shared<trace::SimpleSpanProcessor>(exporter_)}}};
  IoThreads io_{2};
  StreamsImpl impl_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
};

INSTANTIATE_TEST_SUITE_P(Transports, StreamTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Tcp" : "InMemory"; });

TEST_P(StreamTest, ServerStreamDeliversEveryMessageThenEnds) {
  Client<Streams> client(Connect());
  std::vector<int64_t> values;
  Status status = InternalError("did not run");
  ASSERT_TRUE(io_.Run([&]() -> awaitable<void> {
    RangeRequest request{.count = 100};
    ClientReader<Number> reader = co_await client.ServerStream<Streams::Range>(request);
    status = co_await ReadAll(reader, values);
  }));
  EXPECT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(values.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(values[i], i);
  // One CLIENT and one SERVER span for the whole stream, in one trace.
  provider_.ForceFlush();
  std::vector<trace::SpanData> spans = exporter_->spans();
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].name, "Streams/Range");
  EXPECT_EQ(spans[0].context.trace_id, spans[1].context.trace_id);
  EXPECT_NE(spans[0].kind, spans[1].kind);
}

TEST_P(StreamTest, SlowReaderBoundsTheWritersBuffering) {
  ChannelOptions options;
  options.stream_window = 4;
  Client<Streams> client(Connect(options));
  std::vector<int64_t> values;
  Status status = InternalError("did not run");
  int written_while_stalled = -1;
  ASSERT_TRUE(io_.Run([&]() -> awaitable<void> {
    RangeRequest request{.count = 200};
    ClientReader<Number> reader = co_await client.ServerStream<Streams::Range>(request);
    Result<std::optional<Number>> first = co_await reader.Read();
    EXPECT_TRUE(first.ok() && first->has_value());
    asio::steady_timer timer(io_.executor());
    timer.expires_after(200ms);
    co_await timer.async_wait(asio::use_awaitable);
    written_while_stalled = impl_.written.load();
    status = co_await ReadAll(reader, values);
  }));
  // The server stopped after a window of messages while the client did not read.
  EXPECT_GE(written_while_stalled, 4);
  EXPECT_LE(written_while_stalled, 4 + 2);
  EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(values.size(), 199u);
  EXPECT_EQ(impl_.written.load(), 200);
}

TEST_P(StreamTest, ErrorMidStreamArrivesAfterTheMessagesBeforeIt) {
  Client<Streams> client(Connect());
  std::vector<int64_t> values;
  Status status;
  ASSERT_TRUE(io_.Run([&]() -> awaitable<void> {
    RangeRequest request{.count = 10, .fail_after = 5};
    ClientReader<Number> reader = co_await client.ServerStream<Streams::Range>(request);
    status = co_await ReadAll(reader, values);
  }));
  EXPECT_EQ(values.size(), 5u);
  EXPECT_EQ(status, Status(StatusCode::kAborted, "failed after 5"));
}

TEST_P(StreamTest, EarlyCancelStopsTheServerHandler) {
  Client<Streams> client(Connect());
  Status after_cancel;
  ASSERT_TRUE(io_.Run([&]() -> awaitable<void> {
    RangeRequest request{.count = 100000, .sleep_ms = 5};
    ClientReader<Number> reader = co_await client.ServerStream<Streams::Range>(request);
    for (int i = 0; i < 3; ++i) {
      Result<std::optional<Number>> n = co_await reader.Read();
      EXPECT_TRUE(n.ok());
    }
    reader.Cancel();
    Result<std::optional<Number>> n = co_await reader.Read();
    after_cancel = n.status();
  }));
  EXPECT_EQ(after_cancel.code(), StatusCode::kCancelled);
  for (int i = 0; i < 200 && impl_.ended_early == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(impl_.ended_early.load(), 1);
  EXPECT_LT(impl_.written.load(), 1000);
  for (int i = 0; i < 200 && server_->stats().calls_cancelled == 0; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(server_->stats().calls_cancelled, 1u);
}

TEST_P(StreamTest, DeadlineEndsAStreamMidway) {
  Client<Streams> client(Connect());
  std::vector<int64_t> values;
  Status status;
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(io_.Run([&]() -> awaitable<void> {
    RangeRequest request{.count = 100000, .sleep_ms = 10};
    CallOptions options{.timeout = 200ms};
    ClientReader<Number> reader =
        co_await client.ServerStream<Streams::Range>(request, std::move(options));
    status = co_await ReadAll(reader, values);
  }));
  EXPECT_EQ(status.code(), StatusCode::kDeadlineExceeded) << status.ToString();
  EXPECT_GT(values.size(), 2u);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST_P(StreamTest, ClientStreamSumsEveryRequest) {
  Client<Streams> client(Connect());
  Result<Sum> sum = InternalError("did not run");
  ASSERT_TRUE(io_.Run([&]() -> awaitable<void> {
    auto writer = co_await client.ClientStream<Streams::Add>();
    for (int i = 1; i <= 100; ++i) {
      Number n{i};
      Status st = co_await writer.Write(n);
      EXPECT_TRUE(st.ok()) << st.ToString();
    }
    sum = co_await writer.Finish();
  }));
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_EQ(sum->total, 5050);
  EXPECT_EQ(sum->count, 100);
}

TEST_P(StreamTest, ClientStreamWriterWaitsForASlowServer) {
  server_->Shutdown();
  ServerOptions options{.stream_window = 4};
  server_ = std::make_unique<Server>(io_.executor(), options);
  ASSERT_TRUE(server_->Register<Streams>(impl_).ok());
  port_ = *server_->ListenTcp("127.0.0.1", 0);
  Client<Streams> client(Connect());
  Result<Sum> sum = InternalError("did not run");
  std::chrono::steady_clock::duration blocked{};
  ASSERT_TRUE(io_.Run([&]() -> awaitable<void> {
    auto writer = co_await client.ClientStream<Streams::SlowAdd>();
    auto start = std::chrono::steady_clock::now();
    for (int i = 1; i <= 20; ++i) {
      Number n{i};
      Status st = co_await writer.Write(n);
      EXPECT_TRUE(st.ok()) << st.ToString();
    }
    blocked = std::chrono::steady_clock::now() - start;
    sum = co_await writer.Finish();
  }));
  // The handler sleeps 300 ms before reading: 20 writes cannot finish before it reads.
  EXPECT_GE(blocked, 250ms);
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_EQ(sum->total, 210);
}

TEST_P(StreamTest, BidiStreamAnswersEachMessage) {
  Client<Streams> client(Connect());
  std::vector<int64_t> replies;
  Result<std::optional<Number>> end = InternalError("did not run");
  ASSERT_TRUE(io_.Run([&]() -> awaitable<void> {
    auto stream = co_await client.BidiStream<Streams::Double>();
    for (int i = 1; i <= 5; ++i) {
      Number n{i};
      Status written = co_await stream.Write(n);
      EXPECT_TRUE(written.ok());
      Result<std::optional<Number>> r = co_await stream.Read();
      if (r.ok() && r->has_value()) replies.push_back((*r)->value);
    }
    Status closed = co_await stream.CloseSend();
    EXPECT_TRUE(closed.ok());
    end = co_await stream.Read();
  }));
  EXPECT_EQ(replies, (std::vector<int64_t>{2, 4, 6, 8, 10}));
  ASSERT_TRUE(end.ok()) << end.status().ToString();
  EXPECT_FALSE(end->has_value());
}

TEST_P(StreamTest, WrongCallKindIsUnimplemented) {
  Channel channel = Connect();
  Status status;
  ASSERT_TRUE(io_.Run([&]() -> awaitable<void> {
    CallOptions options;
    std::string no_request;
    RawStream stream = co_await channel.OpenStream("Streams", "Range", CallKind::kBidiStream,
                                                   std::move(no_request), std::move(options));
    Result<std::optional<std::string>> r = co_await stream.Read();
    status = r.status();
  }));
  EXPECT_EQ(status.code(), StatusCode::kUnimplemented);
  EXPECT_NE(status.message().find("is a server stream, called as a bidirectional stream"),
            std::string::npos)
      << status.ToString();
}

TEST(StreamLimitsTest, MessagesBeyondTheCreditFailTheCall) {
  IoThreads io(2);
  StreamsImpl impl;
  ServerOptions options{.stream_window = 4};
  Server server(io.executor(), options);
  ASSERT_TRUE(server.Register<Streams>(impl).ok());
  uint16_t port = *server.ListenTcp("127.0.0.1", 0);
  asio::io_context peer_io;
  asio::ip::tcp::socket socket(peer_io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  internal::RequestFrame open{.id = 1,
                              .service = "Streams",
                              .method = "SlowAdd",
                              .call_kind = static_cast<uint8_t>(CallKind::kClientStream),
                              .window = 16};
  std::string bytes = internal::EncodeFrame(open);
  for (int i = 0; i < 10; ++i) {
    internal::MessageFrame m{1, Encode(Number{i})};
    bytes += internal::EncodeFrame(m);
  }
  asio::write(socket, asio::buffer(bytes));
  // Frames back: a credit grant of 4, then the call's failure.
  std::optional<internal::ResponseFrame> response;
  for (int i = 0; i < 3 && !response; ++i) {
    uint8_t header[4];
    boost::system::error_code ec;
    asio::read(socket, asio::buffer(header), ec);
    ASSERT_FALSE(ec);
    uint32_t len = header[0] | header[1] << 8 | header[2] << 16 | uint32_t{header[3]} << 24;
    std::string body(len, '\0');
    asio::read(socket, asio::buffer(body), ec);
    ASSERT_FALSE(ec);
    auto parsed = internal::ParseFrameBody(body);
    ASSERT_TRUE(parsed.ok());
    if (parsed->kind == internal::FrameKind::kResponse) {
      response = *Decode<internal::ResponseFrame>(parsed->encoded);
    }
  }
  ASSERT_TRUE(response);
  EXPECT_EQ(response->id, 1u);
  EXPECT_EQ(response->code, static_cast<int32_t>(StatusCode::kResourceExhausted));
  EXPECT_NE(response->message.find("beyond the granted credit"), std::string::npos);
  server.Shutdown();
}

}  // namespace
}  // namespace periscope::rpc
