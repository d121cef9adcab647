#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <cctype>
#include <condition_variable>
#include <mutex>

#include "sdk/otlp_partial_success.h"
#include "sdk/otlp_transport.h"
#include "sdk/tls_files.h"

namespace periscope::trace::internal {
namespace {

// A gRPC status code as its name and number, "UNAVAILABLE (14)".
std::string GrpcCodeName(grpc::StatusCode code) {
  static constexpr std::string_view kNames[] = {"OK",
                                                "CANCELLED",
                                                "UNKNOWN",
                                                "INVALID_ARGUMENT",
                                                "DEADLINE_EXCEEDED",
                                                "NOT_FOUND",
                                                "ALREADY_EXISTS",
                                                "PERMISSION_DENIED",
                                                "RESOURCE_EXHAUSTED",
                                                "FAILED_PRECONDITION",
                                                "ABORTED",
                                                "OUT_OF_RANGE",
                                                "UNIMPLEMENTED",
                                                "INTERNAL",
                                                "UNAVAILABLE",
                                                "DATA_LOSS",
                                                "UNAUTHENTICATED"};
  const auto index = static_cast<size_t>(code);
  const std::string number = std::to_string(static_cast<int>(code));
  if (index >= std::size(kNames)) return number;
  return std::string(kNames[index]) + " (" + number + ")";
}

// Minimal protobuf wire reader for google.rpc.Status / Any / RetryInfo / Duration.
class WireReader {
 public:
  explicit WireReader(std::string_view data) : data_(data) {}
  bool done() const { return pos_ >= data_.size(); }
  bool Varint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64 && pos_ < data_.size(); shift += 7) {
      auto b = static_cast<uint8_t>(data_[pos_++]);
      *v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }
  // Reads one field; *bytes is set for length-delimited fields, *value for varints.
  bool Field(uint32_t* number, uint32_t* wire_type, uint64_t* value, std::string_view* bytes) {
    uint64_t tag;
    if (!Varint(&tag)) return false;
    *number = static_cast<uint32_t>(tag >> 3);
    *wire_type = static_cast<uint32_t>(tag & 7);
    switch (*wire_type) {
      case 0:
        return Varint(value);
      case 1:
        return Skip(8);
      case 5:
        return Skip(4);
      case 2: {
        uint64_t len;
        if (!Varint(&len) || len > data_.size() - pos_) return false;
        *bytes = data_.substr(pos_, len);
        pos_ += len;
        return true;
      }
      default:
        return false;
    }
  }

 private:
  bool Skip(size_t n) {
    if (n > data_.size() - pos_) return false;
    pos_ += n;
    return true;
  }
  std::string_view data_;
  size_t pos_ = 0;
};

std::optional<std::chrono::milliseconds> ParseDuration(std::string_view data) {
  WireReader r(data);
  int64_t seconds = 0, nanos = 0;
  while (!r.done()) {
    uint32_t n, wt;
    uint64_t v = 0;
    std::string_view b;
    if (!r.Field(&n, &wt, &v, &b)) return std::nullopt;
    if (n == 1 && wt == 0) seconds = static_cast<int64_t>(v);
    if (n == 2 && wt == 0) nanos = static_cast<int32_t>(v);
  }
  if (seconds < 0 || nanos < 0) return std::nullopt;
  return std::chrono::milliseconds(seconds * 1000 + nanos / 1000000);
}

bool IsRetryableCode(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::OUT_OF_RANGE:
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DATA_LOSS:
      return true;
    default:
      return false;
  }
}

// Whether the channel failed because its host name does not exist (NXDOMAIN), as gRPC's c-ares
// ("Domain name not found") and native ("Name or service not known") resolvers word it. A DNS
// server that cannot be reached, or answers SERVFAIL, is not that.
bool IsUnknownHost(const grpc::Status& status) {
  const std::string& message = status.error_message();
  return status.error_code() == grpc::StatusCode::UNAVAILABLE &&
         message.find("DNS resolution failed") != std::string::npos &&
         (message.find("Domain name not found") != std::string::npos ||
          message.find("Name or service not known") != std::string::npos);
}

std::string MethodPath(OtlpSignal signal) {
  switch (signal) {
    case OtlpSignal::kTraces:
      return "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
    case OtlpSignal::kLogs:
      return "/opentelemetry.proto.collector.logs.v1.LogsService/Export";
    case OtlpSignal::kMetrics:
      return "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";
  }
  return {};
}

