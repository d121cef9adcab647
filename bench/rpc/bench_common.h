#pragma once

// Shared pieces of the RPC benchmark: the run settings, latency statistics and the tracing
// setup (spans through a batch processor into an exporter that discards them, or that sends
// them over OTLP/HTTP).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "periscope/trace.h"

namespace rpcbench {

using BenchClock = std::chrono::steady_clock;

struct ClientSettings {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  size_t payload_bytes = 100;
  size_t concurrency = 1;
  std::chrono::milliseconds warmup{500};
  std::chrono::milliseconds duration{2000};
};

// Latencies of the calls that started inside the measured window. Not synchronised.
class LatencyRecorder {
 public:
  LatencyRecorder(BenchClock::time_point measure_from, BenchClock::time_point measure_until)
      : from_(measure_from), until_(measure_until) {}
  // Records one call if it started inside the window.
  void Add(BenchClock::time_point start, BenchClock::time_point end) {
    if (start >= from_ && start < until_) nanos_.push_back((end - start).count());
  }
  bool running(BenchClock::time_point now) const { return now < until_; }
  // "calls=N seconds=S calls_per_s=R p50_us=X p99_us=Y failures=F", one line.
  std::string Summary(uint64_t failures);

 private:
  BenchClock::time_point from_;
  BenchClock::time_point until_;
  std::vector<int64_t> nanos_;
};

// Counts what it is given and drops it. Thread-safe.
class DiscardingExporter final : public periscope::trace::SpanExporter {
 public:
  periscope::trace::ExportResult Export(std::span<const periscope::trace::SpanData> s) override {
    exported_ += s.size();
    return periscope::trace::ExportResult::Ok();
  }
  uint64_t exported() const { return exported_; }

 private:
  std::atomic<uint64_t> exported_{0};
};

// Batch processor settings of the benchmark: export batches of `export_batch` spans (bench
// default 4,096; OpenTelemetry's is 512) from a queue of 16 batches (at least 65,536 spans).
struct BatchSettings {
  size_t export_batch = 4096;
};

// A provider whose spans go through a BatchSpanProcessor into a DiscardingExporter.
std::shared_ptr<periscope::trace::TracerProvider> MakeDiscardingProvider(
    const std::string& service_name, BatchSettings batch = {});
// The same batch processor with the OTLP/HTTP protobuf span exporter to `endpoint` (a URL such
// as http://127.0.0.1:4318/v1/traces): tracing as a deployed service pays for it.
std::shared_ptr<periscope::trace::TracerProvider> MakeOtlpProvider(const std::string& service_name,
                                                                   const std::string& endpoint,
                                                                   BatchSettings batch = {});
// "spans_queued=Q spans_dropped=D spans_exported=E spans_failed=F" of the batch processor the
// last Make*Provider call built; empty when there was none.
std::string BatchStatsLine();

// The payload of every request: `bytes` bytes of a repeating pattern.
std::string MakePayload(size_t bytes);

}  // namespace rpcbench
