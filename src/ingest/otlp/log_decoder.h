#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "model/log_batch.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"

namespace periscope {

// Result of decoding one OTLP logs export request; `batch` holds only accepted records.
// Value type.
struct DecodedLogs {
  LogBatch batch;  // columnar rows, tenant set, unified tags filled
  int64_t rejected_records = 0;
  std::string error_message;  // why records were rejected (first few reasons), "" if none
  std::string wal_payload;    // ExportLogsServiceRequest protobuf bytes of the accepted records
};

// A record is rejected (counted, not fatal) when its trace_id is neither empty nor 16 bytes,
// its span_id neither empty nor 8 bytes, or a time is past int64 nanoseconds. A record with
// neither time nor observed time gets `now_ns` as observed time (written into wal_payload, so
// replay is deterministic). Row time is time_unix_nano, else observed_time_unix_nano. Identical
// resources and scopes share one batch entry, added only once one of their records is accepted.

// Binary protobuf body, decoded straight from the wire (log_proto_decoder.h). When nothing was
// rejected or stamped, wal_payload is `body` itself. InvalidArgument, naming the broken part,
// when the body does not parse.
Result<DecodedLogs> DecodeLogsProtobuf(std::string_view body, std::string_view tenant,
                                       int64_t now_ns);

// The same, taking the body over: when nothing was rejected or stamped, wal_payload is `body`
// moved, not copied.
Result<DecodedLogs> DecodeLogsProtobufBody(std::string body, std::string_view tenant,
                                           int64_t now_ns);

// The same through the generated protobuf classes (parse on an arena, then convert): the
// reference the wire decoder is tested against, and what explains a malformed body.
Result<DecodedLogs> DecodeLogsProtobufWithMessages(std::string_view body, std::string_view tenant,
                                                   int64_t now_ns);

// OTLP/JSON body: hex trace/span ids, lowerCamelCase or snake_case names, enums as integers or
// names, 64-bit integers as strings or numbers, unknown fields ignored. InvalidArgument on
// invalid JSON or a value of the wrong type; an id that is not hex of the right length rejects
// its record instead.
Result<DecodedLogs> DecodeLogsJson(std::string_view body, std::string_view tenant, int64_t now_ns);

// From an already parsed message (gRPC path). Rejected records are removed from `req`;
// wal_payload is `req` serialized afterwards.
DecodedLogs DecodeLogsMessage(
    opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest& req,
    std::string_view tenant, int64_t now_ns);

// ExportLogsServiceResponse body for OTLP/HTTP, protobuf or JSON; partial_success is set only
// when something was rejected or a message is given.
std::string EncodeLogsResponse(int64_t rejected, std::string_view message, bool json);

}  // namespace periscope
