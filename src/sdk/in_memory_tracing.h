#pragma once

#include <memory>
#include <utility>

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

}  // namespace periscope::trace::testing
