#pragma once

#include <cstdint>

#include "demo/otlp_exporters.h"
#include "demo/shop_topology.h"

namespace periscope::demo {

// Writes the log records the shop's services would write while serving the spans of one
// instance: access lines at the frontend ("GET /cart 200 12ms"), order and payment lines with
// order.id / user.id, slow-query warnings, cache misses at debug, errors with the exception
// attributes of their span; each carries its span's trace_id and span_id and the instance's
// resource. Node.js services and checkout log JSON (kvlist bodies), the others text. A pure
// function of the seed and its arguments. Thread-safe (immutable).
class ShopLogGenerator {
 public:
  explicit ShopLogGenerator(uint64_t seed) : seed_(seed) {}

  // The records for every span of `traces` (one instance's export request from
  // ShopTraceGenerator); an empty request when its spans log nothing.
  ExportLogsServiceRequest ForSpans(const ServiceInstance& instance,
                                    const ExportTraceServiceRequest& traces) const;

  // The lines an instance writes when it starts at `time_ns`, without trace context.
  ExportLogsServiceRequest Startup(const ServiceInstance& instance, int64_t time_ns) const;

 private:
  uint64_t seed_;
};

}  // namespace periscope::demo
