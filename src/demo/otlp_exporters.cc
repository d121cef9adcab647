#include "demo/otlp_exporters.h"

#include <grpcpp/grpcpp.h>

#include <boost/beast.hpp>
#include <chrono>
#include <exception>

#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"

namespace periscope::demo {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using ::opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;
using ::opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse;
using ::opentelemetry::proto::collector::trace::v1::TraceService;

constexpr auto kTimeout = std::chrono::seconds(5);

Status CheckPartialSuccess(const ExportTraceServiceResponse& response) {
  if (response.partial_success().rejected_spans() > 0) {
    return Status::Unavailable("receiver rejected {} spans: {}",
                               response.partial_success().rejected_spans(),
                               response.partial_success().error_message());
  }
  return Status::Ok();
}

class GrpcTraceExporter final : public TraceExporter {
 public:
  explicit GrpcTraceExporter(const std::string& target)
      : stub_(TraceService::NewStub(
            grpc::CreateChannel(target, grpc::InsecureChannelCredentials()))) {}

  Status Export(const ExportTraceServiceRequest& request) override {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + kTimeout);
    ExportTraceServiceResponse response;
    grpc::Status status = stub_->Export(&context, request, &response);
    if (!status.ok()) {
      return Status::Unavailable("OTLP/gRPC export: code {}: {}",
                                 static_cast<int>(status.error_code()), status.error_message());
    }
    return CheckPartialSuccess(response);
  }

 private:
  std::unique_ptr<TraceService::Stub> stub_;
};

class HttpTraceExporter final : public TraceExporter {
 public:
  explicit HttpTraceExporter(std::string host_port)
      : host_port_(std::move(host_port)), stream_(io_) {}

  Status Export(const ExportTraceServiceRequest& request) override {
    std::string body = request.SerializeAsString();
    Status st = TrySend(body);
    if (!st.ok() && reused_) {  // a kept-alive connection may have been closed by the server
      Close();
      st = TrySend(body);
    }
    if (!st.ok()) Close();
    return st;
  }

 private:
  Status Connect() {
    size_t colon = host_port_.rfind(':');
    if (colon == std::string::npos) {
      return Status::InvalidArgument("OTLP/HTTP target '{}' is not host:port", host_port_);
    }
    tcp::resolver resolver(io_);
    beast::error_code ec;
    auto endpoints =
        resolver.resolve(host_port_.substr(0, colon), host_port_.substr(colon + 1), ec);
    if (ec) return Status::Unavailable("resolve {}: {}", host_port_, ec.message());
    stream_.expires_after(kTimeout);
    stream_.async_connect(endpoints, [&ec](beast::error_code e, const tcp::endpoint&) { ec = e; });
    RunIo();
    if (ec) return Status::Unavailable("connect {}: {}", host_port_, ec.message());
    connected_ = true;
    reused_ = false;
    return Status::Ok();
  }

  Status TrySend(const std::string& body) {
    if (!connected_) RETURN_IF_ERROR(Connect());
    http::request<http::string_body> req(http::verb::post, "/v1/traces", 11);
    req.set(http::field::host, host_port_);
    req.set(http::field::user_agent, "periscope-demo");
    req.set(http::field::content_type, "application/x-protobuf");
    req.keep_alive(true);
    req.body() = body;
    req.prepare_payload();
    beast::error_code ec;
    stream_.expires_after(kTimeout);
    http::async_write(stream_, req, [&ec](beast::error_code e, size_t) { ec = e; });
    RunIo();
    if (ec) return Status::Unavailable("OTLP/HTTP write to {}: {}", host_port_, ec.message());
    http::response<http::string_body> res;
    stream_.expires_after(kTimeout);
    http::async_read(stream_, buffer_, res, [&ec](beast::error_code e, size_t) { ec = e; });
    RunIo();
    if (ec) return Status::Unavailable("OTLP/HTTP read from {}: {}", host_port_, ec.message());
    reused_ = true;
    if (!res.keep_alive()) Close();
    if (res.result() != http::status::ok) {
      return Status::Unavailable("OTLP/HTTP {} from {}: {}", res.result_int(), host_port_,
                                 res.body().substr(0, 200));
    }
    ExportTraceServiceResponse response;
    if (!res.body().empty() && response.ParseFromString(res.body())) {
      return CheckPartialSuccess(response);
    }
    return Status::Ok();
  }

  void RunIo() {
    io_.restart();
    try {
      io_.run();
    } catch (const std::exception&) {
      Close();
    }
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
    buffer_.clear();
    connected_ = false;
    reused_ = false;
  }

  std::string host_port_;
  asio::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  bool connected_ = false;
  bool reused_ = false;
};

}  // namespace

std::unique_ptr<TraceExporter> NewGrpcTraceExporter(const std::string& target) {
  return std::make_unique<GrpcTraceExporter>(target);
}

std::unique_ptr<TraceExporter> NewHttpTraceExporter(const std::string& host_port) {
  return std::make_unique<HttpTraceExporter>(host_port);
}

}  // namespace periscope::demo
