#include "periscope/trace/logs.h"

#include <atomic>

#include "periscope/trace/span.h"
#include "sdk/batch_worker.h"
#include "sdk/queue_drop_reporter.h"
#include "sdk/timeout_diagnostic.h"

namespace periscope::trace {
namespace internal {

// The queue and exporter behind a LoggerProvider and its loggers. Thread-safe.
struct LogPipeline {
  explicit LogPipeline(size_t max_queue_size)
      : drops("LoggerProvider", "log records", max_queue_size) {}
  std::shared_ptr<const Resource> resource;
  std::shared_ptr<LogRecordExporter> exporter;
  std::unique_ptr<BatchWorker<LogRecordData>> worker;
  std::atomic<bool> shut_down{false};
  QueueDropReporter drops;  // used by the worker, after each export
};

}  // namespace internal

std::string_view SeverityText(Severity severity) {
  switch (severity) {
    case Severity::kTrace:
      return "TRACE";
    case Severity::kDebug:
      return "DEBUG";
    case Severity::kInfo:
      return "INFO";
    case Severity::kWarn:
      return "WARN";
    case Severity::kError:
      return "ERROR";
    case Severity::kFatal:
      return "FATAL";
  }
  return "";
}

struct Logger::Shared {
  std::shared_ptr<internal::LogPipeline> pipeline;
  std::shared_ptr<const InstrumentationScope> scope;
};

void Logger::Emit(Severity severity, AttributeValue body, Attributes attributes) const {
  Emit(severity, std::move(body), std::move(attributes), Context::Current());
}

void Logger::Emit(Severity severity, AttributeValue body, Attributes attributes,
                  const Context& context) const {
  internal::LogPipeline& p = *shared_->pipeline;
  if (p.shut_down.load(std::memory_order_acquire)) return;
  LogRecordData r;
  r.time = r.observed_time = Clock::now();
  r.severity = severity;
  r.body = std::move(body);
  r.attributes = std::move(attributes);
  SpanContext sc = context.span_context();
  if (sc.IsValid()) {
    r.trace_id = sc.trace_id;
    r.span_id = sc.span_id;
    r.trace_flags = sc.flags;
  }
  r.resource = p.resource;
  r.scope = shared_->scope;
  p.worker->Push(std::move(r));
}

struct LoggerProvider::Impl {
  explicit Impl(size_t max_queue_size)
      : pipeline(std::make_shared<internal::LogPipeline>(max_queue_size)) {}
  std::shared_ptr<internal::LogPipeline> pipeline;
};

LoggerProvider::LoggerProvider(LoggerProviderOptions options)
    : impl_(std::make_shared<Impl>(options.batch.max_queue_size)) {
  internal::LogPipeline& p = *impl_->pipeline;
  p.resource = std::make_shared<const Resource>(options.resource.MergedOverDefault());
  p.exporter = std::move(options.exporter);
  LogRecordExporter* exporter = p.exporter.get();
  // The worker exports only queued records, so p.worker is set before the first export.
  p.worker = std::make_unique<internal::BatchWorker<LogRecordData>>(
      [exporter, &p](std::span<const LogRecordData> records) {
        ExportResult result = exporter ? exporter->Export(records) : ExportResult::Ok();
        p.drops.Report(p.worker->stats().dropped);
        return result;
      },
      options.batch,
      [exporter] {
        if (exporter) exporter->Shutdown();
      });
}

LoggerProvider::~LoggerProvider() { Shutdown(); }

Logger LoggerProvider::GetLogger(std::string_view name, std::string_view version) {
  auto shared = std::make_shared<Logger::Shared>();
  shared->pipeline = impl_->pipeline;
  shared->scope = std::make_shared<const InstrumentationScope>(
      InstrumentationScope{std::string(name), std::string(version)});
  return Logger(std::move(shared));
}

bool LoggerProvider::ForceFlush(std::chrono::milliseconds timeout) {
  const bool ok = impl_->pipeline->worker->Flush(timeout);
  if (!ok) {
    internal::DiagnoseTimeout("LoggerProvider", "ForceFlush", timeout,
                              "log records emitted before it are still being exported");
  }
  return ok;
}

bool LoggerProvider::Shutdown(std::chrono::milliseconds timeout) {
  internal::LogPipeline& p = *impl_->pipeline;
  if (p.shut_down.exchange(true)) return true;
  bool ok = p.worker->Shutdown(timeout);
  if (p.exporter) p.exporter->Shutdown();
  if (!ok) {
    internal::DiagnoseTimeout(
        "LoggerProvider", "shutdown", timeout,
        "the export in progress was cut short, and log records not exported by then are lost");
  }
  return ok;
}

BatchStats LoggerProvider::stats() const { return impl_->pipeline->worker->stats(); }

}  // namespace periscope::trace
