#pragma once

#include <cstdint>
#include <string_view>

#include "ingest/otlp/log_decoder.h"

namespace periscope {

// What DecodeLogsWire made of a body.
enum class LogsWireOutcome {
  kMalformed,       // not a valid ExportLogsServiceRequest; *out is unspecified
  kBodyUnchanged,   // nothing rejected or stamped: the body itself is the WAL payload
  kPayloadRebuilt,  // out->wal_payload holds the accepted records, stamped
};

// Decodes an ExportLogsServiceRequest straight from protobuf wire bytes into out->batch,
// rejected_records and error_message, giving what parsing with the generated classes and
// converting gives (same rejections, resource and scope interning, merge rules of repeated
// singular fields and oneofs, UTF-8 checks and nesting limit). kMalformed says only that the
// body is broken; the caller asks the generated classes for the reason. Thread-safe.
LogsWireOutcome DecodeLogsWire(std::string_view body, std::string_view tenant, int64_t now_ns,
                               DecodedLogs* out);

}  // namespace periscope
