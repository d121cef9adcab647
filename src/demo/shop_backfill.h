#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "base/status.h"
#include "demo/otlp_exporters.h"

namespace periscope::demo {

struct ShopBackfillOptions {
  std::string otlp_grpc_target = "127.0.0.1:4317";  // host:port
  int64_t start_ns = 0;                             // simulated time starts here
  // Simulated time stops here; 0 = catch up with the wall clock (re-read until within a step).
  int64_t end_ns = 0;
  double traces_per_second = 1;  // of simulated time
  uint64_t seed = 42;
  int64_t step_ns = 5LL * 1000000000LL;               // traces are generated per step
  int64_t metrics_interval_ns = 10LL * 1000000000LL;  // runtime metrics are collected this often
  // One export request per signal holds at most this much simulated time, or about max_bytes.
  int64_t chunk_ns = 5LL * 60 * 1000000000LL;
  size_t max_request_bytes = 2u << 20;
  // A request the receiver pushes back on (503, UNAVAILABLE...) is retried for this long.
  int64_t retry_for_ns = 120LL * 1000000000LL;
  // Called once per step, after the step's spans were accepted, with all of them (one resource
  // per instance) and the step's end; steps come in time order.
  std::function<void(ExportTraceServiceRequest& spans, int64_t step_end_ns)> on_spans;
  // Called after every chunk with the simulated time reached.
  std::function<void(int64_t reached_ns)> on_progress;
};

// What a backfill sent.
struct ShopBackfillStats {
  int64_t end_ns = 0;  // simulated time reached
  uint64_t traces = 0, spans = 0, log_records = 0, metric_points = 0;
  uint64_t requests = 0, retries = 0;
};

// Sends the shop's traces, logs and runtime metrics for a past window with their past timestamps,
// as fast as the receiver accepts them: per signal, one OTLP/gRPC request per chunk of simulated
// time with every instance's resource in it (like a collector forwarding), the three signals in
// parallel, retried with backoff while the receiver pushes back. Deterministic from the seed.
// Fails with the first refused request (or the last error once retrying took retry_for_ns), or
// Unavailable("stopped") when `stop` becomes true.
Result<ShopBackfillStats> RunShopBackfill(const ShopBackfillOptions& options,
                                          const std::atomic<bool>* stop = nullptr);

}  // namespace periscope::demo
