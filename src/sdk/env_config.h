#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "periscope/trace/otlp.h"
#include "periscope/trace/processor.h"
#include "periscope/trace/propagation.h"
#include "periscope/trace/sampler.h"
#include "periscope/trace/span.h"

namespace periscope::trace::internal {

class EnvReader;

// The readers behind the public *FromEnv functions; each notes what it ignores in `env`.
std::shared_ptr<const Sampler> SamplerFromEnv(const EnvReader& env);
OtlpExporterOptions OtlpExporterOptionsFromEnv(OtlpSignal signal, const EnvReader& env);
SpanLimits SpanLimitsFromEnv(const EnvReader& env);
Resource ResourceFromEnv(const EnvReader& env);
// Whether `variable` (OTEL_METRICS_EXPORTER, OTEL_LOGS_EXPORTER) chooses the OTLP exporter, its
// default; `none` chooses none, and other names are reported and ignored.
bool ChoosesOtlpExporter(const EnvReader& env, std::string_view variable);
// The known names in OTEL_PROPAGATORS; nullopt when it is unset or names none we know.
std::optional<std::vector<std::string>> PropagatorNamesFromEnv(const EnvReader& env);
// "tracecontext", "baggage": what the global propagator is until one is set.
std::vector<std::string> DefaultPropagatorNames();
std::shared_ptr<const TextMapPropagator> PropagatorFromNames(std::span<const std::string> names);

enum class TraceExporterKind { kOtlp, kConsole };

// Everything MakeTracerProviderFromEnv takes from the environment, parsed but not yet built
// (no exporter, no thread), with a line for each value it ignored. A plain value type.
struct TracerEnvConfig {
  bool disabled = false;  // OTEL_SDK_DISABLED: nothing below but the propagators is read
  std::optional<std::vector<std::string>> propagators;  // set only by OTEL_PROPAGATORS
  Resource resource;
  std::shared_ptr<const Sampler> sampler;
  SpanLimits limits;
  std::vector<TraceExporterKind> exporters;
  OtlpExporterOptions otlp;
  BatchOptions batch;
  std::vector<std::string> warnings;
};

TracerEnvConfig ReadTracerEnvConfig(const EnvGetter& env);

// What MakeMeterProviderFromEnv takes from the environment, like TracerEnvConfig.
struct MeterEnvConfig {
  Resource resource;
  // OTEL_METRICS_EXPORTER names otlp (the default) and OTEL_SDK_DISABLED is not true; nothing
  // below is read otherwise
  bool otlp = false;
  OtlpExporterOptions otlp_options;
  std::chrono::milliseconds export_interval{60000};
  std::vector<std::string> warnings;
};

MeterEnvConfig ReadMeterEnvConfig(const EnvGetter& env);

// What MakeLoggerProviderFromEnv takes from the environment, like TracerEnvConfig.
struct LoggerEnvConfig {
  Resource resource;
  // OTEL_LOGS_EXPORTER names otlp (the default) and OTEL_SDK_DISABLED is not true; nothing below
  // is read otherwise
  bool otlp = false;
  OtlpExporterOptions otlp_options;
  BatchOptions batch;
  std::vector<std::string> warnings;
};

LoggerEnvConfig ReadLoggerEnvConfig(const EnvGetter& env);

// BatchOptions::FromEnv(prefix), noting the values it ignores in `env`.
BatchOptions BatchOptionsFromEnv(std::string_view prefix, const EnvReader& env);

// Reports each warning as a diagnostic (kWarn), unless the environment's OTEL_LOG_LEVEL is below
// that.
void ReportEnvWarnings(std::span<const std::string> warnings, const EnvGetter& env);

}  // namespace periscope::trace::internal
