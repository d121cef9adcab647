#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "periscope/trace/common.h"
#include "periscope/trace/span.h"
#include "periscope/trace/span_context.h"

namespace periscope::trace {

enum class SamplingDecision { kDrop, kRecordOnly, kRecordAndSample };

struct SamplingResult {
  SamplingDecision decision = SamplingDecision::kDrop;
  Attributes attributes;                  // added to the span
  std::optional<TraceState> trace_state;  // replaces the parent's tracestate when set
};

// What a sampler sees about a span about to start. parent is invalid for a root span.
struct SamplingParameters {
  const SpanContext& parent;
  const TraceId& trace_id;
  std::string_view name;
  SpanKind kind;
  std::span<const KeyValue> attributes;  // every attribute the span starts with
  const std::vector<SpanLink>& links;
};

// Decides whether a new span is recorded and exported. Implementations are thread-safe.
class Sampler {
 public:
  virtual ~Sampler() = default;
  virtual SamplingResult ShouldSample(const SamplingParameters& params) const = 0;
  virtual std::string Description() const = 0;
};

std::shared_ptr<const Sampler> AlwaysOnSampler();
std::shared_ptr<const Sampler> AlwaysOffSampler();
// Samples a deterministic fraction of trace ids: the low 56 bits of the trace id (its random
// part under W3C Trace Context level 2) compared with ratio * 2^56. Ratios are clamped to [0, 1].
std::shared_ptr<const Sampler> TraceIdRatioBasedSampler(double ratio);
// Follows the parent's sampled flag; `root` decides for spans without a parent.
struct ParentBasedOptions {
  std::shared_ptr<const Sampler> remote_parent_sampled = AlwaysOnSampler();
  std::shared_ptr<const Sampler> remote_parent_not_sampled = AlwaysOffSampler();
  std::shared_ptr<const Sampler> local_parent_sampled = AlwaysOnSampler();
  std::shared_ptr<const Sampler> local_parent_not_sampled = AlwaysOffSampler();
};
std::shared_ptr<const Sampler> ParentBasedSampler(std::shared_ptr<const Sampler> root,
                                                  ParentBasedOptions options = {});
// From OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG (always_on, always_off, traceidratio,
// parentbased_always_on, parentbased_always_off, parentbased_traceidratio); the default, also
// for unknown values, is parentbased_always_on.
std::shared_ptr<const Sampler> SamplerFromEnv(const EnvGetter& env = SystemEnv());

}  // namespace periscope::trace
