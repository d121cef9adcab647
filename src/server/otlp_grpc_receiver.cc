#include "server/otlp_grpc_receiver.h"

#include <grpcpp/grpcpp.h>

#include "base/log.h"
#include "base/metrics.h"
#include "ingest/otlp/trace_decoder.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"

namespace periscope {

namespace otlp = opentelemetry::proto::collector::trace::v1;

namespace {

Counter* const g_grpc_requests = MetricsRegistry::Global().NewCounter(
    "periscope_otlp_grpc_requests_total", "OTLP/gRPC export calls.");

// Tenant from the X-Scope-OrgID metadata, "default" when absent.
std::string TenantOf(const grpc::ServerContext* ctx) {
  auto it = ctx->client_metadata().find("x-scope-orgid");
  if (it == ctx->client_metadata().end() || it->second.empty()) return "default";
  return std::string(it->second.data(), it->second.size());
}

// TraceService implementation feeding the trace pipeline; thread-safe.
class TraceServiceImpl final : public otlp::TraceService::Service {
 public:
  explicit TraceServiceImpl(TracePipeline& pipeline) : pipeline_(pipeline) {}

  grpc::Status Export(grpc::ServerContext* ctx, const otlp::ExportTraceServiceRequest* request,
                      otlp::ExportTraceServiceResponse* response) override {
    g_grpc_requests->Add();
    auto& mutable_request = const_cast<otlp::ExportTraceServiceRequest&>(*request);
    DecodedTraces decoded = DecodeTracesMessage(mutable_request, TenantOf(ctx));
    const int64_t rejected = decoded.rejected_spans;
    std::string message = decoded.error_message;
    Status s = pipeline_.Ingest(std::move(decoded));
    if (!s.ok()) {
      LogError("ingest failed: {}", s.ToString());
      return {grpc::StatusCode::UNAVAILABLE, "spans could not be stored durably: " + s.message()};
    }
    if (rejected > 0 || !message.empty()) {
      response->mutable_partial_success()->set_rejected_spans(rejected);
      response->mutable_partial_success()->set_error_message(message);
    }
    return grpc::Status::OK;
  }

 private:
  TracePipeline& pipeline_;
};

}  // namespace

struct OtlpGrpcReceiver::Impl {
  explicit Impl(TracePipeline& p) : service(p) {}
  TraceServiceImpl service;
  std::unique_ptr<grpc::Server> server;
};

OtlpGrpcReceiver::OtlpGrpcReceiver(OtlpGrpcOptions options, TracePipeline& pipeline)
    : options_(std::move(options)), pipeline_(pipeline) {}

OtlpGrpcReceiver::~OtlpGrpcReceiver() { Stop(); }

void OtlpGrpcReceiver::AddService(std::unique_ptr<grpc::Service> service) {
  extra_services_.push_back(std::move(service));
}

Status OtlpGrpcReceiver::Start() {
  impl_ = std::make_unique<Impl>(pipeline_);
  grpc::ServerBuilder builder;
  int selected = 0;
  builder.AddListeningPort(options_.listen, grpc::InsecureServerCredentials(), &selected);
  builder.SetMaxReceiveMessageSize(options_.max_receive_bytes);
  builder.RegisterService(&impl_->service);
  for (const auto& service : extra_services_) builder.RegisterService(service.get());
  impl_->server = builder.BuildAndStart();
  if (!impl_->server || selected == 0) {
    impl_.reset();
    return Status::IOError("OTLP/gRPC cannot listen on {}", options_.listen);
  }
  port_ = static_cast<uint16_t>(selected);
  return Status::Ok();
}

void OtlpGrpcReceiver::Stop() {
  if (!impl_) return;
  impl_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  impl_->server->Wait();
  impl_.reset();
}

}  // namespace periscope
