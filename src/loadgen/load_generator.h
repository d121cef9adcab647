#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "loadgen/standard_workload.h"

namespace periscope::loadgen {

struct LoadOptions {
  std::string protocol = "grpc";  // "grpc" or "http"
  std::string target = "127.0.0.1:4317";
  double spans_per_second = 0;  // 0 = as fast as possible
  int spans_per_request = 1000;
  int attributes_per_span = 3;   // extra attributes beyond the standard workload's (~175 B/span)
  int connections = 4;           // concurrent in-flight requests
  double duration_seconds = 10;  // with total_spans set, a cap (<= 0: none)
  uint64_t total_spans = 0;      // stop after this many acknowledged spans (0 = use duration)
  uint64_t seed = 1;
};

// Outcome of one RunLoad. Value type.
struct LoadReport {
  uint64_t spans_acked = 0;
  uint64_t requests_ok = 0;
  uint64_t requests_failed = 0;
  uint64_t bytes_sent = 0;  // request bodies of completed requests
  double seconds = 0;
  double spans_per_second = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  std::string first_error;  // first failure seen, empty when none
  std::string ToString() const;
};

// Sends the standard trace workload to an OTLP receiver (gRPC Export or HTTP POST /v1/traces)
// from the calling thread until the duration or total_spans is reached. Requests are pre-built
// before the clock starts and each send gets fresh ids and current timestamps. InvalidArgument on
// bad options; Unavailable when no request at all succeeded.
Result<LoadReport> RunLoad(const LoadOptions& options);

}  // namespace periscope::loadgen
