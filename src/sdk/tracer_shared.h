#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "periscope/trace/processor.h"
#include "periscope/trace/sampler.h"
#include "periscope/trace/span.h"

namespace periscope::trace::internal {

// State shared by a TracerProvider, its tracers and their spans. Immutable after construction
// except shut_down.
struct ProviderState {
  std::shared_ptr<const Resource> resource;
  std::shared_ptr<const Sampler> sampler;
  std::vector<std::shared_ptr<SpanProcessor>> processors;
  SpanLimits limits;
  std::atomic<bool> shut_down{false};
};

struct TracerShared {
  std::shared_ptr<ProviderState> provider;
  std::shared_ptr<const InstrumentationScope> scope;
};

// Random, valid (non-zero) ids from a per-thread generator.
TraceId NewTraceId();
SpanId NewSpanId();

}  // namespace periscope::trace::internal
