#include "server/metrics_receivers.h"

#include <grpcpp/grpcpp.h>

#include "base/log.h"
#include "base/metrics.h"
#include "ingest/body_decoding.h"
#include "ingest/otlp/metrics_decoder.h"
#include "ingest/promrw/remote_write_decoder.h"

namespace periscope {

namespace {

namespace otlp = opentelemetry::proto::collector::metrics::v1;

Counter* const g_bad_requests = MetricsRegistry::Global().NewCounter(
    "periscope_metrics_bad_requests_total", "Metric write requests refused with a 4xx.");
Counter* const g_rejected = MetricsRegistry::Global().NewCounter(
    "periscope_metric_points_rejected_total", "OTLP points or remote-write series rejected.");

std::string LowerBase(std::string_view content_type) {
  std::string_view base = content_type.substr(0, content_type.find(';'));
  while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
  std::string lower(base);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

HttpResponse Refuse(int status, std::string_view message, bool json) {
  g_bad_requests->Add();
  return json ? HttpResponse::Error(status, message)
              : HttpResponse::Text(std::string(message), status);
}

int CodeFor(const Status& s) {
  return s.code() == StatusCode::kResourceExhausted ? 413
         : s.code() == StatusCode::kUnsupported     ? 415
                                                    : 400;
}

HttpResponse HandleOtlp(MetricsPipeline& pipeline, const MetricsHttpOptions& options,
                        HttpRequest& req) {
  const std::string type = LowerBase(req.Header("content-type"));
  const bool json = type == "application/json";
  if (!json && type != "application/x-protobuf" && type != "application/protobuf") {
    return Refuse(415,
                  "unsupported content type '" + req.Header("content-type") +
                      "': use application/x-protobuf or application/json",
                  true);
  }
  auto body =
      DecodeContentEncoding(req.Header("content-encoding"), req.body, options.max_decoded_bytes);
  if (!body.ok()) return Refuse(CodeFor(body.status()), body.status().message(), json);
  auto decoded =
      json ? DecodeMetricsJson(*body, req.Tenant()) : DecodeMetricsProtobuf(*body, req.Tenant());
  if (!decoded.ok()) return Refuse(400, decoded.status().message(), json);
  g_rejected->Add(static_cast<uint64_t>(decoded->rejected_points));
  Status s =
      pipeline.Ingest(std::move(decoded->batch), WalRecordType::kOtlpMetrics, decoded->wal_payload);
  if (!s.ok()) {
    LogError("metrics ingest failed: {}", s.ToString());
    return Refuse(503, "metrics could not be stored durably: " + s.message(), json);
  }
  HttpResponse r;
  r.content_type = json ? "application/json" : "application/x-protobuf";
  r.body = EncodeMetricsResponse(decoded->rejected_points, decoded->error_message, json);
  return r;
}

HttpResponse HandleRemoteWrite(MetricsPipeline& pipeline, const MetricsHttpOptions& options,
                               HttpRequest& req) {
  const std::string raw_type = req.Header("content-type");
  const std::string type = LowerBase(raw_type);
  if (!raw_type.empty() && type != "application/x-protobuf") {
    return Refuse(
        415,
        "unsupported content type '" + raw_type + "': remote write takes application/x-protobuf",
        false);
  }
  if (raw_type.find("io.prometheus.write.v2") != std::string::npos) {
    return Refuse(415, "remote write 2.0 is not supported; send prometheus.WriteRequest", false);
  }
  const std::string encoding = LowerBase(req.Header("content-encoding"));
  if (!encoding.empty() && encoding != "snappy") {
    return Refuse(415, "unsupported content encoding '" + encoding + "': remote write is snappy",
                  false);
  }
  const RemoteWriteSeriesResolver resolver = pipeline.RemoteWriteResolver(req.Tenant());
  auto decoded = DecodeRemoteWrite(req.body, req.Tenant(), options.max_decoded_bytes, &resolver);
  if (!decoded.ok()) return Refuse(CodeFor(decoded.status()), decoded.status().message(), false);
  g_rejected->Add(static_cast<uint64_t>(decoded->rejected_series));
  Status s = pipeline.IngestRemoteWrite(*decoded);
  if (!s.ok()) {
    LogError("remote write ingest failed: {}", s.ToString());
    return Refuse(503, "samples could not be stored durably: " + s.message(), false);
  }
  if (decoded->rejected_series > 0) {
    // Prometheus retries 5xx only; a 400 tells it the rejected part will never be accepted.
    return Refuse(400, decoded->error_message, false);
  }
  HttpResponse r;
  r.status = 204;
  r.content_type = "text/plain";
  return r;
}

std::string TenantOf(const grpc::ServerContext* ctx) {
  auto it = ctx->client_metadata().find("x-scope-orgid");
  if (it == ctx->client_metadata().end() || it->second.empty()) return "default";
  return std::string(it->second.data(), it->second.size());
}

}  // namespace

void RegisterMetricsHttpReceivers(Router& router, MetricsPipeline& pipeline,
                                  MetricsHttpOptions options) {
  router.Add("POST", "/v1/metrics",
             [&pipeline, options](HttpRequest& req) { return HandleOtlp(pipeline, options, req); });
  for (const char* path : {"/api/v1/write", "/prometheus/api/v1/write"}) {
    router.Add("POST", path, [&pipeline, options](HttpRequest& req) {
      return HandleRemoteWrite(pipeline, options, req);
    });
  }
}

grpc::Status MetricsGrpcService::Export(grpc::ServerContext* ctx,
                                        const otlp::ExportMetricsServiceRequest* request,
                                        otlp::ExportMetricsServiceResponse* response) {
  DecodedMetrics decoded = DecodeMetricsMessage(*request, TenantOf(ctx));
  g_rejected->Add(static_cast<uint64_t>(decoded.rejected_points));
  Status s =
      pipeline_.Ingest(std::move(decoded.batch), WalRecordType::kOtlpMetrics, decoded.wal_payload);
  if (!s.ok()) {
    LogError("metrics ingest failed: {}", s.ToString());
    return {grpc::StatusCode::UNAVAILABLE, "metrics could not be stored durably: " + s.message()};
  }
  if (decoded.rejected_points > 0 || !decoded.error_message.empty()) {
    response->mutable_partial_success()->set_rejected_data_points(decoded.rejected_points);
    response->mutable_partial_success()->set_error_message(decoded.error_message);
  }
  return grpc::Status::OK;
}

}  // namespace periscope
