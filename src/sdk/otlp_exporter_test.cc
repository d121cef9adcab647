#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netdb.h>
#include <zlib.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast.hpp>
#include <thread>

#include "loadgen/otlp_sink_testing.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.grpc.pb.h"
#include "periscope/trace.h"
#include "sdk/captured_diagnostics.h"
#include "sdk/otlp_encoder.h"
#include "sdk/otlp_transport.h"

namespace periscope::trace {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace collector = ::opentelemetry::proto::collector;

// An HTTP server on 127.0.0.1:0 answering each request with a scripted reply; records requests
// and counts connections. Thread-safe.
class ScriptedHttpServer {
 public:
  struct Reply {
    unsigned status = 200;
    std::string body;
    std::string retry_after;
  };
  struct Seen {
    std::string target;
    std::string content_encoding;
    std::string auth;
    std::string body;
  };
  using Handler = std::function<Reply(int index)>;

  explicit ScriptedHttpServer(Handler handler) : handler_(std::move(handler)) {
    acceptor_ = std::make_unique<asio::ip::tcp::acceptor>(
        io_, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port_ = acceptor_->local_endpoint().port();
    asio::co_spawn(io_, Accept(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~ScriptedHttpServer() {
    io_.stop();
    thread_.join();
  }
  std::string url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }
  std::vector<Seen> seen() const {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }
  int connections() const { return connections_; }

 private:
  asio::awaitable<void> Accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_->async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      connections_++;
      asio::co_spawn(io_, Session(std::move(socket)), asio::detached);
    }
  }
  asio::awaitable<void> Session(asio::ip::tcp::socket socket) {
    constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
    boost::beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> req;
      auto [ec, n] = co_await http::async_read(socket, buffer, req, kTuple);
      if (ec) co_return;
      int index;
      {
        std::lock_guard<std::mutex> lock(mu_);
        index = static_cast<int>(seen_.size());
        seen_.push_back({std::string(req.target()), std::string(req[http::field::content_encoding]),
                         std::string(req["authorization"]), req.body()});
      }
      Reply reply = handler_(index);
      http::response<http::string_body> res{static_cast<http::status>(reply.status), 11};
      res.keep_alive(req.keep_alive());
      if (!reply.retry_after.empty()) res.set(http::field::retry_after, reply.retry_after);
      res.body() = reply.body;
      res.prepare_payload();
      auto [wec, w] = co_await http::async_write(socket, res, kTuple);
      if (wec || !res.keep_alive()) co_return;
    }
  }

  Handler handler_;
  asio::io_context io_{1};
  std::unique_ptr<asio::ip::tcp::acceptor> acceptor_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<Seen> seen_;
  std::atomic<int> connections_{0};
};

// A gRPC TraceService answering each call with a scripted status.
class ScriptedTraceService final : public collector::trace::v1::TraceService::Service {
 public:
  explicit ScriptedTraceService(std::function<grpc::Status(int)> script)
      : script_(std::move(script)) {}
  grpc::Status Export(grpc::ServerContext* ctx,
                      const collector::trace::v1::ExportTraceServiceRequest*,
                      collector::trace::v1::ExportTraceServiceResponse*) override {
    auto it = ctx->client_metadata().find("x-api-key");
    if (it != ctx->client_metadata().end())
      api_key_ = std::string(it->second.data(), it->second.size());
    return script_(calls_++);
  }
  int calls() const { return calls_; }
  std::string api_key() const { return api_key_; }

 private:
  std::function<grpc::Status(int)> script_;
  std::atomic<int> calls_{0};
  std::string api_key_;
};

struct GrpcServer {
  explicit GrpcServer(grpc::Service* service) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(service);
    server = builder.BuildAndStart();
  }
  ~GrpcServer() { server->Shutdown(); }
  std::string target() const { return "127.0.0.1:" + std::to_string(port); }
  int port = 0;
  std::unique_ptr<grpc::Server> server;
};

RetryPolicy FastRetry(int attempts = 5) {
  return {.max_attempts = attempts,
          .initial_backoff = std::chrono::milliseconds(5),
          .max_backoff = std::chrono::milliseconds(20),
          .multiplier = 2,
          .jitter = 0.2};
}

std::vector<SpanData> SomeSpans(int n) {
  auto exporter = std::make_shared<InMemorySpanExporter>();
  TracerProviderOptions o;
  o.processors.push_back(std::make_shared<SimpleSpanProcessor>(exporter));
  TracerProvider local(std::move(o));
  Tracer tracer = local.GetTracer("t");
  for (int i = 0; i < n; ++i) tracer.StartSpan("s" + std::to_string(i))->End();
  return exporter->spans();
}

std::shared_ptr<TracerProvider> BatchProvider(std::shared_ptr<SpanExporter> exporter) {
  TracerProviderOptions o;
  o.resource.attributes = {{"service.name", "sdk-test"}};
  o.processors.push_back(std::make_shared<BatchSpanProcessor>(
      std::move(exporter), BatchOptions{.max_export_batch_size = 64}));
  return std::make_shared<TracerProvider>(std::move(o));
}

