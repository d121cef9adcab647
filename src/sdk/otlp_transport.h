#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "periscope/trace/otlp.h"

namespace periscope::trace::internal {

// The outcome of one request: ok, retryable (with an optional server-given delay), or a
// permanent failure; plus the items the server rejected in a partial success, and its message.
struct SendOutcome {
  ExportResult result;
  int64_t rejected = 0;
  std::string partial_success_message;
};

// Sends one OTLP export request of a fixed signal, once (no retries). Not thread-safe: one
// caller at a time.
class OtlpTransport {
 public:
  virtual ~OtlpTransport() = default;
  // request: the serialized Export*ServiceRequest of the transport's signal.
  virtual SendOutcome Send(std::string_view request) = 0;
};

// The endpoint an exporter uses when options.endpoint is empty.
std::string DefaultEndpoint(OtlpProtocol protocol, OtlpSignal signal);

// HTTP/1.1 POST of application/x-protobuf to an http:// or https:// URL, over a kept-alive
// connection. Returns nullptr and sets *error for an unsupported or malformed URL, or TLS files
// that cannot be loaded.
std::unique_ptr<OtlpTransport> MakeHttpTransport(const OtlpExporterOptions& options,
                                                 OtlpSignal signal, std::string* error);
// Unary Export calls of the signal's service, sending the serialized request as is. Returns
// nullptr and sets *error when TLS files cannot be read.
std::unique_ptr<OtlpTransport> MakeGrpcTransport(const OtlpExporterOptions& options,
                                                 OtlpSignal signal, std::string* error);

// The RetryInfo delay inside a serialized google.rpc.Status (grpc-status-details-bin), if any.
std::optional<std::chrono::milliseconds> ParseRetryInfoDelay(std::string_view status_details);

// gzip (RFC 1952) of data.
std::string GzipCompress(std::string_view data);

}  // namespace periscope::trace::internal
