#include "sdk/otlp_tls_env.h"

#include <string>

namespace periscope::trace::internal {
namespace {

std::string SignalPrefix(OtlpSignal signal) {
  switch (signal) {
    case OtlpSignal::kTraces:
      return "OTEL_EXPORTER_OTLP_TRACES_";
    case OtlpSignal::kMetrics:
      return "OTEL_EXPORTER_OTLP_METRICS_";
    case OtlpSignal::kLogs:
      return "OTEL_EXPORTER_OTLP_LOGS_";
  }
  return "OTEL_EXPORTER_OTLP_";
}

}  // namespace

void ApplyTlsEnv(OtlpExporterOptions& options, OtlpSignal signal, const EnvGetter& env) {
  const std::string specific = SignalPrefix(signal);
  auto apply = [&](const std::string& name, std::string& field) {
    for (const std::string& variable : {specific + name, "OTEL_EXPORTER_OTLP_" + name}) {
      if (std::optional<std::string> value = env(variable); value && !value->empty()) {
        field = *value;
        return;
      }
    }
  };
  apply("CERTIFICATE", options.tls.ca_file);
  apply("CLIENT_CERTIFICATE", options.tls.client_certificate_file);
  apply("CLIENT_KEY", options.tls.client_key_file);
}

}  // namespace periscope::trace::internal
