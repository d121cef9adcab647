#include "server/otlp_http_receiver.h"

#include "base/log.h"
#include "base/metrics.h"
#include "ingest/body_decoding.h"
#include "ingest/otlp/trace_decoder.h"

namespace periscope {

namespace {

Counter* const g_bad_requests = MetricsRegistry::Global().NewCounter(
    "periscope_otlp_http_bad_requests_total", "OTLP/HTTP requests refused with a 4xx.");

enum class Encoding { kProtobuf, kJson, kUnknown };

Encoding ContentTypeEncoding(std::string_view content_type) {
  std::string_view base = content_type.substr(0, content_type.find(';'));
  while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
  std::string lower(base);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "application/x-protobuf" || lower == "application/protobuf") {
    return Encoding::kProtobuf;
  }
  if (lower == "application/json") return Encoding::kJson;
  return Encoding::kUnknown;
}

// OTLP/HTTP errors carry a google.rpc.Status; for JSON requests we answer its JSON form, for
// protobuf ones the message as plain text is what clients log.
HttpResponse OtlpError(int status, std::string_view message, Encoding encoding) {
  g_bad_requests->Add();
  if (encoding == Encoding::kProtobuf) {
    HttpResponse r = HttpResponse::Text(std::string(message), status);
    return r;
  }
  return HttpResponse::Error(status, message);
}

HttpResponse HandleTraces(TracePipeline& pipeline, const OtlpHttpOptions& options,
                          HttpRequest& req) {
  const Encoding encoding = ContentTypeEncoding(req.Header("content-type"));
  if (encoding == Encoding::kUnknown) {
    return OtlpError(415,
                     "unsupported content type '" + req.Header("content-type") +
                         "': use application/x-protobuf or application/json",
                     Encoding::kJson);
  }
  auto body =
      DecodeContentEncoding(req.Header("content-encoding"), req.body, options.max_decoded_bytes);
  if (!body.ok()) {
    const Status& s = body.status();
    int code = s.code() == StatusCode::kResourceExhausted ? 413
               : s.code() == StatusCode::kUnsupported     ? 415
                                                          : 400;
    return OtlpError(code, s.message(), encoding);
  }
  const std::string tenant = req.Tenant();
  auto decoded = encoding == Encoding::kJson ? DecodeTracesJson(*body, tenant)
                                             : DecodeTracesProtobuf(*body, tenant);
  if (!decoded.ok()) return OtlpError(400, decoded.status().message(), encoding);
  const int64_t rejected = decoded->rejected_spans;
  std::string message = decoded->error_message;
  Status s = pipeline.Ingest(std::move(decoded).value());
  if (!s.ok()) {
    LogError("ingest failed: {}", s.ToString());
    return OtlpError(503, "spans could not be stored durably: " + s.message(), encoding);
  }
  HttpResponse r;
  r.content_type = encoding == Encoding::kJson ? "application/json" : "application/x-protobuf";
  r.body = EncodeTraceResponse(rejected, message, encoding == Encoding::kJson);
  return r;
}

}  // namespace

void RegisterOtlpHttpReceiver(Router& router, TracePipeline& pipeline, OtlpHttpOptions options) {
  router.Add("POST", "/v1/traces", [&pipeline, options](HttpRequest& req) {
    return HandleTraces(pipeline, options, req);
  });
}

}  // namespace periscope
