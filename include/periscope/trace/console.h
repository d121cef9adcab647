#pragma once

#include <iosfwd>
#include <mutex>
#include <span>

#include "periscope/trace/processor.h"

namespace periscope::trace {

// Writes each span as one readable line (name, ids, parent, kind, duration, status, attributes)
// to a stream, stderr by default: for debugging, or OTEL_TRACES_EXPORTER=console. Thread-safe;
// the stream must outlive the exporter.
class ConsoleSpanExporter final : public SpanExporter {
 public:
  ConsoleSpanExporter();
  explicit ConsoleSpanExporter(std::ostream& out);
  ExportResult Export(std::span<const SpanData> spans) override;

 private:
  std::mutex mu_;
  std::ostream& out_;
};

}  // namespace periscope::trace
