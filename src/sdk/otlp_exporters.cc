#include <algorithm>

#include "periscope/trace/logs.h"
#include "periscope/trace/metrics.h"
#include "periscope/trace/otlp.h"
#include "sdk/env_config.h"
#include "sdk/env_reader.h"
#include "sdk/otlp_client.h"
#include "sdk/otlp_encoder.h"
#include "sdk/otlp_span_wire.h"
#include "sdk/otlp_tls_env.h"
#include "sdk/text_util.h"

namespace periscope::trace {
namespace {

std::string_view SignalEnvName(OtlpSignal signal) {
  switch (signal) {
    case OtlpSignal::kTraces:
      return "TRACES";
    case OtlpSignal::kMetrics:
      return "METRICS";
    case OtlpSignal::kLogs:
      return "LOGS";
  }
  return "";
}

// Drops an export buffer's memory after an unusually large batch; otherwise it is kept for reuse.
void TrimBuffer(std::string& buffer) {
  constexpr size_t kKeep = 8 << 20;
  if (buffer.capacity() > kKeep && buffer.size() < buffer.capacity() / 4) {
    buffer.clear();
    buffer.shrink_to_fit();
  }
}

std::string_view SignalPath(OtlpSignal signal) {
  switch (signal) {
    case OtlpSignal::kTraces:
      return "v1/traces";
    case OtlpSignal::kMetrics:
      return "v1/metrics";
    case OtlpSignal::kLogs:
      return "v1/logs";
  }
  return "";
}

class OtlpLogExporter final : public LogRecordExporter {
 public:
  explicit OtlpLogExporter(OtlpExporterOptions options)
      : client_(std::move(options), OtlpSignal::kLogs) {}
  ExportResult Export(std::span<const LogRecordData> records) override {
    internal::EncodeLogsWire(records, buffer_);
    ExportResult result = client_.ExportSerialized(buffer_);
    TrimBuffer(buffer_);
    return result;
  }
  void Shutdown() override { client_.Shutdown(); }

 private:
  internal::OtlpClient client_;
  std::string buffer_;  // the serialized request, reused between exports
};

class OtlpMetricExporter final : public MetricExporter {
 public:
  explicit OtlpMetricExporter(OtlpExporterOptions options)
      : client_(std::move(options), OtlpSignal::kMetrics) {}
  ExportResult Export(const Resource& resource, std::span<const MetricData> metrics) override {
    return client_.Export(internal::EncodeMetrics(resource, metrics));
  }
  void Shutdown() override { client_.Shutdown(); }

 private:
  internal::OtlpClient client_;
};

}  // namespace

namespace internal {

OtlpExporterOptions OtlpExporterOptionsFromEnv(OtlpSignal signal, const EnvReader& env) {
  OtlpExporterOptions o;
  const std::string generic = "OTEL_EXPORTER_OTLP_";
  const std::string specific = generic + std::string(SignalEnvName(signal)) + "_";
  // The signal's variable when it is set, else the generic one.
  auto name_of = [&](std::string_view key) {
    std::string name = specific + std::string(key);
    return env.Get(name) ? name : generic + std::string(key);
  };
  const std::string protocol_name = name_of("PROTOCOL");
  if (auto p = env.Get(protocol_name)) {
    if (*p == "grpc") {
      o.protocol = OtlpProtocol::kGrpc;
    } else if (*p != "http/protobuf") {
      env.Warn(protocol_name, *p, "unsupported protocol (grpc, http/protobuf), http/protobuf used");
    }
  }
  if (auto e = env.Get(specific + "ENDPOINT")) {
    o.endpoint = *e;
  } else if (auto g = env.Get(generic + "ENDPOINT")) {
    o.endpoint = *g;
    if (o.protocol == OtlpProtocol::kHttpProtobuf) {
      if (o.endpoint.back() != '/') o.endpoint.push_back('/');
      o.endpoint += SignalPath(signal);
    }
  }
  for (const std::string& name : {generic + "HEADERS", specific + "HEADERS"}) {
    if (auto h = env.Get(name)) {
      for (auto& [k, v] : ParseKeyValueList(*h)) {
        auto it = std::find_if(o.headers.begin(), o.headers.end(),
                               [&](const auto& e) { return e.first == k; });
        if (it != o.headers.end()) {
          it->second = v;
        } else {
          o.headers.emplace_back(k, v);
        }
      }
    }
  }
  if (auto ms = env.Integer(name_of("TIMEOUT"), 1)) o.timeout = std::chrono::milliseconds(*ms);
  const std::string compression_name = name_of("COMPRESSION");
  if (auto c = env.Get(compression_name)) {
    o.gzip = *c == "gzip";
    if (!o.gzip && *c != "none") {
      env.Warn(compression_name, *c, "unsupported compression (gzip, none), none used");
    }
  }
  if (std::optional<bool> insecure = env.Boolean(name_of("INSECURE"))) o.insecure = *insecure;
  ApplyTlsEnv(o, signal, env.getter());
  return o;
}

}  // namespace internal

OtlpExporterOptions OtlpExporterOptions::FromEnv(OtlpSignal signal, const EnvGetter& env) {
  return internal::OtlpExporterOptionsFromEnv(signal, internal::EnvReader(env, nullptr));
}

struct OtlpSpanExporter::Impl {
  explicit Impl(OtlpExporterOptions options) : client(std::move(options), OtlpSignal::kTraces) {}
  internal::OtlpClient client;
  std::string buffer;  // the serialized request, reused between exports
};

OtlpSpanExporter::OtlpSpanExporter(OtlpExporterOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

OtlpSpanExporter::~OtlpSpanExporter() = default;

ExportResult OtlpSpanExporter::Export(std::span<const SpanData> spans) {
  internal::EncodeSpansWire(spans, impl_->buffer);
  ExportResult result = impl_->client.ExportSerialized(impl_->buffer);
  TrimBuffer(impl_->buffer);
  return result;
}

void OtlpSpanExporter::Shutdown() { impl_->client.Shutdown(); }

OtlpExporterStats OtlpSpanExporter::stats() const { return impl_->client.stats(); }

std::shared_ptr<LogRecordExporter> MakeOtlpLogExporter(OtlpExporterOptions options) {
  return std::make_shared<OtlpLogExporter>(std::move(options));
}

std::shared_ptr<MetricExporter> MakeOtlpMetricExporter(OtlpExporterOptions options) {
  return std::make_shared<OtlpMetricExporter>(std::move(options));
}

}  // namespace periscope::trace
