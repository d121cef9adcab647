#include "server/otlp_logs_receiver.h"

#include <grpcpp/grpcpp.h>

#include "base/log.h"
#include "base/metrics.h"
#include "base/time.h"
#include "ingest/otlp/log_decoder.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"
#include "server/otlp_http_common.h"

namespace periscope {

namespace {

namespace otlp = opentelemetry::proto::collector::logs::v1;

Counter* const g_bad_requests = MetricsRegistry::Global().NewCounter(
    "periscope_otlp_logs_http_bad_requests_total", "OTLP/HTTP logs requests refused with a 4xx.");
Counter* const g_grpc_requests = MetricsRegistry::Global().NewCounter(
    "periscope_otlp_logs_grpc_requests_total", "OTLP/gRPC logs export calls.");

HttpResponse Counted(HttpResponse r) {
  if (r.status >= 400 && r.status < 500) g_bad_requests->Add();
  return r;
}

HttpResponse HandleLogs(LogPipeline& pipeline, const OtlpHttpOptions& options, HttpRequest& req) {
  OtlpEncoding encoding;
  std::string body;
  HttpResponse error;
  if (!ReadOtlpHttpBody(req, options.max_decoded_bytes, &encoding, &body, &error)) {
    return Counted(std::move(error));
  }
  const std::string tenant = req.Tenant();
  const bool json = encoding == OtlpEncoding::kJson;
  auto decoded = json ? DecodeLogsJson(body, tenant, NowNanos())
                      : DecodeLogsProtobufBody(std::move(body), tenant, NowNanos());
  if (!decoded.ok()) return Counted(OtlpHttpError(400, decoded.status().message(), encoding));
  Status s = pipeline.IngestBatch(*decoded);
  // The WAL has written the payload: its buffer goes back to the connection for the next body.
  if (req.body.capacity() < decoded->wal_payload.capacity()) {
    req.body = std::move(decoded->wal_payload);
  }
  if (!s.ok()) {
    LogError("log ingest failed: {}", s.ToString());
    return OtlpHttpError(503, "log records could not be stored durably: " + s.message(), encoding);
  }
  HttpResponse r;
  r.content_type = json ? "application/json" : "application/x-protobuf";
  r.body = EncodeLogsResponse(decoded->rejected_records, decoded->error_message, json);
  return r;
}

std::string TenantOf(const grpc::ServerContext* ctx) {
  auto it = ctx->client_metadata().find("x-scope-orgid");
  if (it == ctx->client_metadata().end() || it->second.empty()) return "default";
  return std::string(it->second.data(), it->second.size());
}

// LogsService implementation feeding the log pipeline; thread-safe.
class LogsServiceImpl final : public otlp::LogsService::Service {
 public:
  explicit LogsServiceImpl(LogPipeline& pipeline) : pipeline_(pipeline) {}

  grpc::Status Export(grpc::ServerContext* ctx, const otlp::ExportLogsServiceRequest* request,
                      otlp::ExportLogsServiceResponse* response) override {
    g_grpc_requests->Add();
    auto& mutable_request = const_cast<otlp::ExportLogsServiceRequest&>(*request);
    DecodedLogs decoded = DecodeLogsMessage(mutable_request, TenantOf(ctx), NowNanos());
    const int64_t rejected = decoded.rejected_records;
    std::string message = decoded.error_message;
    Status s = pipeline_.Ingest(std::move(decoded));
    if (!s.ok()) {
      LogError("log ingest failed: {}", s.ToString());
      return {grpc::StatusCode::UNAVAILABLE,
              "log records could not be stored durably: " + s.message()};
    }
    if (rejected > 0 || !message.empty()) {
      response->mutable_partial_success()->set_rejected_log_records(rejected);
      response->mutable_partial_success()->set_error_message(message);
    }
    return grpc::Status::OK;
  }

 private:
  LogPipeline& pipeline_;
};

}  // namespace

void RegisterOtlpLogsHttpReceiver(Router& router, LogPipeline& pipeline, OtlpHttpOptions options) {
  router.Add("POST", "/v1/logs",
             [&pipeline, options](HttpRequest& req) { return HandleLogs(pipeline, options, req); });
}

std::unique_ptr<grpc::Service> NewOtlpLogsGrpcService(LogPipeline& pipeline) {
  return std::make_unique<LogsServiceImpl>(pipeline);
}

}  // namespace periscope
