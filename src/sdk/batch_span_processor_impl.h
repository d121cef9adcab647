#pragma once

#include <memory>
#include <span>

#include "periscope/trace/processor.h"
#include "sdk/batch_worker.h"
#include "sdk/span_record.h"

namespace periscope::trace {

// The batch processor's exporter and queue, seen by the span code that queues into it directly.
struct BatchSpanProcessor::Impl {
  Impl(std::shared_ptr<SpanExporter> e, BatchOptions options)
      : exporter(std::move(e)),
        worker([this](std::span<const SpanData> spans) { return exporter->Export(spans); }, options,
               [this] { exporter->Shutdown(); }) {}
  std::shared_ptr<SpanExporter> exporter;
  internal::BatchWorker<SpanData, internal::SpanRecord> worker;
};

namespace internal {

// The queue of a BatchSpanProcessor, for the SDK's span code.
struct BatchQueueAccess {
  static BatchWorker<SpanData, SpanRecord>& Queue(BatchSpanProcessor& processor) {
    return processor.impl_->worker;
  }
};

// Queues an ended span that was started from a shape and set nothing of its own (see SpanShape).
// Inline into the span's End: one call less on every traced call's path.
[[gnu::always_inline]] inline void PushShapedSpan(BatchSpanProcessor& processor,
                                                  const SpanContext& context,
                                                  const ShapedSpan& span, Timestamp end_time) {
  BatchQueueAccess::Queue(processor).PushCompact(
      [&](SpanRecord& slot) { WriteSpanRecord(slot, context, span, end_time); });
}

}  // namespace internal
}  // namespace periscope::trace