void MakeTree(TracerProvider& provider, int children) {
  Tracer tracer = provider.GetTracer("exporter-test");
  ScopedSpan root(tracer, "root", {.kind = SpanKind::kServer});
  for (int i = 0; i < children; ++i) {
    ScopedSpan child(tracer, "child", {.kind = SpanKind::kClient});
    child->SetAttribute("i", i);
  }
}

TEST(OtlpExporterTest, GrpcDeliversEverythingOnShutdown) {
  testing::OtlpTestSink sink({.keep_requests = true});
  auto exporter = std::make_shared<OtlpSpanExporter>(
      OtlpExporterOptions{.protocol = OtlpProtocol::kGrpc, .endpoint = sink.grpc_target()});
  auto provider = BatchProvider(exporter);
  MakeTree(*provider, 199);
  EXPECT_TRUE(provider->Shutdown());
  EXPECT_EQ(sink.grpc_spans(), 200u);
  auto requests = sink.requests();
  ASSERT_FALSE(requests.empty());
  const auto& rs = requests[0].resource_spans(0);
  bool found = false;
  for (const auto& kv : rs.resource().attributes()) {
    found |= kv.key() == "service.name" && kv.value().string_value() == "sdk-test";
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(rs.scope_spans(0).scope().name(), "exporter-test");
}

TEST(OtlpExporterTest, HttpDeliversEverythingOverOneKeptAliveConnection) {
  testing::OtlpTestSink sink;
  auto exporter = std::make_shared<OtlpSpanExporter>(
      OtlpExporterOptions{.endpoint = "http://" + sink.http_target() + "/v1/traces"});
  auto provider = BatchProvider(exporter);
  MakeTree(*provider, 499);
  EXPECT_TRUE(provider->Shutdown());
  EXPECT_EQ(sink.http_spans(), 500u);
  EXPECT_GE(sink.http_requests(), 8u);  // batches of 64
  EXPECT_EQ(sink.http_bad_requests(), 0u);
}

TEST(OtlpExporterTest, HttpRetriesOn503ThenSucceeds) {
  ScriptedHttpServer server([](int i) -> ScriptedHttpServer::Reply {
    if (i == 0) return {503, "busy", ""};
    if (i == 1) return {429, "slow down", "0"};
    return {200, "", ""};
  });
  OtlpSpanExporter exporter({.endpoint = server.url("/v1/traces"),
                             .headers = {{"Authorization", "Bearer t"}},
                             .retry = FastRetry()});
  auto spans = SomeSpans(3);
  ExportResult r = exporter.Export(spans);
  EXPECT_TRUE(r.ok()) << r.message;
  OtlpExporterStats stats = exporter.stats();
  EXPECT_EQ(stats.requests, 3u);
  EXPECT_EQ(stats.retries, 2u);
  auto seen = server.seen();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[2].target, "/v1/traces");
  EXPECT_EQ(seen[2].auth, "Bearer t");
  collector::trace::v1::ExportTraceServiceRequest req;
  ASSERT_TRUE(req.ParseFromString(seen[2].body));
  EXPECT_EQ(req.resource_spans(0).scope_spans(0).spans_size(), 3);
  EXPECT_EQ(server.connections(), 1);
}

TEST(OtlpExporterTest, HttpDoesNotRetryOn400) {
  ScriptedHttpServer server([](int) -> ScriptedHttpServer::Reply { return {400, "bad", ""}; });
  OtlpSpanExporter exporter({.endpoint = server.url("/v1/traces"), .retry = FastRetry()});
  ExportResult r = exporter.Export(SomeSpans(1));
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.message.find("400"), std::string::npos);
  EXPECT_EQ(server.seen().size(), 1u);
  EXPECT_EQ(exporter.stats().failures, 1u);
}

TEST(OtlpExporterTest, HttpGivesUpAfterMaxAttempts) {
  ScriptedHttpServer server([](int) -> ScriptedHttpServer::Reply { return {502, "", ""}; });
  OtlpSpanExporter exporter({.endpoint = server.url("/v1/traces"), .retry = FastRetry(4)});
  EXPECT_FALSE(exporter.Export(SomeSpans(1)).ok());
  EXPECT_EQ(server.seen().size(), 4u);
}

TEST(OtlpExporterTest, HttpGzipBodyDecompressesToTheRequest) {
  ScriptedHttpServer server([](int) -> ScriptedHttpServer::Reply { return {200, "", ""}; });
  OtlpSpanExporter exporter({.endpoint = server.url("/v1/traces"), .gzip = true});
  ASSERT_TRUE(exporter.Export(SomeSpans(10)).ok());
  auto seen = server.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].content_encoding, "gzip");
  std::string out(1 << 20, '\0');
  z_stream zs{};
  inflateInit2(&zs, 15 + 16);
  zs.next_in = reinterpret_cast<Bytef*>(seen[0].body.data());
  zs.avail_in = static_cast<uInt>(seen[0].body.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  ASSERT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  inflateEnd(&zs);
  collector::trace::v1::ExportTraceServiceRequest req;
  ASSERT_TRUE(req.ParseFromString(out));
  EXPECT_EQ(req.resource_spans(0).scope_spans(0).spans_size(), 10);
}

