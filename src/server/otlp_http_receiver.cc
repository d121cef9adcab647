#include "server/otlp_http_receiver.h"

#include "base/log.h"
#include "base/metrics.h"
#include "ingest/otlp/trace_decoder.h"
#include "server/otlp_http_common.h"

namespace periscope {

namespace {

Counter* const g_bad_requests = MetricsRegistry::Global().NewCounter(
    "periscope_otlp_http_bad_requests_total", "OTLP/HTTP requests refused with a 4xx.");

HttpResponse BadRequest(int status, std::string_view message, OtlpEncoding encoding) {
  g_bad_requests->Add();
  return OtlpHttpError(status, message, encoding);
}

HttpResponse HandleTraces(TracePipeline& pipeline, const OtlpHttpOptions& options,
                          HttpRequest& req) {
  OtlpEncoding encoding;
  std::string body;
  HttpResponse error;
  if (!ReadOtlpHttpBody(req, options.max_decoded_bytes, &encoding, &body, &error)) {
    g_bad_requests->Add();
    return error;
  }
  const std::string tenant = req.Tenant();
  auto decoded = encoding == OtlpEncoding::kJson ? DecodeTracesJson(body, tenant)
                                                 : DecodeTracesProtobuf(body, tenant);
  if (!decoded.ok()) return BadRequest(400, decoded.status().message(), encoding);
  const int64_t rejected = decoded->rejected_spans;
  std::string message = decoded->error_message;
  Status s = pipeline.Ingest(std::move(decoded).value());
  if (!s.ok()) {
    LogError("ingest failed: {}", s.ToString());
    return BadRequest(503, "spans could not be stored durably: " + s.message(), encoding);
  }
  HttpResponse r;
  r.content_type = encoding == OtlpEncoding::kJson ? "application/json" : "application/x-protobuf";
  r.body = EncodeTraceResponse(rejected, message, encoding == OtlpEncoding::kJson);
  return r;
}

}  // namespace

void RegisterOtlpHttpReceiver(Router& router, TracePipeline& pipeline, OtlpHttpOptions options) {
  router.Add("POST", "/v1/traces", [&pipeline, options](HttpRequest& req) {
    return HandleTraces(pipeline, options, req);
  });
}

}  // namespace periscope
