#include "demo/otlp_exporters.h"

#include <grpcpp/grpcpp.h>

#include <boost/beast.hpp>
#include <chrono>
#include <exception>
#include <string_view>

#include "opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.grpc.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"

namespace periscope::demo {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
namespace logs_v1 = ::opentelemetry::proto::collector::logs::v1;
namespace metrics_v1 = ::opentelemetry::proto::collector::metrics::v1;
namespace trace_v1 = ::opentelemetry::proto::collector::trace::v1;

constexpr auto kTimeout = std::chrono::seconds(5);

// InvalidArgument naming the count and message when the response reports rejected items.
Status CheckPartialSuccess(const trace_v1::ExportTraceServiceResponse& r) {
  if (r.partial_success().rejected_spans() == 0) return Status::Ok();
  return Status::InvalidArgument("receiver rejected {} spans: {}",
                                 r.partial_success().rejected_spans(),
                                 r.partial_success().error_message());
}

Status CheckPartialSuccess(const logs_v1::ExportLogsServiceResponse& r) {
  if (r.partial_success().rejected_log_records() == 0) return Status::Ok();
  return Status::InvalidArgument("receiver rejected {} log records: {}",
                                 r.partial_success().rejected_log_records(),
                                 r.partial_success().error_message());
}

Status CheckPartialSuccess(const metrics_v1::ExportMetricsServiceResponse& r) {
  if (r.partial_success().rejected_data_points() == 0) return Status::Ok();
  return Status::InvalidArgument("receiver rejected {} data points: {}",
                                 r.partial_success().rejected_data_points(),
                                 r.partial_success().error_message());
}

Status FromGrpc(const grpc::Status& status) {
  if (status.ok()) return Status::Ok();
  const auto code = status.error_code();
  if (code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::RESOURCE_EXHAUSTED ||
      code == grpc::StatusCode::DEADLINE_EXCEEDED || code == grpc::StatusCode::ABORTED) {
    return Status::Unavailable("OTLP/gRPC export: code {}: {}", static_cast<int>(code),
                               status.error_message());
  }
  return Status::InvalidArgument("OTLP/gRPC export: code {}: {}", static_cast<int>(code),
                                 status.error_message());
}

class GrpcExporter final : public OtlpExporter {
 public:
  explicit GrpcExporter(const std::string& target)
      : channel_(grpc::CreateChannel(target, grpc::InsecureChannelCredentials())),
        traces_(trace_v1::TraceService::NewStub(channel_)),
        logs_(logs_v1::LogsService::NewStub(channel_)),
        metrics_(metrics_v1::MetricsService::NewStub(channel_)) {}

  Status Export(const ExportTraceServiceRequest& request) override {
    return Call(*traces_, request, trace_v1::ExportTraceServiceResponse());
  }
  Status Export(const ExportLogsServiceRequest& request) override {
    return Call(*logs_, request, logs_v1::ExportLogsServiceResponse());
  }
  Status Export(const ExportMetricsServiceRequest& request) override {
    return Call(*metrics_, request, metrics_v1::ExportMetricsServiceResponse());
  }

 private:
  template <typename Stub, typename Request, typename Response>
  static Status Call(Stub& stub, const Request& request, Response response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + kTimeout);
    RETURN_IF_ERROR(FromGrpc(stub.Export(&context, request, &response)));
    return CheckPartialSuccess(response);
  }

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<trace_v1::TraceService::Stub> traces_;
  std::unique_ptr<logs_v1::LogsService::Stub> logs_;
  std::unique_ptr<metrics_v1::MetricsService::Stub> metrics_;
};

class HttpExporter final : public OtlpExporter {
 public:
  explicit HttpExporter(std::string host_port) : host_port_(std::move(host_port)), stream_(io_) {}

  Status Export(const ExportTraceServiceRequest& request) override {
    return Post("/v1/traces", request, trace_v1::ExportTraceServiceResponse());
  }
  Status Export(const ExportLogsServiceRequest& request) override {
    return Post("/v1/logs", request, logs_v1::ExportLogsServiceResponse());
  }
  Status Export(const ExportMetricsServiceRequest& request) override {
    return Post("/v1/metrics", request, metrics_v1::ExportMetricsServiceResponse());
  }

 private:
  template <typename Request, typename Response>
  Status Post(std::string_view path, const Request& request, Response response) {
    const std::string body = request.SerializeAsString();
    std::string answer;
    Status st = TrySend(path, body, &answer);
    if (!st.ok() && reused_) {  // a kept-alive connection may have been closed by the server
      Close();
      st = TrySend(path, body, &answer);
    }
    if (!st.ok()) {
      Close();
      return st;
    }
    if (!answer.empty() && response.ParseFromString(answer)) return CheckPartialSuccess(response);
    return Status::Ok();
  }

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

  // Sends one request; `answer` gets the body of a 200.
  Status TrySend(std::string_view path, const std::string& body, std::string* answer) {
    if (!connected_) RETURN_IF_ERROR(Connect());
    http::request<http::string_body> req(http::verb::post, path, 11);
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
    const unsigned code = res.result_int();
    if (code == 429 || code == 502 || code == 503 || code == 504) {
      return Status::Unavailable("OTLP/HTTP {} {} from {}: {}", code, path, host_port_,
                                 res.body().substr(0, 200));
    }
    if (code != 200) {
      return Status::InvalidArgument("OTLP/HTTP {} {} from {}: {}", code, path, host_port_,
                                     res.body().substr(0, 200));
    }
    *answer = std::move(res.body());
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

std::unique_ptr<OtlpExporter> NewGrpcExporter(const std::string& target) {
  return std::make_unique<GrpcExporter>(target);
}

std::unique_ptr<OtlpExporter> NewHttpExporter(const std::string& host_port) {
  return std::make_unique<HttpExporter>(host_port);
}

}  // namespace periscope::demo