TEST(OtlpExporterTest, ConnectionRefusedIsRetriedThenFails) {
  int port;
  {
    asio::io_context io;
    asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }
  OtlpSpanExporter exporter({.endpoint = "http://127.0.0.1:" + std::to_string(port) + "/v1/traces",
                             .retry = FastRetry(3)});
  EXPECT_FALSE(exporter.Export(SomeSpans(1)).ok());
  EXPECT_EQ(exporter.stats().requests, 3u);
}

TEST(OtlpExporterTest, ShutdownInterruptsBackoff) {
  ScriptedHttpServer server([](int) -> ScriptedHttpServer::Reply { return {503, "", "3600"}; });
  OtlpSpanExporter exporter({.endpoint = server.url("/v1/traces"),
                             .retry = {.max_attempts = 10,
                                       .initial_backoff = std::chrono::seconds(60),
                                       .max_backoff = std::chrono::seconds(60)}});
  auto spans = SomeSpans(1);
  auto start = std::chrono::steady_clock::now();
  std::thread t([&] { EXPECT_FALSE(exporter.Export(spans).ok()); });
  while (server.seen().empty()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  exporter.Shutdown();
  t.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(OtlpExporterTest, UnsupportedEndpointFailsCleanly) {
  OtlpSpanExporter exporter({.endpoint = "ftp://example.invalid/v1/traces"});
  ExportResult r = exporter.Export(SomeSpans(1));
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.message.find("only http:// and https://"), std::string::npos) << r.message;
  EXPECT_EQ(exporter.stats().requests, 0u);
}

int ClosedPort() {
  asio::io_context io;
  asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

size_t CountContaining(const std::vector<std::string>& messages, std::string_view part) {
  return static_cast<size_t>(std::count_if(messages.begin(), messages.end(), [&](const auto& m) {
    return m.find(part) != std::string::npos;
  }));
}

TEST(OtlpExporterDiagnosticsTest, ClosedPortGivesOneErrorWithTheLostCount) {
  testing::CapturedDiagnostics diagnostics(DiagnosticLevel::kDebug);
  const std::string endpoint = "http://127.0.0.1:" + std::to_string(ClosedPort()) + "/v1/traces";
  {
    OtlpSpanExporter exporter({.endpoint = endpoint, .retry = FastRetry(3)});
    EXPECT_FALSE(exporter.Export(SomeSpans(7)).ok());
  }
  std::vector<std::string> errors = diagnostics.messages(DiagnosticLevel::kError);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(
      errors[0].rfind("OTLP export to " + endpoint + " failed after 3 attempts, 7 spans lost: ", 0),
      0u)
      << errors[0];
  EXPECT_EQ(CountContaining(errors, "refused"), 1u) << errors[0];
  std::vector<std::string> retries = diagnostics.messages(DiagnosticLevel::kDebug);
  ASSERT_EQ(retries.size(), 1u) << "the second retry falls in the first one's interval";
  EXPECT_EQ(CountContaining(retries, "attempt 1 of 3 failed, retrying in "), 1u) << retries[0];
}

// Whether this machine's resolver answers at once that a .invalid name (RFC 2606: never
// registered) does not exist; where no DNS server answers, the lookup fails otherwise.
bool InvalidNamesAreNotFound() {
  addrinfo* found = nullptr;
  const int result = ::getaddrinfo("periscope-test.invalid", "80", nullptr, &found);
  if (found != nullptr) ::freeaddrinfo(found);
  return result == EAI_NONAME;
}

TEST(OtlpExporterDiagnosticsTest, UnknownHostFailsAtOnceWithOneError) {
  if (!InvalidNamesAreNotFound()) GTEST_SKIP() << "no DNS answer for .invalid names here";
  struct Case {
    OtlpProtocol protocol;
    std::string endpoint;
    std::string reason;
  };
  const Case cases[] = {
      {OtlpProtocol::kHttpProtobuf, "http://periscope-test.invalid:4318/v1/traces",
       "cannot resolve the host name"},
      {OtlpProtocol::kGrpc, "periscope-test.invalid:4317", "DNS resolution failed"},
  };
  for (const Case& c : cases) {
    testing::CapturedDiagnostics diagnostics(DiagnosticLevel::kDebug);
    const auto start = std::chrono::steady_clock::now();
    OtlpSpanExporter exporter({.protocol = c.protocol,
                               .endpoint = c.endpoint,
                               .timeout = std::chrono::seconds(5),
                               .retry = FastRetry(5)});
    ExportResult result = exporter.Export(SomeSpans(2));
    EXPECT_FALSE(result.ok()) << c.endpoint;
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5)) << c.endpoint;
    EXPECT_EQ(exporter.stats().requests, 1u) << c.endpoint;
    EXPECT_EQ(exporter.stats().retries, 0u) << c.endpoint;
    const std::vector<std::string> errors = diagnostics.messages(DiagnosticLevel::kError);
    ASSERT_EQ(errors.size(), 1u) << c.endpoint;
    EXPECT_EQ(errors[0].rfind("OTLP export to " + c.endpoint +
                                  " failed after 1 attempt, 2 spans "
                                  "lost: ",
                              0),
              0u)
        << errors[0];
    EXPECT_EQ(CountContaining(errors, c.reason), 1u) << errors[0];
    EXPECT_TRUE(diagnostics.messages(DiagnosticLevel::kDebug).empty()) << c.endpoint;
  }
}

