#include "sdk/env_config.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "periscope/trace/console.h"
#include "periscope/trace/tracer.h"
#include "sdk/diagnose.h"
#include "sdk/env_reader.h"

namespace periscope::trace {
namespace internal {
namespace {

// A limit and the variable it was read from.
struct LimitValue {
  std::string_view name;
  int64_t value;
};

// From the span's own variable, else from the general one (none when empty); an invalid value
// counts as unset.
std::optional<LimitValue> ReadLimit(const EnvReader& env, std::string_view span_name,
                                    std::string_view general_name = {}) {
  const std::optional<int64_t> general =
      general_name.empty() ? std::nullopt : env.Integer(general_name, 0);
  if (const std::optional<int64_t> own = env.Integer(span_name, 0)) {
    return LimitValue{span_name, *own};
  }
  if (general) return LimitValue{general_name, *general};
  return std::nullopt;
}

std::vector<TraceExporterKind> TraceExportersFromEnv(const EnvReader& env) {
  const std::vector<std::string> names =
      env.NameList("OTEL_TRACES_EXPORTER", {"otlp", "console", "none"})
          .value_or(std::vector<std::string>{"otlp"});
  std::vector<TraceExporterKind> kinds;
  for (const std::string& name : names) {
    if (name == "otlp") kinds.push_back(TraceExporterKind::kOtlp);
    if (name == "console") kinds.push_back(TraceExporterKind::kConsole);
  }
  return kinds;
}

}  // namespace

BatchOptions BatchOptionsFromEnv(std::string_view prefix, const EnvReader& env) {
  // Integer only warns here: BatchOptions::FromEnv reads the same values with the same rule.
  for (std::string_view name :
       {"SCHEDULE_DELAY", "MAX_QUEUE_SIZE", "MAX_EXPORT_BATCH_SIZE", "EXPORT_TIMEOUT"}) {
    env.Integer(std::string(prefix) + std::string(name), 1);
  }
  return BatchOptions::FromEnv(prefix, env.getter());
}

void ReportEnvWarnings(std::span<const std::string> warnings, const EnvGetter& env) {
  if (DiagnosticLevelFromEnv(env) < DiagnosticLevel::kWarn) return;
  for (const std::string& warning : warnings) Diagnose(DiagnosticLevel::kWarn, warning);
}

bool ChoosesOtlpExporter(const EnvReader& env, std::string_view variable) {
  return env.NameList(variable, {"otlp", "none"})
             .value_or(std::vector<std::string>{"otlp"})
             .front() == "otlp";
}

SpanLimits SpanLimitsFromEnv(const EnvReader& env) {
  SpanLimits limits;
  if (auto n = ReadLimit(env, "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "OTEL_ATTRIBUTE_COUNT_LIMIT")) {
    limits.max_attributes = static_cast<size_t>(n->value);
  }
  if (auto n = ReadLimit(env, "OTEL_SPAN_EVENT_COUNT_LIMIT")) {
    limits.max_events = static_cast<size_t>(n->value);
  }
  if (auto n = ReadLimit(env, "OTEL_SPAN_LINK_COUNT_LIMIT")) {
    limits.max_links = static_cast<size_t>(n->value);
  }
  if (auto n = ReadLimit(env, "OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT",
                         "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT")) {
    if (n->value == 0) {
      env.Warn(n->name, "0", "a limit of 0 is not supported, values are not cut");
    } else {
      limits.max_attribute_value_length = static_cast<size_t>(n->value);
    }
  }
  for (std::string_view name :
       {"OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT", "OTEL_LINK_ATTRIBUTE_COUNT_LIMIT"}) {
    if (auto value = env.Get(name)) {
      env.Warn(name, *value, "not supported, event and link attributes are not limited");
    }
  }
  return limits;
}

TracerEnvConfig ReadTracerEnvConfig(const EnvGetter& getter) {
  TracerEnvConfig config;
  const EnvReader env(getter, &config.warnings);
  config.propagators = PropagatorNamesFromEnv(env);
  config.disabled = env.Flag("OTEL_SDK_DISABLED");
  if (config.disabled) return config;
  config.resource = ResourceFromEnv(env);
  config.sampler = SamplerFromEnv(env);
  config.limits = SpanLimitsFromEnv(env);
  config.exporters = TraceExportersFromEnv(env);
  if (std::ranges::find(config.exporters, TraceExporterKind::kOtlp) != config.exporters.end()) {
    config.otlp = OtlpExporterOptionsFromEnv(OtlpSignal::kTraces, env);
    config.batch = BatchOptionsFromEnv("OTEL_BSP_", env);
  }
  return config;
}

}  // namespace internal

namespace {

// OTEL_PROPAGATORS' propagators become the global one, unless they are the default ones and
// those are still installed: the RPC framework then keeps its binary trace context fields.
void InstallPropagators(const std::optional<std::vector<std::string>>& names) {
  if (!names) return;
  if (*names == internal::DefaultPropagatorNames() && internal::GlobalPropagatorIsDefault()) return;
  SetGlobalPropagator(internal::PropagatorFromNames(*names));
}

std::shared_ptr<SpanProcessor> MakeProcessor(internal::TraceExporterKind kind,
                                             const internal::TracerEnvConfig& config) {
  switch (kind) {
    case internal::TraceExporterKind::kOtlp:
      return std::make_shared<BatchSpanProcessor>(std::make_shared<OtlpSpanExporter>(config.otlp),
                                                  config.batch);
    case internal::TraceExporterKind::kConsole:
      return std::make_shared<SimpleSpanProcessor>(std::make_shared<ConsoleSpanExporter>());
  }
  return nullptr;
}

}  // namespace

SpanLimits SpanLimitsFromEnv(const EnvGetter& env) {
  return internal::SpanLimitsFromEnv(internal::EnvReader(env, nullptr));
}

std::vector<std::string> EnvConfigWarnings(const EnvGetter& env) {
  return internal::ReadTracerEnvConfig(env).warnings;
}

std::shared_ptr<TracerProvider> MakeTracerProviderFromEnv(const EnvGetter& env) {
  const internal::TracerEnvConfig config = internal::ReadTracerEnvConfig(env);
  internal::ReportEnvWarnings(config.warnings, env);
  InstallPropagators(config.propagators);
  TracerProviderOptions options;
  if (config.disabled) {
    options.sampler = AlwaysOffSampler();
    return std::make_shared<TracerProvider>(std::move(options));
  }
  options.resource = config.resource;
  options.sampler = config.sampler;
  options.limits = config.limits;
  for (internal::TraceExporterKind kind : config.exporters) {
    options.processors.push_back(MakeProcessor(kind, config));
  }
  return std::make_shared<TracerProvider>(std::move(options));
}

}  // namespace periscope::trace
