#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "periscope/trace/common.h"
#include "periscope/trace/span.h"

namespace periscope::trace {

// Sends finished spans somewhere. Export is called by one thread at a time.
class SpanExporter {
 public:
  virtual ~SpanExporter() = default;
  virtual ExportResult Export(std::span<const SpanData> spans) = 0;
  // Interrupts retries in progress; later exports fail.
  virtual void Shutdown() {}
};

// Receives spans as they end. Implementations are thread-safe.
class SpanProcessor {
 public:
  virtual ~SpanProcessor() = default;
  virtual void OnEnd(SpanData&& span) = 0;
  // Exports what is buffered; false if the timeout passed first.
  virtual bool ForceFlush(std::chrono::milliseconds timeout) = 0;
  // Flushes, then stops; later spans are dropped.
  virtual bool Shutdown(std::chrono::milliseconds timeout) = 0;
};

// Exports each span synchronously on the thread that ends it (tests, debugging).
class SimpleSpanProcessor final : public SpanProcessor {
 public:
  explicit SimpleSpanProcessor(std::shared_ptr<SpanExporter> exporter);
  void OnEnd(SpanData&& span) override;
  bool ForceFlush(std::chrono::milliseconds) override { return true; }
  bool Shutdown(std::chrono::milliseconds) override;

 private:
  std::mutex mu_;
  std::shared_ptr<SpanExporter> exporter_;
  bool shut_down_ = false;
};

// Batch settings, shared by the span and log batch processors.
struct BatchOptions {
  size_t max_queue_size = 2048;
  size_t max_export_batch_size = 512;
  std::chrono::milliseconds schedule_delay{5000};
  std::chrono::milliseconds export_timeout{30000};
  // The export thread's nice value, added to the process's (Linux; 0 keeps the process's): by
  // default it yields to the application's threads, so that an export does not stall them on a
  // busy core.
  int worker_nice = 10;
  // Linux: the export thread also runs under the SCHED_IDLE policy, so that an application thread
  // that wakes up on its core takes the core at once (at a nice value alone, the scheduler may
  // let a running export finish its time slice first, and a traced RPC server waits for it). On a
  // core the application keeps busy all the time it gets only a sliver of time (about 0.3% against
  // one busy thread): spans that do not fit in the queue then are dropped and reported. False:
  // the nice value alone (about a tenth of a fully loaded core).
  bool worker_sched_idle = true;
  // From OTEL_BSP_* (prefix "OTEL_BSP_") or OTEL_BLRP_* (prefix "OTEL_BLRP_"); bad values keep the
  // defaults.
  static BatchOptions FromEnv(std::string_view prefix, const EnvGetter& env = SystemEnv());
};

// Counters of a batch processor.
struct BatchStats {
  uint64_t queued = 0;    // accepted into the queue
  uint64_t dropped = 0;   // refused because the queue was full or after shutdown
  uint64_t exported = 0;  // in batches the exporter accepted
  uint64_t failed = 0;    // in batches the exporter failed
};

namespace internal {
struct BatchQueueAccess;
}  // namespace internal

// Queues ended spans in a bounded queue and exports them in batches from a background thread.
// OnEnd never waits for the exporter: when the queue is full the span is dropped and counted.
// Thread-safe.
class BatchSpanProcessor final : public SpanProcessor {
 public:
  BatchSpanProcessor(std::shared_ptr<SpanExporter> exporter, BatchOptions options = {});
  ~BatchSpanProcessor() override;
  void OnEnd(SpanData&& span) override;
  bool ForceFlush(std::chrono::milliseconds timeout) override;
  bool Shutdown(std::chrono::milliseconds timeout) override;
  BatchStats stats() const;

 private:
  friend struct internal::BatchQueueAccess;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Keeps exported spans in memory (tests, examples), each with its shared attributes merged into
// `attributes`. Thread-safe.
class InMemorySpanExporter final : public SpanExporter {
 public:
  ExportResult Export(std::span<const SpanData> spans) override;
  std::vector<SpanData> spans() const;
  void Clear();

 private:
  mutable std::mutex mu_;
  std::vector<SpanData> spans_;
};

}  // namespace periscope::trace