TEST(OtlpExporterDiagnosticsTest, RetriesAreDebugOnly) {
  testing::CapturedDiagnostics diagnostics(DiagnosticLevel::kInfo);
  OtlpSpanExporter exporter(
      {.endpoint = "http://127.0.0.1:" + std::to_string(ClosedPort()) + "/v1/traces",
       .retry = FastRetry(2)});
  EXPECT_FALSE(exporter.Export(SomeSpans(1)).ok());
  EXPECT_TRUE(diagnostics.messages(DiagnosticLevel::kDebug).empty());
  EXPECT_EQ(diagnostics.messages(DiagnosticLevel::kError).size(), 1u);
}

TEST(OtlpExporterDiagnosticsTest, RepeatedFailuresAreThrottledAndRecoveryIsReported) {
  testing::CapturedDiagnostics diagnostics(DiagnosticLevel::kInfo);
  ScriptedHttpServer server([](int i) -> ScriptedHttpServer::Reply {
    return i < 3 ? ScriptedHttpServer::Reply{400, "bad", ""} : ScriptedHttpServer::Reply{};
  });
  OtlpSpanExporter exporter({.endpoint = server.url("/v1/traces"), .retry = FastRetry()});
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(exporter.Export(SomeSpans(2)).ok());
  EXPECT_TRUE(exporter.Export(SomeSpans(2)).ok());
  std::vector<std::string> errors = diagnostics.messages(DiagnosticLevel::kError);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(CountContaining(errors, "failed after 1 attempt, 2 spans lost: "), 1u) << errors[0];
  EXPECT_EQ(CountContaining(errors, "returned 400: bad"), 1u) << errors[0];
  std::vector<std::string> infos = diagnostics.messages(DiagnosticLevel::kInfo);
  ASSERT_EQ(infos.size(), 1u);
  EXPECT_EQ(CountContaining(infos, "succeeded again after 3 failed exports"), 1u) << infos[0];
}

TEST(OtlpExporterDiagnosticsTest, PartialSuccessIsAWarningWithTheServersMessage) {
  testing::CapturedDiagnostics diagnostics(DiagnosticLevel::kWarn);
  collector::trace::v1::ExportTraceServiceResponse partial;
  partial.mutable_partial_success()->set_rejected_spans(2);
  partial.mutable_partial_success()->set_error_message("spans older than 7 days");
  const std::string reply = partial.SerializeAsString();
  ScriptedHttpServer server([&](int) -> ScriptedHttpServer::Reply { return {200, reply, ""}; });
  OtlpSpanExporter exporter({.endpoint = server.url("/v1/traces")});
  ASSERT_TRUE(exporter.Export(SomeSpans(5)).ok());
  EXPECT_EQ(diagnostics.messages(DiagnosticLevel::kWarn),
            std::vector<std::string>{"OTLP export to " + server.url("/v1/traces") +
                                     ": the collector rejected 2 of 5 spans: spans older than 7 "
                                     "days"});
}

TEST(OtlpExporterDiagnosticsTest, ExportAfterShutdownReportsTheLoss) {
  testing::CapturedDiagnostics diagnostics(DiagnosticLevel::kError);
  OtlpSpanExporter exporter({.endpoint = "http://127.0.0.1:1/v1/traces"});
  exporter.Shutdown();
  EXPECT_FALSE(exporter.Export(SomeSpans(4)).ok());
  std::vector<std::string> errors = diagnostics.messages(DiagnosticLevel::kError);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(CountContaining(errors, " not sent, 4 spans lost: OTLP exporter is shut down"), 1u)
      << errors[0];
}

std::string RetryInfoDetails(int64_t seconds, int32_t nanos) {
  auto varint = [](uint64_t v) {
    std::string s;
    while (v >= 0x80) {
      s.push_back(static_cast<char>(v | 0x80));
      v >>= 7;
    }
    s.push_back(static_cast<char>(v));
    return s;
  };
  auto field = [&](int n, const std::string& bytes) {
    return varint(static_cast<uint64_t>(n) << 3 | 2) + varint(bytes.size()) + bytes;
  };
  std::string duration = varint(1 << 3) + varint(static_cast<uint64_t>(seconds)) + varint(2 << 3) +
                         varint(static_cast<uint64_t>(nanos));
  std::string retry_info = field(1, duration);
  std::string any = field(1, "type.googleapis.com/google.rpc.RetryInfo") + field(2, retry_info);
  return varint(1 << 3) + varint(8) + field(3, any);
}

TEST(OtlpExporterTest, ParsesRetryInfo) {
  auto d = internal::ParseRetryInfoDelay(RetryInfoDetails(1, 500000000));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->count(), 1500);
  EXPECT_FALSE(internal::ParseRetryInfoDelay(""));
  EXPECT_FALSE(internal::ParseRetryInfoDelay("\xff\xff\xff"));
}

