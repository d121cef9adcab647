#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "periscope/trace/common.h"
#include "periscope/trace/processor.h"

namespace periscope::trace {

class LogRecordExporter;
class MetricExporter;

enum class OtlpProtocol { kHttpProtobuf, kGrpc };
enum class OtlpSignal { kTraces, kMetrics, kLogs };

// Exponential backoff with jitter between attempts on retryable failures (HTTP 429/502/503/504,
// gRPC UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, DATA_LOSS, CANCELLED, and
// RESOURCE_EXHAUSTED when the server sent RetryInfo). A server-supplied delay (Retry-After,
// RetryInfo) replaces the computed one, capped by max_backoff * 4.
struct RetryPolicy {
  int max_attempts = 5;
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{5000};
  double multiplier = 1.5;
  double jitter = 0.2;  // +-fraction applied to each delay
};

// TLS settings of an https:// endpoint, over HTTP and gRPC. The server's certificate is always
// verified, and must name the endpoint's host (or IP address).
struct OtlpTlsOptions {
  // A PEM file of CA certificates to trust instead of the system's roots.
  std::string ca_file;
  // PEM files of a client certificate (chain) and its private key, for mutual TLS: both or
  // neither.
  std::string client_certificate_file;
  std::string client_key_file;
};

struct OtlpExporterOptions {
  OtlpProtocol protocol = OtlpProtocol::kHttpProtobuf;
  // HTTP: the full URL of the signal ("http://localhost:4318/v1/traces", or https:// for TLS).
  // gRPC: "host:port" (see `insecure`), "http://host:port" or "https://host:port" (TLS). Empty:
  // the OTLP default for the protocol and signal.
  std::string endpoint;
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{10000};
  bool gzip = false;
  RetryPolicy retry;
  OtlpTlsOptions tls;  // for TLS endpoints; a file that cannot be loaded fails every export
  // For a gRPC endpoint without a scheme ("host:port"): plain text when true, TLS when false.
  // http:// is always plain text, https:// always TLS. The OpenTelemetry default is false; this
  // one keeps the plain text such endpoints had before the option existed (docs/sdk.md).
  bool insecure = true;

  // From OTEL_EXPORTER_OTLP_{,TRACES_,METRICS_,LOGS_}{ENDPOINT,PROTOCOL,HEADERS,TIMEOUT,
  // COMPRESSION,INSECURE,CERTIFICATE,CLIENT_CERTIFICATE,CLIENT_KEY}: signal-specific variables
  // win; a generic HTTP endpoint gets "/v1/<signal>" appended. Unparseable values keep the
  // defaults.
  static OtlpExporterOptions FromEnv(OtlpSignal signal, const EnvGetter& env = SystemEnv());
};

// Counters of an OTLP exporter, readable while it runs.
struct OtlpExporterStats {
  uint64_t requests = 0;  // attempts sent, retries included
  uint64_t retries = 0;
  uint64_t failures = 0;  // exports given up
  uint64_t rejected = 0;  // items the server reported in partial_success
};

// OTLP exporters. Export blocks for at most the retry policy's attempts; Shutdown interrupts a
// backoff wait. HTTP keeps its connection alive between exports.
class OtlpSpanExporter final : public SpanExporter {
 public:
  explicit OtlpSpanExporter(OtlpExporterOptions options);
  ~OtlpSpanExporter() override;
  ExportResult Export(std::span<const SpanData> spans) override;
  void Shutdown() override;
  OtlpExporterStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::shared_ptr<LogRecordExporter> MakeOtlpLogExporter(OtlpExporterOptions options);
std::shared_ptr<MetricExporter> MakeOtlpMetricExporter(OtlpExporterOptions options);

// Resource::Default(), overlaid with DetectResource() and service.name
// "unknown_service:<process.executable.name>", then OTEL_RESOURCE_ATTRIBUTES (k=v,k2=v2,
// percent-decoded; one malformed entry discards them all, as the OpenTelemetry specification
// asks), then OTEL_SERVICE_NAME (wins over service.name from the others). Reports nothing: the
// Make*ProviderFromEnv functions report what they ignore.
Resource ResourceFromEnv(const EnvGetter& env = SystemEnv());

// The usual setup, from the OTEL_* variables: resource, sampler, span limits, and one processor
// per OTEL_TRACES_EXPORTER name (otlp: an OTLP exporter behind a BatchSpanProcessor, OTEL_BSP_*;
// console: a ConsoleSpanExporter behind a SimpleSpanProcessor). With OTEL_SDK_DISABLED=true it
// has no processor and records no span. Installs the global propagator when OTEL_PROPAGATORS is
// set. Writes EnvConfigWarnings() to stderr, "periscope-sdk: " before each, unless
// OTEL_LOG_LEVEL is none or error.
std::shared_ptr<class TracerProvider> MakeTracerProviderFromEnv(const EnvGetter& env = SystemEnv());

// The values MakeTracerProviderFromEnv would ignore, one line each with the reason (an unknown
// exporter or propagator name, a number it cannot use, ...); empty when there is none.
std::vector<std::string> EnvConfigWarnings(const EnvGetter& env = SystemEnv());

// The same for metrics: the resource as above; with OTEL_METRICS_EXPORTER otlp (the default), an
// OTLP exporter (OtlpExporterOptions::FromEnv(OtlpSignal::kMetrics)) every
// OTEL_METRIC_EXPORT_INTERVAL ms (default 60000); with none, or OTEL_SDK_DISABLED=true, no
// exporter. Reports the values it ignores as MakeTracerProviderFromEnv does.
std::shared_ptr<class MeterProvider> MakeMeterProviderFromEnv(const EnvGetter& env = SystemEnv());

// The same for logs: with OTEL_LOGS_EXPORTER otlp (the default), an OTLP exporter
// (OtlpExporterOptions::FromEnv(OtlpSignal::kLogs)) behind a batch queue set by OTEL_BLRP_*; with
// none, or OTEL_SDK_DISABLED=true, no exporter (records are discarded). Reports the values it
// ignores as MakeTracerProviderFromEnv does.
std::shared_ptr<class LoggerProvider> MakeLoggerProviderFromEnv(const EnvGetter& env = SystemEnv());

}  // namespace periscope::trace
