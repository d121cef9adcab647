#include "periscope/trace/logs.h"
#include "periscope/trace/otlp.h"
#include "sdk/env_config.h"
#include "sdk/env_reader.h"

namespace periscope::trace {
namespace internal {

LoggerEnvConfig ReadLoggerEnvConfig(const EnvGetter& getter) {
  LoggerEnvConfig config;
  const EnvReader env(getter, &config.warnings);
  if (env.Flag("OTEL_SDK_DISABLED")) return config;  // no exporter
  config.resource = ResourceFromEnv(env);
  config.otlp = ChoosesOtlpExporter(env, "OTEL_LOGS_EXPORTER");
  if (!config.otlp) return config;
  config.otlp_options = OtlpExporterOptionsFromEnv(OtlpSignal::kLogs, env);
  config.batch = BatchOptionsFromEnv("OTEL_BLRP_", env);
  return config;
}

}  // namespace internal

std::shared_ptr<LoggerProvider> MakeLoggerProviderFromEnv(const EnvGetter& env) {
  internal::LoggerEnvConfig config = internal::ReadLoggerEnvConfig(env);
  internal::ReportEnvWarnings(config.warnings, env);
  LoggerProviderOptions options;
  options.resource = std::move(config.resource);
  if (config.otlp) options.exporter = MakeOtlpLogExporter(std::move(config.otlp_options));
  options.batch = config.batch;
  return std::make_shared<LoggerProvider>(std::move(options));
}

}  // namespace periscope::trace