TEST(OtlpExporterTest, GrpcRetriesUnavailableAndThrottlingWithRetryInfo) {
  ScriptedTraceService service([](int call) {
    if (call == 0) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "down");
    if (call == 1) {
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "throttled",
                          RetryInfoDetails(0, 10000000));
    }
    return grpc::Status::OK;
  });
  GrpcServer server(&service);
  OtlpSpanExporter exporter({.protocol = OtlpProtocol::kGrpc,
                             .endpoint = "http://" + server.target(),
                             .headers = {{"X-Api-Key", "secret"}},
                             .retry = FastRetry()});
  ExportResult r = exporter.Export(SomeSpans(2));
  EXPECT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(service.calls(), 3);
  EXPECT_EQ(exporter.stats().retries, 2u);
  EXPECT_EQ(service.api_key(), "secret");
}

TEST(OtlpExporterTest, GrpcDoesNotRetryPermanentErrors) {
  ScriptedTraceService service([](int call) {
    return call == 0 ? grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "no retry info")
                     : grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bad");
  });
  GrpcServer server(&service);
  OtlpSpanExporter exporter(
      {.protocol = OtlpProtocol::kGrpc, .endpoint = server.target(), .retry = FastRetry()});
  ExportResult throttled = exporter.Export(SomeSpans(1));
  EXPECT_FALSE(throttled.ok());
  EXPECT_EQ(throttled.message, "OTLP/gRPC status RESOURCE_EXHAUSTED (8): no retry info");
  ExportResult bad = exporter.Export(SomeSpans(1));
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.message, "OTLP/gRPC status INVALID_ARGUMENT (3): bad");
  EXPECT_EQ(service.calls(), 2);
}

// A gRPC TraceService keeping every request, answering with a partial success of `rejected`
// spans, after `delay`.
class RecordingTraceService final : public collector::trace::v1::TraceService::Service {
 public:
  explicit RecordingTraceService(int64_t rejected, std::chrono::milliseconds delay = {})
      : rejected_(rejected), delay_(delay) {}
  grpc::Status Export(grpc::ServerContext*,
                      const collector::trace::v1::ExportTraceServiceRequest* request,
                      collector::trace::v1::ExportTraceServiceResponse* response) override {
    std::this_thread::sleep_for(delay_);
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(*request);
    response->mutable_partial_success()->set_rejected_spans(rejected_);
    return grpc::Status::OK;
  }
  std::vector<collector::trace::v1::ExportTraceServiceRequest> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  const int64_t rejected_;
  const std::chrono::milliseconds delay_;
  mutable std::mutex mu_;
  std::vector<collector::trace::v1::ExportTraceServiceRequest> requests_;
};

std::vector<SpanData> AttributedSpans(int n) {
  std::vector<SpanData> spans = SomeSpans(n);
  auto shared = std::make_shared<const Attributes>(
      Attributes{{"rpc.system", "periscope"}, {"rpc.method", "Get"}, {"bytes", Bytes{{1, 2}}}});
  for (size_t i = 0; i < spans.size(); ++i) {
    spans[i].shared_attributes = shared;
    spans[i].attributes = {{"rpc.method", "Put"}, {"i", static_cast<int64_t>(i)}};
  }
  return spans;
}

TEST(OtlpExporterTest, GrpcGzipSendsTheEncodedBatchAndCountsRejections) {
  RecordingTraceService service(2);
  GrpcServer server(&service);
  OtlpSpanExporter exporter({.protocol = OtlpProtocol::kGrpc,
                             .endpoint = server.target(),
                             .gzip = true,
                             .retry = FastRetry()});
  std::vector<SpanData> first = AttributedSpans(30);
  std::vector<SpanData> second = AttributedSpans(2);
  ASSERT_TRUE(exporter.Export(first).ok());
  ASSERT_TRUE(exporter.Export(second).ok());
  auto requests = service.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(requests[0],
                                                                 internal::EncodeSpans(first)));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(requests[1],
                                                                 internal::EncodeSpans(second)));
  EXPECT_EQ(exporter.stats().rejected, 4u);
  EXPECT_EQ(exporter.stats().requests, 2u);
}

TEST(OtlpExporterTest, GrpcDeadlineExceededIsRetriedThenFails) {
  RecordingTraceService service(0, std::chrono::milliseconds(300));
  GrpcServer server(&service);
  OtlpSpanExporter exporter({.protocol = OtlpProtocol::kGrpc,
                             .endpoint = server.target(),
                             .timeout = std::chrono::milliseconds(50),
                             .retry = FastRetry(2)});
  ExportResult r = exporter.Export(SomeSpans(1));
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.message.find("status DEADLINE_EXCEEDED (4)"), std::string::npos) << r.message;
  EXPECT_EQ(exporter.stats().retries, 1u);
}

