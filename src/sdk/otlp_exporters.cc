#include <charconv>

#include "periscope/trace/logs.h"
#include "periscope/trace/metrics.h"
#include "periscope/trace/otlp.h"
#include "periscope/trace/tracer.h"
#include "sdk/otlp_client.h"
#include "sdk/otlp_encoder.h"
#include "sdk/otlp_span_wire.h"
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

OtlpExporterOptions OtlpExporterOptions::FromEnv(OtlpSignal signal, const EnvGetter& env) {
  OtlpExporterOptions o;
  const std::string generic = "OTEL_EXPORTER_OTLP_";
  const std::string specific = generic + std::string(SignalEnvName(signal)) + "_";
  auto get = [&](std::string_view name) -> std::optional<std::string> {
    if (auto v = env(specific + std::string(name)); v && !v->empty()) return v;
    if (auto v = env(generic + std::string(name)); v && !v->empty()) return v;
    return std::nullopt;
  };
  if (auto p = get("PROTOCOL")) {
    if (*p == "grpc") o.protocol = OtlpProtocol::kGrpc;
    if (*p == "http/protobuf") o.protocol = OtlpProtocol::kHttpProtobuf;
  }
  if (auto e = env(specific + "ENDPOINT"); e && !e->empty()) {
    o.endpoint = *e;
  } else if (auto g = env(generic + "ENDPOINT"); g && !g->empty()) {
    o.endpoint = *g;
    if (o.protocol == OtlpProtocol::kHttpProtobuf) {
      if (o.endpoint.back() != '/') o.endpoint.push_back('/');
      o.endpoint += SignalPath(signal);
    }
  }
  for (const std::string& name : {generic + "HEADERS", specific + "HEADERS"}) {
    if (auto h = env(name)) {
      for (auto& [k, v] : internal::ParseKeyValueList(*h)) {
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
  if (auto t = get("TIMEOUT")) {
    int64_t ms = 0;
    auto [p, ec] = std::from_chars(t->data(), t->data() + t->size(), ms);
    if (ec == std::errc() && p == t->data() + t->size() && ms > 0) {
      o.timeout = std::chrono::milliseconds(ms);
    }
  }
  if (auto c = get("COMPRESSION")) o.gzip = *c == "gzip";
  return o;
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

Resource ResourceFromEnv(const EnvGetter& env) {
  Resource r = Resource::Default();
  if (auto attrs = env("OTEL_RESOURCE_ATTRIBUTES")) {
    for (auto& [k, v] : internal::ParseKeyValueList(*attrs)) SetAttribute(r.attributes, k, v);
  }
  if (auto name = env("OTEL_SERVICE_NAME"); name && !name->empty()) {
    SetAttribute(r.attributes, "service.name", *name);
  }
  return r;
}

std::shared_ptr<TracerProvider> MakeTracerProviderFromEnv(const EnvGetter& env) {
  TracerProviderOptions options;
  options.resource = ResourceFromEnv(env);
  options.sampler = SamplerFromEnv(env);
  options.processors.push_back(std::make_shared<BatchSpanProcessor>(
      std::make_shared<OtlpSpanExporter>(OtlpExporterOptions::FromEnv(OtlpSignal::kTraces, env)),
      BatchOptions::FromEnv("OTEL_BSP_", env)));
  return std::make_shared<TracerProvider>(std::move(options));
}

}  // namespace periscope::trace
