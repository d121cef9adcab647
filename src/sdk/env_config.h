#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
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

}  // namespace periscope::trace::internal