TEST(OtlpExporterTest, HttpBodyIsTheEncodedBatchAndRejectionsAreCounted) {
  collector::trace::v1::ExportTraceServiceResponse partial;
  partial.mutable_partial_success()->set_rejected_spans(3);
  const std::string reply = partial.SerializeAsString();
  ScriptedHttpServer server([&](int) -> ScriptedHttpServer::Reply { return {200, reply, ""}; });
  OtlpSpanExporter exporter({.endpoint = server.url("/v1/traces"), .retry = FastRetry()});
  std::vector<SpanData> big = AttributedSpans(40);
  std::vector<SpanData> small = AttributedSpans(1);
  ASSERT_TRUE(exporter.Export(big).ok());
  ASSERT_TRUE(exporter.Export(small).ok());
  auto seen = server.seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].body, internal::EncodeSpans(big).SerializeAsString());
  EXPECT_EQ(seen[1].body, internal::EncodeSpans(small).SerializeAsString());
  EXPECT_EQ(exporter.stats().rejected, 6u);
}

// gRPC Logs and Metrics services keeping the last request.
class RecordingLogsService final : public collector::logs::v1::LogsService::Service {
 public:
  grpc::Status Export(grpc::ServerContext*, const collector::logs::v1::ExportLogsServiceRequest* r,
                      collector::logs::v1::ExportLogsServiceResponse* response) override {
    std::lock_guard<std::mutex> lock(mu);
    last = *r;
    response->mutable_partial_success()->set_rejected_log_records(1);
    return grpc::Status::OK;
  }
  std::mutex mu;
  collector::logs::v1::ExportLogsServiceRequest last;
};
class RecordingMetricsService final : public collector::metrics::v1::MetricsService::Service {
 public:
  grpc::Status Export(grpc::ServerContext*,
                      const collector::metrics::v1::ExportMetricsServiceRequest* r,
                      collector::metrics::v1::ExportMetricsServiceResponse*) override {
    std::lock_guard<std::mutex> lock(mu);
    last = *r;
    return grpc::Status::OK;
  }
  std::mutex mu;
  collector::metrics::v1::ExportMetricsServiceRequest last;
};

TEST(OtlpExporterTest, GrpcLogsAndMetricsReachTheirServices) {
  RecordingLogsService logs_service;
  RecordingMetricsService metrics_service;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&logs_service);
  builder.RegisterService(&metrics_service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  const std::string target = "127.0.0.1:" + std::to_string(port);

  auto resource = std::make_shared<const Resource>(Resource{{{"service.name", "grpc-logs"}}});
  auto scope = std::make_shared<const InstrumentationScope>(InstrumentationScope{"app", "1"});
  std::vector<LogRecordData> records(2);
  records[0].body = "hello";
  records[0].attributes = {{"k", int64_t{1}}};
  for (LogRecordData& r : records) {
    r.resource = resource;
    r.scope = scope;
  }
  auto log_exporter = MakeOtlpLogExporter({.protocol = OtlpProtocol::kGrpc, .endpoint = target});
  ASSERT_TRUE(log_exporter->Export(records).ok());
  {
    std::lock_guard<std::mutex> lock(logs_service.mu);
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(logs_service.last,
                                                                   internal::EncodeLogs(records)));
  }

  MetricData counter;
  counter.name = "requests";
  counter.sums = {{{{"route", "/a"}}, int64_t{7}}};
  counter.scope = scope;
  auto metric_exporter =
      MakeOtlpMetricExporter({.protocol = OtlpProtocol::kGrpc, .endpoint = target});
  ASSERT_TRUE(metric_exporter->Export(*resource, {&counter, 1}).ok());
  {
    std::lock_guard<std::mutex> lock(metrics_service.mu);
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
        metrics_service.last, internal::EncodeMetrics(*resource, {&counter, 1})));
  }
  server->Shutdown();
}

EnvGetter FakeEnv(std::map<std::string, std::string> vars) {
  return [vars](std::string_view k) -> std::optional<std::string> {
    auto it = vars.find(std::string(k));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(OtlpHttpTest, Ipv6EndpointGetsABracketedHostHeader) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io);
  boost::system::error_code ec;
  acceptor.open(boost::asio::ip::tcp::v6(), ec);
  if (!ec) acceptor.bind({boost::asio::ip::make_address("::1"), 0}, ec);
  if (!ec) acceptor.listen(1, ec);
  if (ec) GTEST_SKIP() << "no IPv6 loopback: " << ec.message();
  const std::string port = std::to_string(acceptor.local_endpoint().port());
  std::string head;
  std::thread collector([&] {
    boost::asio::ip::tcp::socket socket(io);
    acceptor.accept(socket);
    boost::asio::read_until(socket, boost::asio::dynamic_buffer(head), "\r\n\r\n");
    const std::string reply = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    boost::asio::write(socket, boost::asio::buffer(reply));
  });
  OtlpSpanExporter exporter(
      {.endpoint = "http://[::1]:" + port + "/v1/traces", .timeout = std::chrono::seconds(5)});
  SpanData span;
  ExportResult result = exporter.Export({&span, 1});
  collector.join();
  EXPECT_TRUE(result.ok()) << result.message;
  EXPECT_NE(head.find("Host: [::1]:" + port + "\r\n"), std::string::npos) << head;
}

