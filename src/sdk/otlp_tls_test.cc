#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "periscope/trace.h"
#include "sdk/captured_diagnostics.h"
#include "sdk/otlp_tls_env.h"
#include "sdk/test_certificate_authority.h"

namespace periscope::trace {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
namespace collector = ::opentelemetry::proto::collector;
using testing::CapturedDiagnostics;
using testing::IssuedCertificate;
using testing::TestCertificateAuthority;

// A file holding `text` for the object's lifetime.
class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    static std::atomic<int> counter{0};
    path_ = (std::filesystem::temp_directory_path() /
             ("periscope_tls_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++) +
              ".pem"))
                .string();
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// An OTLP/HTTP collector over TLS on 127.0.0.1:0 that answers 200 to every request. With a
// client CA it requires a client certificate issued by it. Records requests, connections, the
// SNI name and client certificate subject of each handshake, and failed handshakes. Thread-safe.
class TlsCollector {
 public:
  explicit TlsCollector(const IssuedCertificate& server, const std::string& client_ca_pem = "")
      : context_(ssl::context::tls_server) {
    context_.use_certificate_chain(asio::buffer(server.certificate_pem));
    context_.use_private_key(asio::buffer(server.key_pem), ssl::context::pem);
    if (!client_ca_pem.empty()) {
      context_.add_certificate_authority(asio::buffer(client_ca_pem));
      context_.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    }
    acceptor_ = std::make_unique<asio::ip::tcp::acceptor>(
        io_, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port_ = acceptor_->local_endpoint().port();
    asio::co_spawn(io_, Accept(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TlsCollector() {
    io_.stop();
    thread_.join();
  }

  std::string url(const std::string& host = "127.0.0.1") const {
    return "https://" + host + ":" + std::to_string(port_) + "/v1/traces";
  }
  int port() const { return port_; }
  std::vector<std::string> bodies() const {
    std::lock_guard<std::mutex> lock(mu_);
    return bodies_;
  }
  std::vector<std::string> server_names() const {
    std::lock_guard<std::mutex> lock(mu_);
    return server_names_;
  }
  std::vector<std::string> client_subjects() const {
    std::lock_guard<std::mutex> lock(mu_);
    return client_subjects_;
  }
  int connections() const { return connections_; }
  int failed_handshakes() const { return failed_handshakes_; }

 private:
  static constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

  asio::awaitable<void> Accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_->async_accept(kTuple);
      if (ec) co_return;
      connections_++;
      asio::co_spawn(io_, Session(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> Session(asio::ip::tcp::socket socket) {
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), context_);
    auto [hec] = co_await stream.async_handshake(ssl::stream_base::server, kTuple);
    if (hec) {
      failed_handshakes_++;
      co_return;
    }
    RecordHandshake(stream.native_handle());
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> req;
      auto [rec, n] = co_await http::async_read(stream, buffer, req, kTuple);
      if (rec) {
        if (rec != http::error::end_of_stream)
          failed_handshakes_ += SSL_get_verify_result(stream.native_handle()) != X509_V_OK;
        co_return;
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        bodies_.push_back(req.body());
      }
      http::response<http::string_body> res{http::status::ok, 11};
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      auto [wec, w] = co_await http::async_write(stream, res, kTuple);
      if (wec || !res.keep_alive()) co_return;
    }
  }

  void RecordHandshake(SSL* ssl) {
    std::lock_guard<std::mutex> lock(mu_);
    const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    server_names_.push_back(name ? name : "");
    if (X509* peer = SSL_get1_peer_certificate(ssl)) {
      char subject[256];
      X509_NAME_oneline(X509_get_subject_name(peer), subject, sizeof(subject));
      client_subjects_.push_back(subject);
      X509_free(peer);
    }
  }

  ssl::context context_;
  asio::io_context io_{1};
  std::unique_ptr<asio::ip::tcp::acceptor> acceptor_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<std::string> bodies_;
  std::vector<std::string> server_names_;
  std::vector<std::string> client_subjects_;
  std::atomic<int> connections_{0};
  std::atomic<int> failed_handshakes_{0};
};

std::vector<SpanData> SomeSpans(int n) {
  auto exporter = std::make_shared<InMemorySpanExporter>();
  TracerProviderOptions o;
  o.processors.push_back(std::make_shared<SimpleSpanProcessor>(exporter));
  TracerProvider local(std::move(o));
  Tracer tracer = local.GetTracer("t");
  for (int i = 0; i < n; ++i) tracer.StartSpan("s" + std::to_string(i))->End();
  return exporter->spans();
}

int SpansIn(const std::string& body) {
  collector::trace::v1::ExportTraceServiceRequest request;
  if (!request.ParseFromString(body)) return -1;
  int n = 0;
  for (const auto& rs : request.resource_spans()) {
    for (const auto& ss : rs.scope_spans()) n += ss.spans_size();
  }
  return n;
}

RetryPolicy FastRetry(int attempts) {
  return {.max_attempts = attempts,
          .initial_backoff = std::chrono::milliseconds(5),
          .max_backoff = std::chrono::milliseconds(20)};
}

bool Contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// A CA, a server certificate of it for localhost and 127.0.0.1, and the CA in a file.
struct TlsFixture {
  TestCertificateAuthority ca{"Periscope Test CA"};
  IssuedCertificate server = ca.IssueServer("collector", "DNS:localhost,IP:127.0.0.1");
  TempFile ca_file{ca.certificate_pem()};
};

TEST(OtlpTlsTest, HttpsExportReachesTheCollectorOverOneKeptAliveConnection) {
  TlsFixture tls;
  TlsCollector collector(tls.server);
  OtlpSpanExporter exporter(
      {.endpoint = collector.url(), .retry = FastRetry(1), .tls = {.ca_file = tls.ca_file.path()}});
  ExportResult first = exporter.Export(SomeSpans(5));
  ASSERT_TRUE(first.ok()) << first.message;
  ExportResult second = exporter.Export(SomeSpans(7));
  ASSERT_TRUE(second.ok()) << second.message;
  std::vector<std::string> bodies = collector.bodies();
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(SpansIn(bodies[0]), 5);
  EXPECT_EQ(SpansIn(bodies[1]), 7);
  EXPECT_EQ(collector.connections(), 1);
  EXPECT_EQ(collector.server_names(), std::vector<std::string>{""});  // no SNI for an address
}

TEST(OtlpTlsTest, HttpsSendsTheHostNameAsServerName) {
  TlsFixture tls;
  TlsCollector collector(tls.server);
  OtlpSpanExporter exporter({.endpoint = collector.url("localhost"),
                             .retry = FastRetry(1),
                             .tls = {.ca_file = tls.ca_file.path()}});
  ExportResult result = exporter.Export(SomeSpans(1));
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(collector.server_names(), std::vector<std::string>{"localhost"});
}

TEST(OtlpTlsTest, UntrustedCertificateFailsAtOnceAndIsReported) {
  TlsFixture tls;
  TlsCollector collector(tls.server);
  CapturedDiagnostics diagnostics;
  {
    OtlpSpanExporter exporter({.endpoint = collector.url(), .retry = FastRetry(5)});  // no CA
    ExportResult result = exporter.Export(SomeSpans(3));
    EXPECT_FALSE(result.ok());
    EXPECT_TRUE(Contains(result.message, "certificate verify failed")) << result.message;
    EXPECT_EQ(exporter.stats().requests, 1u) << "a certificate error is not retried";
  }
  EXPECT_TRUE(collector.bodies().empty());
  std::vector<std::string> errors = diagnostics.messages(DiagnosticLevel::kError);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_TRUE(Contains(errors[0], collector.url())) << errors[0];
  EXPECT_TRUE(Contains(errors[0], "3 spans lost")) << errors[0];
  EXPECT_TRUE(Contains(errors[0], "unable to get local issuer certificate")) << errors[0];
}

TEST(OtlpTlsTest, CertificateForAnotherHostIsRejected) {
  TestCertificateAuthority ca("Periscope Test CA");
  TempFile ca_file(ca.certificate_pem());
  TlsCollector collector(ca.IssueServer("elsewhere", "DNS:collector.example,IP:10.1.2.3"));
  for (std::string host : {"127.0.0.1", "localhost"}) {
    OtlpSpanExporter exporter({.endpoint = collector.url(host),
                               .retry = FastRetry(3),
                               .tls = {.ca_file = ca_file.path()}});
    ExportResult result = exporter.Export(SomeSpans(1));
    EXPECT_FALSE(result.ok()) << host;
    EXPECT_TRUE(Contains(result.message, "mismatch")) << result.message;
    EXPECT_EQ(exporter.stats().requests, 1u);
  }
  EXPECT_TRUE(collector.bodies().empty());
}

TEST(OtlpTlsTest, MutualTlsPresentsTheClientCertificate) {
  TlsFixture tls;
  IssuedCertificate client = tls.ca.IssueClient("checkout");
  TempFile client_certificate(client.certificate_pem);
  TempFile client_key(client.key_pem);
  TlsCollector collector(tls.server, tls.ca.certificate_pem());
  OtlpSpanExporter exporter({.endpoint = collector.url(),
                             .retry = FastRetry(1),
                             .tls = {.ca_file = tls.ca_file.path(),
                                     .client_certificate_file = client_certificate.path(),
                                     .client_key_file = client_key.path()}});
  ExportResult result = exporter.Export(SomeSpans(2));
  ASSERT_TRUE(result.ok()) << result.message;
  ASSERT_EQ(collector.bodies().size(), 1u);
  EXPECT_EQ(collector.client_subjects(), std::vector<std::string>{"/CN=checkout"});
}

TEST(OtlpTlsTest, MutualTlsWithoutAClientCertificateFails) {
  TlsFixture tls;
  TlsCollector collector(tls.server, tls.ca.certificate_pem());
  OtlpSpanExporter exporter(
      {.endpoint = collector.url(), .retry = FastRetry(2), .tls = {.ca_file = tls.ca_file.path()}});
  EXPECT_FALSE(exporter.Export(SomeSpans(1)).ok());
  EXPECT_TRUE(collector.bodies().empty());
  EXPECT_GE(collector.failed_handshakes(), 1);
}

TEST(OtlpTlsTest, SilentServerTimesOutTheHandshake) {
  asio::io_context io;
  asio::ip::tcp::acceptor silent(io, {asio::ip::make_address("127.0.0.1"), 0});  // never accepts
  TlsFixture tls;
  OtlpSpanExporter exporter(
      {.endpoint = "https://127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/",
       .timeout = std::chrono::milliseconds(200),
       .retry = FastRetry(2),
       .tls = {.ca_file = tls.ca_file.path()}});
  auto start = std::chrono::steady_clock::now();
  ExportResult result = exporter.Export(SomeSpans(1));
  EXPECT_FALSE(result.ok());
  EXPECT_TRUE(Contains(result.message, "handshake")) << result.message;
  EXPECT_EQ(exporter.stats().requests, 2u) << "a timeout is retried";
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(OtlpTlsTest, UnreadableTlsFilesFailEveryExportAndSayWhy) {
  CapturedDiagnostics diagnostics;
  {
    OtlpSpanExporter exporter(
        {.endpoint = "https://127.0.0.1:1/v1/traces", .tls = {.ca_file = "/nonexistent/ca.pem"}});
    ExportResult result = exporter.Export(SomeSpans(1));
    EXPECT_FALSE(result.ok());
    EXPECT_TRUE(Contains(result.message, "/nonexistent/ca.pem")) << result.message;
    EXPECT_EQ(exporter.stats().requests, 0u);
  }
  std::vector<std::string> errors = diagnostics.messages(DiagnosticLevel::kError);
  ASSERT_EQ(errors.size(), 2u);  // at construction, then the lost export
  EXPECT_TRUE(Contains(errors[0], "cannot export")) << errors[0];
  EXPECT_TRUE(Contains(errors[1], "1 span lost")) << errors[1];

  TlsFixture tls;
  OtlpSpanExporter half_mtls({.endpoint = "https://127.0.0.1:1/v1/traces",
                              .tls = {.client_certificate_file = tls.ca_file.path()}});
  ExportResult result = half_mtls.Export(SomeSpans(1));
  EXPECT_TRUE(Contains(result.message, "together")) << result.message;

  TempFile not_pem("not a certificate");
  OtlpSpanExporter garbage(
      {.endpoint = "https://127.0.0.1:1/v1/traces", .tls = {.ca_file = not_pem.path()}});
  result = garbage.Export(SomeSpans(1));
  EXPECT_TRUE(Contains(result.message, "CA certificate")) << result.message;
}

// A gRPC TraceService that counts the spans it receives.
class CountingTraceService final : public collector::trace::v1::TraceService::Service {
 public:
  grpc::Status Export(grpc::ServerContext*,
                      const collector::trace::v1::ExportTraceServiceRequest* r,
                      collector::trace::v1::ExportTraceServiceResponse*) override {
    for (const auto& rs : r->resource_spans()) {
      for (const auto& ss : rs.scope_spans()) spans_ += ss.spans_size();
    }
    return grpc::Status::OK;
  }
  int spans() const { return spans_; }

 private:
  std::atomic<int> spans_{0};
};

TEST(OtlpTlsTest, GrpcTrustsTheConfiguredCa) {
  TlsFixture tls;
  grpc::SslServerCredentialsOptions credentials;
  credentials.pem_key_cert_pairs.push_back({tls.server.key_pem, tls.server.certificate_pem});
  CountingTraceService service;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::SslServerCredentials(credentials), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  const std::string endpoint = "https://127.0.0.1:" + std::to_string(port);

  OtlpSpanExporter trusting({.protocol = OtlpProtocol::kGrpc,
                             .endpoint = endpoint,
                             .timeout = std::chrono::seconds(5),
                             .retry = FastRetry(1),
                             .tls = {.ca_file = tls.ca_file.path()}});
  ExportResult result = trusting.Export(SomeSpans(4));
  EXPECT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(service.spans(), 4);

  OtlpSpanExporter system_roots({.protocol = OtlpProtocol::kGrpc,
                                 .endpoint = endpoint,
                                 .timeout = std::chrono::seconds(5),
                                 .retry = FastRetry(1)});
  EXPECT_FALSE(system_roots.Export(SomeSpans(1)).ok());
  EXPECT_EQ(service.spans(), 4);
  server->Shutdown();
}

// A gRPC TraceService on 127.0.0.1:0, over TLS with `server`'s certificate, else plain text.
struct CountingGrpcServer {
  explicit CountingGrpcServer(const IssuedCertificate* server = nullptr) {
    std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
    if (server != nullptr) {
      grpc::SslServerCredentialsOptions options;
      options.pem_key_cert_pairs.push_back({server->key_pem, server->certificate_pem});
      credentials = grpc::SslServerCredentials(options);
    }
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", credentials, &port);
    builder.RegisterService(&service);
    grpc = builder.BuildAndStart();
  }
  ~CountingGrpcServer() { grpc->Shutdown(); }
  std::string target() const { return "127.0.0.1:" + std::to_string(port); }

  CountingTraceService service;
  int port = 0;
  std::unique_ptr<grpc::Server> grpc;
};

TEST(OtlpTlsEnvTest, InsecureChoosesTlsForAGrpcEndpointWithoutScheme) {
  TlsFixture tls;
  CountingGrpcServer secure(&tls.server);
  CountingGrpcServer plain;
  struct Case {
    std::string endpoint;  // "<tls>"/"<plain>" stand for the servers' host:port
    std::map<std::string, std::string> insecure;
    bool tls;
  };
  const Case cases[] = {
      {"<plain>", {}, false},  // unset: plain text, as before the variable was read
      {"<plain>", {{"OTEL_EXPORTER_OTLP_INSECURE", "true"}}, false},
      {"<plain>", {{"OTEL_EXPORTER_OTLP_INSECURE", "TRUE"}}, false},
      {"<tls>", {{"OTEL_EXPORTER_OTLP_INSECURE", "false"}}, true},
      {"<tls>", {{"OTEL_EXPORTER_OTLP_INSECURE", "False"}}, true},
      {"<tls>",
       {{"OTEL_EXPORTER_OTLP_INSECURE", "true"}, {"OTEL_EXPORTER_OTLP_TRACES_INSECURE", "false"}},
       true},
      {"<plain>",
       {{"OTEL_EXPORTER_OTLP_INSECURE", "false"}, {"OTEL_EXPORTER_OTLP_TRACES_INSECURE", "true"}},
       false},
      {"<plain>", {{"OTEL_EXPORTER_OTLP_INSECURE", "yes"}}, false},  // invalid: the default
      {"http://<plain>", {{"OTEL_EXPORTER_OTLP_INSECURE", "false"}}, false},
      {"https://<tls>", {{"OTEL_EXPORTER_OTLP_INSECURE", "true"}}, true},
  };
  for (const Case& c : cases) {
    std::string endpoint = c.endpoint;
    const size_t at = endpoint.find('<');
    endpoint.replace(at, endpoint.size() - at, c.tls ? secure.target() : plain.target());
    std::map<std::string, std::string> vars = c.insecure;
    vars["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc";
    vars["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint;
    vars["OTEL_EXPORTER_OTLP_CERTIFICATE"] = tls.ca_file.path();
    const EnvGetter env = [&](std::string_view name) -> std::optional<std::string> {
      auto it = vars.find(std::string(name));
      return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
    OtlpExporterOptions options = OtlpExporterOptions::FromEnv(OtlpSignal::kTraces, env);
    options.timeout = std::chrono::seconds(5);
    options.retry = FastRetry(1);
    const std::string where =
        c.endpoint + " " +
        (c.insecure.empty() ? "{}"
                            : c.insecure.rbegin()->first + "=" + c.insecure.rbegin()->second);
    CountingGrpcServer& server = c.tls ? secure : plain;
    const int before = server.service.spans();
    OtlpSpanExporter exporter(options);
    ExportResult result = exporter.Export(SomeSpans(1));
    EXPECT_TRUE(result.ok()) << where << ": " << result.message;
    EXPECT_EQ(server.service.spans(), before + 1) << where;
  }
}

TEST(OtlpTlsEnvTest, GrpcTlsWithoutSchemeFailsAgainstAPlainTextServer) {
  TlsFixture tls;
  CountingGrpcServer plain;
  OtlpSpanExporter exporter({.protocol = OtlpProtocol::kGrpc,
                             .endpoint = plain.target(),
                             .timeout = std::chrono::seconds(5),
                             .retry = FastRetry(1),
                             .tls = {.ca_file = tls.ca_file.path()},
                             .insecure = false});
  EXPECT_FALSE(exporter.Export(SomeSpans(1)).ok());
  EXPECT_EQ(plain.service.spans(), 0);
}

TEST(OtlpTlsEnvTest, SignalSpecificFilesWinOverGenericOnes) {
  std::map<std::string, std::string> vars = {
      {"OTEL_EXPORTER_OTLP_CERTIFICATE", "/etc/ca.pem"},
      {"OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", "/etc/client.pem"},
      {"OTEL_EXPORTER_OTLP_CLIENT_KEY", "/etc/client.key"},
      {"OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE", "/etc/traces-ca.pem"},
      {"OTEL_EXPORTER_OTLP_LOGS_CLIENT_KEY", ""},
  };
  EnvGetter env = [&](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  OtlpExporterOptions traces;
  internal::ApplyTlsEnv(traces, OtlpSignal::kTraces, env);
  EXPECT_EQ(traces.tls.ca_file, "/etc/traces-ca.pem");
  EXPECT_EQ(traces.tls.client_certificate_file, "/etc/client.pem");
  EXPECT_EQ(traces.tls.client_key_file, "/etc/client.key");
  OtlpExporterOptions logs;
  internal::ApplyTlsEnv(logs, OtlpSignal::kLogs, env);
  EXPECT_EQ(logs.tls.ca_file, "/etc/ca.pem");
  EXPECT_EQ(logs.tls.client_key_file, "/etc/client.key");  // empty: the generic one
  OtlpExporterOptions none;
  internal::ApplyTlsEnv(none, OtlpSignal::kMetrics, [](std::string_view) { return std::nullopt; });
  EXPECT_TRUE(none.tls.ca_file.empty());
}

}  // namespace
}  // namespace periscope::trace
