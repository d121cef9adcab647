#include "periscope/trace/metrics.h"
#include "periscope/trace/otlp.h"
#include "sdk/env_config.h"
#include "sdk/env_reader.h"

namespace periscope::trace {
namespace internal {

MeterEnvConfig ReadMeterEnvConfig(const EnvGetter& getter) {
  MeterEnvConfig config;
  const EnvReader env(getter, &config.warnings);
  if (env.Flag("OTEL_SDK_DISABLED")) return config;  // no exporter
  config.resource = ResourceFromEnv(env);
  config.otlp = ChoosesOtlpExporter(env, "OTEL_METRICS_EXPORTER");
  if (!config.otlp) return config;
  config.otlp_options = OtlpExporterOptionsFromEnv(OtlpSignal::kMetrics, env);
  if (auto ms = env.Integer("OTEL_METRIC_EXPORT_INTERVAL", 1)) {
    config.export_interval = std::chrono::milliseconds(*ms);
  }
  if (auto value = env.Get("OTEL_METRIC_EXPORT_TIMEOUT")) {
    env.Warn("OTEL_METRIC_EXPORT_TIMEOUT", *value,
             "not supported, an export is bounded by the OTLP exporter's timeout and retries");
  }
  return config;
}

}  // namespace internal

std::shared_ptr<MeterProvider> MakeMeterProviderFromEnv(const EnvGetter& env) {
  internal::MeterEnvConfig config = internal::ReadMeterEnvConfig(env);
  internal::ReportEnvWarnings(config.warnings, env);
  MeterProviderOptions options;
  options.resource = std::move(config.resource);
  if (config.otlp) options.exporter = MakeOtlpMetricExporter(std::move(config.otlp_options));
  options.export_interval = config.export_interval;
  return std::make_shared<MeterProvider>(std::move(options));
}

}  // namespace periscope::trace