TEST(OtlpEnvTest, DefaultsAndGenericEndpoint) {
  auto o = OtlpExporterOptions::FromEnv(OtlpSignal::kTraces, FakeEnv({}));
  EXPECT_EQ(o.protocol, OtlpProtocol::kHttpProtobuf);
  EXPECT_EQ(o.endpoint, "");
  EXPECT_EQ(internal::DefaultEndpoint(o.protocol, OtlpSignal::kTraces),
            "http://localhost:4318/v1/traces");

  auto env = FakeEnv({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/"},
                      {"OTEL_EXPORTER_OTLP_HEADERS", "api-key=abc%20def, tenant = t1,broken"},
                      {"OTEL_EXPORTER_OTLP_LOGS_HEADERS", "tenant=t2"},
                      {"OTEL_EXPORTER_OTLP_TIMEOUT", "2500"},
                      {"OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"}});
  o = OtlpExporterOptions::FromEnv(OtlpSignal::kMetrics, env);
  EXPECT_EQ(o.endpoint, "http://collector:4318/v1/metrics");
  EXPECT_EQ(o.timeout, std::chrono::milliseconds(2500));
  EXPECT_TRUE(o.gzip);
  ASSERT_EQ(o.headers.size(), 2u);
  EXPECT_EQ(o.headers[0], std::make_pair(std::string("api-key"), std::string("abc def")));
  EXPECT_EQ(o.headers[1].second, "t1");
  EXPECT_EQ(OtlpExporterOptions::FromEnv(OtlpSignal::kLogs, env).headers[1].second, "t2");
}

