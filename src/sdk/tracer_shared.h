#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "periscope/trace/context.h"
#include "periscope/trace/processor.h"
#include "periscope/trace/sampler.h"
#include "periscope/trace/span.h"

namespace periscope::trace::internal {

// Samplers whose decision StartSpan makes itself, without the virtual call or a SamplingResult:
// AlwaysOn, AlwaysOff, and ParentBased over either with the default per-parent samplers. The
// decisions (and tracestate, taken from the parent) are the same as the sampler's.
enum class SamplerShortcut {
  kNone,
  kAlwaysOn,
  kAlwaysOff,
  kParentBasedAlwaysOn,
  kParentBasedAlwaysOff
};
SamplerShortcut ShortcutFor(const Sampler& sampler);

// State shared by a TracerProvider, its tracers and their spans. Immutable after construction
// except shut_down.
struct ProviderState {
  std::shared_ptr<const Resource> resource;
  std::shared_ptr<const Sampler> sampler;
  SamplerShortcut sampler_shortcut = SamplerShortcut::kNone;
  std::vector<std::shared_ptr<SpanProcessor>> processors;
  // The one processor when it is a BatchSpanProcessor: spans started from a shape that set nothing
  // of their own go into its queue as records (see SpanShape). Null otherwise.
  BatchSpanProcessor* record_queue = nullptr;
  SpanLimits limits;
  std::atomic<bool> shut_down{false};
};

struct TracerShared {
  std::shared_ptr<ProviderState> provider;
  std::shared_ptr<const InstrumentationScope> scope;
};

// Sets one attribute of a recording span's data within limits: long string values are cut to
// max_attribute_value_length; a new key past max_attributes is dropped and counted.
void AddSpanAttribute(SpanData& data, const SpanLimits& limits, std::string_view key,
                      AttributeValue value);

// The context Context::Current() would copy, by reference (valid until this thread's next
// ScopedContext change).
const Context& CurrentContextRef();

// Random, valid (non-zero) ids from a per-thread generator.
TraceId NewTraceId();
SpanId NewSpanId();

}  // namespace periscope::trace::internal