// Unary calls through grpc::GenericStub: the request bytes go out without being parsed into
// (and re-serialized from) a generated message.
class GrpcTransport final : public OtlpTransport {
 public:
  // credentials: TLS or plain text, as MakeGrpcTransport chose from the endpoint and options.
  GrpcTransport(const OtlpExporterOptions& options, OtlpSignal signal, std::string target,
                std::shared_ptr<grpc::ChannelCredentials> credentials)
      : options_(options), signal_(signal), method_(MethodPath(signal)) {
    grpc::ChannelArguments args;
    args.SetMaxSendMessageSize(64 << 20);
    channel_ = grpc::CreateCustomChannel(target, credentials, args);
    stub_ = std::make_unique<grpc::GenericStub>(channel_);
  }

  SendOutcome Send(std::string_view request) override {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + options_.timeout);
    for (const auto& [k, v] : options_.headers) {
      std::string key = k;
      for (char& ch : key) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      ctx.AddMetadata(key, v);
    }
    if (options_.gzip) ctx.set_compression_algorithm(GRPC_COMPRESS_GZIP);
    // One copy into a gRPC-owned slice: the caller's buffer is reused as soon as Send returns,
    // while gRPC may release the call's send buffers later.
    grpc::Slice slice(request.data(), request.size());
    grpc::ByteBuffer request_buffer(&slice, 1);
    grpc::ByteBuffer response_buffer;
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    grpc::Status status;
    stub_->UnaryCall(&ctx, method_, grpc::StubOptions(), &request_buffer, &response_buffer,
                     [&](grpc::Status s) {
                       std::lock_guard<std::mutex> lock(mu);
                       status = std::move(s);
                       done = true;
                       cv.notify_one();
                     });
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return done; });
    }
    SendOutcome out;
    if (status.ok()) {
      grpc::Slice response;
      if (response_buffer.Length() > 0 && response_buffer.DumpToSingleSlice(&response).ok()) {
        ReadPartialSuccess(
            signal_,
            std::string_view(reinterpret_cast<const char*>(response.begin()), response.size()),
            &out);
      }
      return out;
    }
    std::optional<std::chrono::milliseconds> delay = ParseRetryInfoDelay(status.error_details());
    const bool retryable = (IsRetryableCode(status.error_code()) && !IsUnknownHost(status)) ||
                           (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED && delay);
    out.result = {
        retryable ? ExportResult::Code::kRetryable : ExportResult::Code::kFailure,
        "OTLP/gRPC status " + GrpcCodeName(status.error_code()) + ": " + status.error_message(),
        delay};
    return out;
  }

 private:
  const OtlpExporterOptions options_;
  const OtlpSignal signal_;
  const std::string method_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<grpc::GenericStub> stub_;
};

}  // namespace

std::optional<std::chrono::milliseconds> ParseRetryInfoDelay(std::string_view status_details) {
  WireReader status(status_details);
  while (!status.done()) {
    uint32_t n, wt;
    uint64_t v = 0;
    std::string_view any;
    if (!status.Field(&n, &wt, &v, &any)) return std::nullopt;
    if (n != 3 || wt != 2) continue;  // google.rpc.Status.details
    WireReader any_reader(any);
    std::string_view type_url, value;
    while (!any_reader.done()) {
      uint32_t an, awt;
      std::string_view b;
      if (!any_reader.Field(&an, &awt, &v, &b)) return std::nullopt;
      if (an == 1 && awt == 2) type_url = b;
      if (an == 2 && awt == 2) value = b;
    }
    if (!type_url.ends_with("/google.rpc.RetryInfo")) continue;
    WireReader info(value);
    while (!info.done()) {
      uint32_t in, iwt;
      std::string_view b;
      if (!info.Field(&in, &iwt, &v, &b)) return std::nullopt;
      if (in == 1 && iwt == 2) return ParseDuration(b);
    }
  }
  return std::nullopt;
}

std::unique_ptr<OtlpTransport> MakeGrpcTransport(const OtlpExporterOptions& options,
                                                 OtlpSignal signal, std::string* error) {
  std::string target =
      options.endpoint.empty() ? DefaultEndpoint(OtlpProtocol::kGrpc, signal) : options.endpoint;
  bool tls = !options.insecure;
  if (target.starts_with("https://")) {
    tls = true;
    target = target.substr(8);
  } else if (target.starts_with("http://")) {
    tls = false;
    target = target.substr(7);
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  if (tls) {
    std::optional<TlsPem> pem = ReadTlsFiles(options.tls, error);
    if (!pem) return nullptr;
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = std::move(pem->ca);
    ssl.pem_cert_chain = std::move(pem->client_certificate);
    ssl.pem_private_key = std::move(pem->client_key);
    credentials = grpc::SslCredentials(ssl);
  }
  if (size_t slash = target.find('/'); slash != std::string::npos) target.resize(slash);
  return std::make_unique<GrpcTransport>(options, signal, std::move(target),
                                         std::move(credentials));
}

}  // namespace periscope::trace::internal