TEST(OtlpEnvTest, SignalSpecificWinsAndGrpcEndpointIsVerbatim) {
  auto env = FakeEnv({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://generic:4317"},
                      {"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"},
                      {"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf"},
                      {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://traces:9999/custom"},
                      {"OTEL_EXPORTER_OTLP_TIMEOUT", "-5"}});
  auto traces = OtlpExporterOptions::FromEnv(OtlpSignal::kTraces, env);
  EXPECT_EQ(traces.protocol, OtlpProtocol::kHttpProtobuf);
  EXPECT_EQ(traces.endpoint, "http://traces:9999/custom");
  EXPECT_EQ(traces.timeout, std::chrono::milliseconds(10000));
  auto logs = OtlpExporterOptions::FromEnv(OtlpSignal::kLogs, env);
  EXPECT_EQ(logs.protocol, OtlpProtocol::kGrpc);
  EXPECT_EQ(logs.endpoint, "http://generic:4317");
}

TEST(OtlpEnvTest, CertificateVariablesReachTheTlsOptions) {
  auto env = FakeEnv({{"OTEL_EXPORTER_OTLP_CERTIFICATE", "/etc/ca.pem"},
                      {"OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE", "/etc/client.pem"},
                      {"OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY", "/etc/client.key"}});
  OtlpExporterOptions traces = OtlpExporterOptions::FromEnv(OtlpSignal::kTraces, env);
  EXPECT_EQ(traces.tls.ca_file, "/etc/ca.pem");
  EXPECT_EQ(traces.tls.client_certificate_file, "/etc/client.pem");
  EXPECT_EQ(traces.tls.client_key_file, "/etc/client.key");
  OtlpExporterOptions logs = OtlpExporterOptions::FromEnv(OtlpSignal::kLogs, env);
  EXPECT_EQ(logs.tls.ca_file, "/etc/ca.pem");
  EXPECT_EQ(logs.tls.client_certificate_file, "");
}

TEST(OtlpEnvTest, ResourceFromEnv) {
  Resource r = ResourceFromEnv(FakeEnv({{"OTEL_RESOURCE_ATTRIBUTES",
                                         "service.name=from-attrs,deployment.environment=prod,"
                                         "team=a%2Cb"},
                                        {"OTEL_SERVICE_NAME", "checkout"}}));
  EXPECT_EQ(*FindAttribute(r.attributes, "service.name"), AttributeValue("checkout"));
  EXPECT_EQ(*FindAttribute(r.attributes, "deployment.environment"), AttributeValue("prod"));
  EXPECT_EQ(*FindAttribute(r.attributes, "team"), AttributeValue("a,b"));
  EXPECT_EQ(*FindAttribute(r.attributes, "telemetry.sdk.language"), AttributeValue("cpp"));
}

TEST(OtlpEnvTest, ProviderFromEnvExportsToConfiguredEndpoint) {
  testing::OtlpTestSink sink;
  auto provider = MakeTracerProviderFromEnv(
      FakeEnv({{"OTEL_SERVICE_NAME", "env-svc"},
               {"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"},
               {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://" + sink.grpc_target()},
               {"OTEL_BSP_SCHEDULE_DELAY", "10"}}));
  MakeTree(*provider, 4);
  for (int i = 0; i < 300 && sink.grpc_spans() < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(sink.grpc_spans(), 5u);  // exported on schedule, before shutdown
  provider->Shutdown();
}

TEST(OtlpLogsTest, LogsCarryActiveSpanAndReachTheServer) {
  ScriptedHttpServer server([](int) -> ScriptedHttpServer::Reply { return {200, "", ""}; });
  LoggerProvider logs({.resource = {{{"service.name", "log-svc"}}},
                       .exporter = MakeOtlpLogExporter({.endpoint = server.url("/v1/logs")})});
  Logger logger = logs.GetLogger("app");
  auto exporter = std::make_shared<InMemorySpanExporter>();
  TracerProviderOptions o;
  o.processors.push_back(std::make_shared<SimpleSpanProcessor>(exporter));
  TracerProvider traces(std::move(o));
  SpanContext active;
  {
    ScopedSpan span(traces.GetTracer("app"), "handle");
    active = span->context();
    logger.Emit(Severity::kWarn, "inside", {{"user", "alice"}});
  }
  logger.Emit(Severity::kInfo, "outside");
  ASSERT_TRUE(logs.ForceFlush());
  auto seen = server.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].target, "/v1/logs");
  collector::logs::v1::ExportLogsServiceRequest req;
  ASSERT_TRUE(req.ParseFromString(seen[0].body));
  const auto& records = req.resource_logs(0).scope_logs(0).log_records();
  ASSERT_EQ(records.size(), 2);
  EXPECT_EQ(records[0].body().string_value(), "inside");
  EXPECT_EQ(records[0].severity_number(), 13);
  EXPECT_EQ(records[0].severity_text(), "WARN");
  EXPECT_EQ(records[0].trace_id(), std::string(active.trace_id.AsBytes()));
  EXPECT_EQ(records[0].span_id(), std::string(active.span_id.AsBytes()));
  EXPECT_EQ(records[0].flags(), 1u);
  EXPECT_EQ(records[0].attributes(0).key(), "user");
  EXPECT_TRUE(records[1].trace_id().empty());
  EXPECT_EQ(req.resource_logs(0).scope_logs(0).scope().name(), "app");
}

TEST(OtlpMetricsTest, CountersAndHistogramsReachTheServer) {
  ScriptedHttpServer server([](int) -> ScriptedHttpServer::Reply { return {200, "", ""}; });
  MeterProvider metrics(
      {.resource = {{{"service.name", "metric-svc"}}},
       .exporter = MakeOtlpMetricExporter({.endpoint = server.url("/v1/metrics")}),
       .export_interval = std::chrono::hours(1)});
  Meter meter = metrics.GetMeter("app");
  auto requests = meter.CreateInt64Counter("requests", "handled requests", "1");
  requests.Add(3, {{"route", "/a"}});
  requests.Add(2, {{"route", "/a"}});
  requests.Add(1, {{"route", "/b"}});
  requests.Add(-5, {{"route", "/a"}});  // ignored: monotonic
  auto latency = meter.CreateHistogram("latency", "", "ms", {10, 100});
  for (double v : {1.0, 10.0, 50.0, 500.0}) latency.Record(v);
  ASSERT_TRUE(metrics.ForceFlush());
  auto seen = server.seen();
  ASSERT_EQ(seen.size(), 1u);
  collector::metrics::v1::ExportMetricsServiceRequest req;
  ASSERT_TRUE(req.ParseFromString(seen[0].body));
  const auto& ms = req.resource_metrics(0).scope_metrics(0).metrics();
  ASSERT_EQ(ms.size(), 2);
  EXPECT_EQ(ms[0].name(), "requests");
  EXPECT_TRUE(ms[0].sum().is_monotonic());
  EXPECT_EQ(ms[0].sum().aggregation_temporality(), 2);
  std::map<std::string, int64_t> by_route;
  for (const auto& dp : ms[0].sum().data_points()) {
    by_route[dp.attributes(0).value().string_value()] = dp.as_int();
  }
  EXPECT_EQ(by_route["/a"], 5);
  EXPECT_EQ(by_route["/b"], 1);
  const auto& h = ms[1].histogram().data_points(0);
  EXPECT_EQ(h.count(), 4u);
  EXPECT_EQ(h.sum(), 561.0);
  EXPECT_EQ(h.min(), 1.0);
  EXPECT_EQ(h.max(), 500.0);
  ASSERT_EQ(h.bucket_counts_size(), 3);
  EXPECT_EQ(h.bucket_counts(0), 2u);  // 1, 10 (upper bound inclusive)
  EXPECT_EQ(h.bucket_counts(1), 1u);
  EXPECT_EQ(h.bucket_counts(2), 1u);
  EXPECT_EQ(h.explicit_bounds_size(), 2);

  // Cumulative: a later export repeats the running totals.
  requests.Add(1, {{"route", "/b"}});
  ASSERT_TRUE(metrics.Shutdown());
  ASSERT_EQ(server.seen().size(), 2u);
  ASSERT_TRUE(req.ParseFromString(server.seen()[1].body));
  int64_t total = 0;
  for (const auto& dp : req.resource_metrics(0).scope_metrics(0).metrics(0).sum().data_points()) {
    total += dp.as_int();
  }
  EXPECT_EQ(total, 7);
}

TEST(OtlpMetricsTest, SameNameReturnsSameInstrumentAndMismatchedKindIsNoop) {
  MeterProvider metrics({});
  Meter meter = metrics.GetMeter("app");
  meter.CreateDoubleCounter("x").Add(1.5);
  meter.CreateDoubleCounter("x").Add(1.0);
  meter.CreateHistogram("x").Record(3);  // different kind: no-op
  auto data = metrics.Collect();
  ASSERT_EQ(data.size(), 1u);
  EXPECT_EQ(std::get<double>(data[0].sums[0].value), 2.5);
}

}  // namespace
}  // namespace periscope::trace
