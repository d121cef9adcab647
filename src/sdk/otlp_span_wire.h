#pragma once

#include <span>
#include <string>

#include "periscope/trace/logs.h"
#include "periscope/trace/span.h"

namespace periscope::trace::internal {

// Replaces out's contents with the protobuf bytes of the ExportTraceServiceRequest that
// EncodeSpans(spans) builds (same grouping, fields and values), without protobuf message objects.
// out keeps its capacity: reuse it across batches.
void EncodeSpansWire(std::span<const SpanData> spans, std::string& out);

// The same for logs: the bytes of EncodeLogs(records).
void EncodeLogsWire(std::span<const LogRecordData> records, std::string& out);

}  // namespace periscope::trace::internal
