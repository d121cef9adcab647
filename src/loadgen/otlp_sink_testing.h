#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"

namespace periscope::testing {

// keep_requests: keep a parsed copy of each request; parse=false acks HTTP requests without
// decoding (to measure a sender, not the sink); rejected_per_request: spans reported as partial
// rejections in every response.
struct OtlpTestSinkOptions {
  bool keep_requests = false;
  bool parse = true;
  int64_t rejected_per_request = 0;
};

// In-process OTLP trace receiver for tests: a gRPC TraceService and an HTTP "POST /v1/traces"
// listener, both on 127.0.0.1 with kernel-chosen ports, counting what they accept.
// Thread-safe; both listeners stop in the destructor.
class OtlpTestSink {
 public:
  using Request = ::opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;
  using Response = ::opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse;

  using Options = OtlpTestSinkOptions;

  explicit OtlpTestSink(Options options = {}) : options_(options), grpc_service_(this) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &grpc_port_);
    builder.SetMaxReceiveMessageSize(64 << 20);
    builder.RegisterService(&grpc_service_);
    grpc_server_ = builder.BuildAndStart();

    namespace asio = boost::asio;
    acceptor_ = std::make_unique<asio::ip::tcp::acceptor>(
        io_, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    http_port_ = acceptor_->local_endpoint().port();
    asio::co_spawn(io_, Accept(), asio::detached);
    io_thread_ = std::thread([this] { io_.run(); });
  }

  ~OtlpTestSink() {
    if (grpc_server_) grpc_server_->Shutdown();
    io_.stop();
    io_thread_.join();
  }

  std::string grpc_target() const { return "127.0.0.1:" + std::to_string(grpc_port_); }
  std::string http_target() const { return "127.0.0.1:" + std::to_string(http_port_); }
  uint64_t grpc_requests() const { return grpc_requests_; }
  uint64_t grpc_spans() const { return grpc_spans_; }
  uint64_t http_requests() const { return http_requests_; }
  uint64_t http_spans() const { return http_spans_; }
  uint64_t http_bad_requests() const { return http_bad_requests_; }
  // Requests received so far over either protocol (only with keep_requests).
  std::vector<Request> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return kept_;
  }

 private:
  class GrpcService final
      : public ::opentelemetry::proto::collector::trace::v1::TraceService::Service {
   public:
    explicit GrpcService(OtlpTestSink* sink) : sink_(sink) {}
    grpc::Status Export(grpc::ServerContext*, const Request* request, Response* response) override {
      uint64_t spans = sink_->Accept(*request, response);
      sink_->grpc_requests_++;
      sink_->grpc_spans_ += spans;
      return grpc::Status::OK;
    }

   private:
    OtlpTestSink* sink_;
  };

  static uint64_t CountSpans(const Request& request) {
    uint64_t n = 0;
    for (const auto& rs : request.resource_spans()) {
      for (const auto& ss : rs.scope_spans()) n += static_cast<uint64_t>(ss.spans_size());
    }
    return n;
  }

  uint64_t Accept(const Request& request, Response* response) {
    if (options_.rejected_per_request > 0) {
      response->mutable_partial_success()->set_rejected_spans(options_.rejected_per_request);
      response->mutable_partial_success()->set_error_message("test rejection");
    }
    if (options_.keep_requests) {
      std::lock_guard<std::mutex> lock(mu_);
      kept_.push_back(request);
    }
    return CountSpans(request);
  }

  boost::asio::awaitable<void> Accept() {
    namespace asio = boost::asio;
    for (;;) {
      auto [ec, socket] = co_await acceptor_->async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      asio::co_spawn(io_, Session(std::move(socket)), asio::detached);
    }
  }

  boost::asio::awaitable<void> Session(boost::asio::ip::tcp::socket socket) {
    namespace asio = boost::asio;
    namespace http = boost::beast::http;
    constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
    boost::beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(64 << 20);
      auto [ec, n] = co_await http::async_read(socket, buffer, parser, kTuple);
      if (ec) co_return;
      const auto& req = parser.get();
      http::response<http::string_body> res;
      res.version(11);
      res.keep_alive(req.keep_alive());
      Request request;
      Response response;
      if (req.method() != http::verb::post || req.target() != "/v1/traces" ||
          req[http::field::content_type] != "application/x-protobuf") {
        res.result(http::status::not_found);
        http_bad_requests_++;
      } else if (!options_.parse) {
        res.result(http::status::ok);
        http_requests_++;
      } else if (!request.ParseFromString(req.body())) {
        res.result(http::status::bad_request);
        res.body() = "bad protobuf";
        http_bad_requests_++;
      } else {
        uint64_t spans = Accept(request, &response);
        http_requests_++;
        http_spans_ += spans;
        res.result(http::status::ok);
        res.set(http::field::content_type, "application/x-protobuf");
        res.body() = response.SerializeAsString();
      }
      res.prepare_payload();
      auto [wec, written] = co_await http::async_write(socket, res, kTuple);
      if (wec || !res.keep_alive()) co_return;
    }
  }

  Options options_;
  GrpcService grpc_service_;
  std::unique_ptr<grpc::Server> grpc_server_;
  int grpc_port_ = 0;
  boost::asio::io_context io_{1};
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  int http_port_ = 0;
  std::thread io_thread_;
  std::atomic<uint64_t> grpc_requests_{0}, grpc_spans_{0}, http_requests_{0}, http_spans_{0},
      http_bad_requests_{0};
  mutable std::mutex mu_;
  std::vector<Request> kept_;
};

}  // namespace periscope::testing
