#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "model/span_batch.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace periscope {

// Result of decoding one OTLP trace export request; `batch` holds only accepted spans. Value type.
struct DecodedTraces {
  SpanBatch batch;  // columnar rows, tenant set, unified tags filled
  int64_t rejected_spans = 0;
  std::string error_message;  // why spans were rejected (first few reasons), "" if none
  std::string wal_payload;    // ExportTraceServiceRequest protobuf bytes of the accepted spans
};

// A span is rejected (counted, not fatal) when its trace_id is not 16 bytes or all zero, its
// span_id is not 8 bytes or zero, its parent_span_id is neither empty nor 8 bytes, end < start,
// a time is past int64 nanoseconds, or a link's trace_id/span_id is not 16/8 bytes. Identical
// resources and scopes of one request share one entry in the batch; a resource or scope appears
// in the batch only once one of its spans is accepted. Decoding is deterministic: decoding
// wal_payload again with DecodeTracesProtobuf yields the same batch.

// Binary protobuf body. When every span is accepted, wal_payload is `body` itself. Fails with
// InvalidArgument, naming the broken part, when the body does not parse.
Result<DecodedTraces> DecodeTracesProtobuf(std::string_view body, std::string_view tenant);

// OTLP/JSON body: hex trace/span ids, lowerCamelCase or snake_case field names, enums as
// integers or names, 64-bit integers as strings or numbers, unknown fields ignored. Fails with
// InvalidArgument, naming the JSON path or offset, on invalid JSON or a value of the wrong type;
// an id that is not hex of the right length rejects its span instead.
Result<DecodedTraces> DecodeTracesJson(std::string_view body, std::string_view tenant);

// From an already parsed message (gRPC path). Rejected spans are removed from `req`;
// wal_payload is `req` serialized afterwards.
DecodedTraces DecodeTracesMessage(
    opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest& req,
    std::string_view tenant);

// ExportTraceServiceResponse body for OTLP/HTTP, protobuf or JSON; partial_success is set only
// when something was rejected or a message is given.
std::string EncodeTraceResponse(int64_t rejected, std::string_view message, bool json);

}  // namespace periscope
