#include <atomic>
#include <cstdlib>

#include "periscope/trace/processor.h"
#include "sdk/batch_span_processor_impl.h"
#include "sdk/queue_drop_reporter.h"
#include "sdk/timeout_diagnostic.h"

namespace periscope::trace {
namespace {

using SpanQueue = internal::BatchWorker<SpanData, internal::SpanRecord>;

// The application's exporter, seen by a BatchSpanProcessor: after each export it reports the
// spans the processor's queue dropped meanwhile. Export is called by the processor's worker
// only; Watch once, before the first span is queued.
class DropReportingSpanExporter final : public SpanExporter {
 public:
  DropReportingSpanExporter(std::shared_ptr<SpanExporter> exporter, size_t max_queue_size)
      : exporter_(std::move(exporter)), drops_("BatchSpanProcessor", "spans", max_queue_size) {}

  ExportResult Export(std::span<const SpanData> spans) override {
    ExportResult result = exporter_->Export(spans);
    if (const SpanQueue* queue = queue_.load(std::memory_order_acquire)) {
      drops_.Report(queue->stats().dropped);
    }
    return result;
  }
  void Shutdown() override { exporter_->Shutdown(); }

  void Watch(const SpanQueue* queue) { queue_.store(queue, std::memory_order_release); }

 private:
  const std::shared_ptr<SpanExporter> exporter_;
  std::atomic<const SpanQueue*> queue_{nullptr};
  internal::QueueDropReporter drops_;
};

}  // namespace

SimpleSpanProcessor::SimpleSpanProcessor(std::shared_ptr<SpanExporter> exporter)
    : exporter_(std::move(exporter)) {}

void SimpleSpanProcessor::OnEnd(SpanData&& span) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shut_down_ || !exporter_) return;
  exporter_->Export(std::span<const SpanData>(&span, 1));
}

bool SimpleSpanProcessor::Shutdown(std::chrono::milliseconds) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!shut_down_ && exporter_) exporter_->Shutdown();
  shut_down_ = true;
  return true;
}

BatchOptions BatchOptions::FromEnv(std::string_view prefix, const EnvGetter& env) {
  BatchOptions o;
  auto read = [&](std::string_view name, auto apply) {
    std::optional<std::string> v = env(std::string(prefix) + std::string(name));
    if (!v) return;
    char* end = nullptr;
    long long n = std::strtoll(v->c_str(), &end, 10);
    if (end == v->c_str() || *end != '\0' || n <= 0) return;
    apply(n);
  };
  read("MAX_QUEUE_SIZE", [&](long long n) { o.max_queue_size = static_cast<size_t>(n); });
  read("MAX_EXPORT_BATCH_SIZE",
       [&](long long n) { o.max_export_batch_size = static_cast<size_t>(n); });
  read("SCHEDULE_DELAY", [&](long long n) { o.schedule_delay = std::chrono::milliseconds(n); });
  read("EXPORT_TIMEOUT", [&](long long n) { o.export_timeout = std::chrono::milliseconds(n); });
  return o;
}

BatchSpanProcessor::BatchSpanProcessor(std::shared_ptr<SpanExporter> exporter,
                                       BatchOptions options) {
  auto reporting =
      std::make_shared<DropReportingSpanExporter>(std::move(exporter), options.max_queue_size);
  impl_ = std::make_unique<Impl>(reporting, options);
  reporting->Watch(&impl_->worker);
}

BatchSpanProcessor::~BatchSpanProcessor() = default;

void BatchSpanProcessor::OnEnd(SpanData&& span) { impl_->worker.Push(std::move(span)); }

bool BatchSpanProcessor::ForceFlush(std::chrono::milliseconds timeout) {
  const bool ok = impl_->worker.Flush(timeout);
  if (!ok) {
    internal::DiagnoseTimeout("BatchSpanProcessor", "ForceFlush", timeout,
                              "spans ended before it are still being exported");
  }
  return ok;
}

bool BatchSpanProcessor::Shutdown(std::chrono::milliseconds timeout) {
  bool ok = impl_->worker.Shutdown(timeout);
  impl_->exporter->Shutdown();
  if (!ok) {
    internal::DiagnoseTimeout(
        "BatchSpanProcessor", "shutdown", timeout,
        "the export in progress was cut short, and spans not exported by then are lost");
  }
  return ok;
}

BatchStats BatchSpanProcessor::stats() const { return impl_->worker.stats(); }

ExportResult InMemorySpanExporter::Export(std::span<const SpanData> spans) {
  std::lock_guard<std::mutex> lock(mu_);
  // Kept with one attribute list, as a reader expects it.
  for (const SpanData& span : spans) {
    SpanData& kept = spans_.emplace_back(span);
    if (kept.shared_attributes) {
      kept.attributes = span.AllAttributes();
      kept.shared_attributes.reset();
    }
  }
  return ExportResult::Ok();
}

std::vector<SpanData> InMemorySpanExporter::spans() const {
  std::lock_guard<std::mutex> lock(mu_);
  return spans_;
}

void InMemorySpanExporter::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  spans_.clear();
}

}  // namespace periscope::trace
