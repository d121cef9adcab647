#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "ingest/otlp/span_rejections.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace periscope {

// Where a span sits in an export request.
struct SpanPosition {
  int resource = 0;
  int scope = 0;
  int span = 0;
};

// Parses an OTLP/JSON trace export request into `out` (hex ids, lowerCamelCase or snake_case
// names, enums as integers or names, 64-bit integers as strings or numbers, unknown fields
// ignored). A span with an id that is not hex of the right length stays in `out` with that id
// cleared, and is listed in `rejected` (in request order) and counted in `rejections`.
// Fails with InvalidArgument on invalid JSON (with line and column) or a value of the wrong type
// (with its JSON path, e.g. "resourceSpans[0].scopeSpans[1].spans[3].kind: unknown enum name").
Status ParseTracesJson(std::string_view body,
                       opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest* out,
                       std::vector<SpanPosition>* rejected, SpanRejections* rejections);

// Encodes `req` as OTLP/JSON: lowerCamelCase names, hex ids, enums as integers, 64-bit integers
// as strings, bytes values as base64.
Result<std::string> EncodeTracesJson(
    const opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest& req);

// Decodes standard or URL-safe base64, padding optional; nullopt on any other character.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace periscope
