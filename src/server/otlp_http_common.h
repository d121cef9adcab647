#pragma once

#include <string>
#include <string_view>

#include "api/http_types.h"
#include "base/status.h"

namespace periscope {

// Body encoding named by an OTLP/HTTP request's Content-Type.
enum class OtlpEncoding { kProtobuf, kJson, kUnknown };

// application/x-protobuf or application/protobuf -> kProtobuf, application/json -> kJson
// (parameters and case ignored).
OtlpEncoding OtlpContentEncoding(std::string_view content_type);

// An OTLP/HTTP error: the JSON google.rpc.Status-like {"error": ...} for JSON requests, plain
// text for protobuf ones. Counted in `bad_requests` when non-null.
HttpResponse OtlpHttpError(int status, std::string_view message, OtlpEncoding encoding);

// Checks the content type and undoes the content encoding of an OTLP/HTTP request. On success
// returns the raw body and sets *encoding; otherwise *error is the response to send (415 for an
// unknown content type or encoding, 413 past max_decoded_bytes, 400 for corrupt data). An
// unencoded body is moved out of req, not copied.
bool ReadOtlpHttpBody(HttpRequest& req, size_t max_decoded_bytes, OtlpEncoding* encoding,
                      std::string* body, HttpResponse* error);

}  // namespace periscope
