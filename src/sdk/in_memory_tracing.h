#pragma once

#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "periscope/trace.h"

namespace periscope::trace::testing {

// A provider whose spans are exported synchronously into memory (SimpleSpanProcessor), with
// service.name "test-svc": what most SDK tests start from.
struct InMemoryTracing {
  std::shared_ptr<InMemorySpanExporter> exporter = std::make_shared<InMemorySpanExporter>();
  std::unique_ptr<TracerProvider> provider;
  explicit InMemoryTracing(std::shared_ptr<const Sampler> sampler = AlwaysOnSampler(),
                           SpanLimits limits = {}) {
    TracerProviderOptions o;
    o.resource.attributes = {{"service.name", "test-svc"}};
    o.sampler = std::move(sampler);
    o.processors.push_back(std::make_shared<SimpleSpanProcessor>(exporter));
    o.limits = limits;
    provider = std::make_unique<TracerProvider>(std::move(o));
  }
};

// Pointers to each of `spans`, as SpanExporter::Export and the encoders take them (valid while
// the spans are).
inline std::vector<const SpanData*> Pointers(std::span<const SpanData> spans) {
  std::vector<const SpanData*> pointers;
  pointers.reserve(spans.size());
  for (const SpanData& span : spans) pointers.push_back(&span);
  return pointers;
}

}  // namespace periscope::trace::testing
