#include "server/otlp_http_common.h"

#include <cctype>

#include "ingest/body_decoding.h"

namespace periscope {

OtlpEncoding OtlpContentEncoding(std::string_view content_type) {
  std::string_view base = content_type.substr(0, content_type.find(';'));
  while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
  std::string lower(base);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "application/x-protobuf" || lower == "application/protobuf") {
    return OtlpEncoding::kProtobuf;
  }
  if (lower == "application/json") return OtlpEncoding::kJson;
  return OtlpEncoding::kUnknown;
}

HttpResponse OtlpHttpError(int status, std::string_view message, OtlpEncoding encoding) {
  if (encoding == OtlpEncoding::kProtobuf) return HttpResponse::Text(std::string(message), status);
  return HttpResponse::Error(status, message);
}

bool ReadOtlpHttpBody(HttpRequest& req, size_t max_decoded_bytes, OtlpEncoding* encoding,
                      std::string* body, HttpResponse* error) {
  *encoding = OtlpContentEncoding(req.Header("content-type"));
  if (*encoding == OtlpEncoding::kUnknown) {
    *error = OtlpHttpError(415,
                           "unsupported content type '" + req.Header("content-type") +
                               "': use application/x-protobuf or application/json",
                           OtlpEncoding::kJson);
    return false;
  }
  const std::string content_encoding = req.Header("content-encoding");
  if ((content_encoding.empty() || content_encoding == "identity") &&
      req.body.size() <= max_decoded_bytes) {
    *body = std::move(req.body);
    return true;
  }
  auto decoded = DecodeContentEncoding(content_encoding, req.body, max_decoded_bytes);
  if (!decoded.ok()) {
    const Status& s = decoded.status();
    const int code = s.code() == StatusCode::kResourceExhausted ? 413
                     : s.code() == StatusCode::kUnsupported     ? 415
                                                                : 400;
    *error = OtlpHttpError(code, s.message(), *encoding);
    return false;
  }
  *body = std::move(decoded).value();
  return true;
}

}  // namespace periscope
