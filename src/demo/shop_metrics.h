#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "demo/otlp_exporters.h"
#include "demo/shop_topology.h"

namespace periscope::demo {

// The runtime metrics every shop instance's SDK would report: process.cpu.utilization and
// process.memory.usage (gauges that follow the instance's load), http.server.request.duration
// (cumulative explicit-bucket histogram of its SERVER spans, with an exemplar per bucket naming
// a span of the interval), shop.orders.placed (cumulative counter by payment.method, checkout
// only) and db.client.connections.usage (gauge by state, services using postgres). A pure
// function of the seed and the calls. Not thread-safe.
class ShopMetricsGenerator {
 public:
  // Cumulative series start at `start_ns`.
  ShopMetricsGenerator(const ShopTopology& topology, uint64_t seed, int64_t start_ns);

  // Accounts the spans `instance` exported (one request from ShopTraceGenerator).
  void Observe(size_t instance, const ExportTraceServiceRequest& traces);

  // The instance's points at `now_ns` (one resource); starts the next interval.
  ExportMetricsServiceRequest Collect(size_t instance, int64_t now_ns);

  static const std::vector<double>& DurationBounds();

 private:
  struct Exemplar {
    bool set = false;
    double seconds = 0;
    int64_t time_ns = 0;
    std::string trace_id, span_id;
  };
  struct Histogram {
    std::vector<uint64_t> counts;     // per bucket, cumulative since start
    std::vector<Exemplar> exemplars;  // per bucket, of the current interval
    double sum = 0, min = 0, max = 0;
    uint64_t count = 0;
  };
  struct InstanceState {
    std::map<std::vector<std::string>, Histogram> durations;  // by (method, route, status, grpc)
    std::map<std::string, uint64_t> orders;                   // by payment.method
    uint64_t interval_spans = 0;
    double interval_db_seconds = 0;
    double memory_bytes = 0;
    int64_t last_collect_ns = 0;
  };

  const ShopTopology& topology_;
  const uint64_t seed_;
  const int64_t start_ns_;
  std::vector<InstanceState> state_;
};

}  // namespace periscope::demo
