#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "periscope/trace/common.h"
#include "periscope/trace/context.h"
#include "periscope/trace/processor.h"
#include "periscope/trace/span_context.h"

namespace periscope::trace {

// OTLP severity numbers (the first of each range).
enum class Severity : int {
  kTrace = 1,
  kDebug = 5,
  kInfo = 9,
  kWarn = 13,
  kError = 17,
  kFatal = 21,
};
std::string_view SeverityText(Severity severity);

// One log record as handed to exporters. A plain value type.
struct LogRecordData {
  Timestamp time;
  Timestamp observed_time;
  Severity severity = Severity::kInfo;
  AttributeValue body;
  Attributes attributes;
  TraceId trace_id;  // of the span active when emitted; invalid if none
  SpanId span_id;
  TraceFlags trace_flags;
  std::shared_ptr<const Resource> resource;
  std::shared_ptr<const InstrumentationScope> scope;
};

// Sends log records somewhere. Export is called by one thread at a time.
class LogRecordExporter {
 public:
  virtual ~LogRecordExporter() = default;
  virtual ExportResult Export(std::span<const LogRecordData> records) = 0;
  virtual void Shutdown() {}
};

struct LoggerProviderOptions {
  Resource resource;  // merged over Resource::Default()
  std::shared_ptr<LogRecordExporter> exporter;
  BatchOptions batch;
};

class LoggerProvider;

// Emits log records for one scope. Cheap to copy; thread-safe.
class Logger {
 public:
  // Records body and attrs at severity, with the trace/span id of the context's active span
  // (Context::Current() by default). Never blocks on export: a full queue drops the record.
  void Emit(Severity severity, AttributeValue body, Attributes attributes = {}) const;
  void Emit(Severity severity, AttributeValue body, Attributes attributes,
            const Context& context) const;

 private:
  friend class LoggerProvider;
  struct Shared;
  explicit Logger(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}
  std::shared_ptr<Shared> shared_;
};

// Owns the log batch queue and exporter. Thread-safe; the destructor flushes and shuts down.
class LoggerProvider {
 public:
  explicit LoggerProvider(LoggerProviderOptions options);
  ~LoggerProvider();
  LoggerProvider(const LoggerProvider&) = delete;
  LoggerProvider& operator=(const LoggerProvider&) = delete;

  Logger GetLogger(std::string_view name, std::string_view version = {});
  bool ForceFlush(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  bool Shutdown(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  BatchStats stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace periscope::trace
