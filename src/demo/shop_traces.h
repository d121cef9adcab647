#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "demo/shop_topology.h"
#include "loadgen/split_mix.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace periscope::demo {

using ExportTraceServiceRequest =
    ::opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;

// One instance's spans of one flush, as its SDK would export them.
struct InstanceRequest {
  size_t instance = 0;  // index into ShopTopology::instances()
  ExportTraceServiceRequest request;
};

// What one flush produced.
struct ShopBatch {
  std::vector<InstanceRequest> requests;
  // Per trace, a bit per instance that holds some of its spans.
  std::vector<uint64_t> trace_instances;
};

// Generates the shop's traces: user requests at the frontend fanning out over gRPC to checkout,
// cart, payment and inventory, which call postgres and redis; with errors, slow outliers, a
// checkout canary and a staging env. A pure function of the seed and the sequence of calls
// (wall-clock time comes in as an argument). Not thread-safe.
class ShopTraceGenerator {
 public:
  explicit ShopTraceGenerator(uint64_t seed);
  ~ShopTraceGenerator();

  // `traces` user requests, each ending within [now_ns - window_ns, now_ns], grouped into one
  // request per instance that has spans.
  ShopBatch Generate(int traces, int64_t now_ns, int64_t window_ns);

  const ShopTopology& topology() const { return topology_; }

 private:
  class Trace;

  ShopTopology topology_;
  loadgen::SplitMix rng_;
};

}  // namespace periscope::demo
