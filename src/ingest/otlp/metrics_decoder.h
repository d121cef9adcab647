#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "model/metric_batch.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"

namespace periscope {

// Result of decoding one OTLP metrics export request. Value type.
struct DecodedMetrics {
  MetricBatch batch;  // tenant set, labels normalized, grouped by series
  int64_t rejected_points = 0;
  std::string error_message;  // first few reasons points were rejected, "" if none
  std::string wal_payload;    // ExportMetricsServiceRequest protobuf bytes
};

// Mapping (docs/api.md "Metrics data model"): metric names and attribute keys are sanitized to
// Prometheus form ('.' -> '_'); labels are the unified tags `service`, `env`, `version`, `host`
// of the resource plus the point attributes. Gauge -> one gauge series; sum -> one series whose
// kind records temporality and monotonicity; histogram -> `<name>_bucket{le}` (cumulative, with
// le="+Inf"), `<name>_sum`, `<name>_count`, and `<name>_min`/`_max` when present; exponential
// histogram -> the same classic series with le at the bucket bounds base^(index+1)
// (negative buckets and the zero bucket first); summary -> `<name>{quantile}`, `_sum`, `_count`.
// Times are kept in milliseconds; cumulative points keep their start time, and exemplars their
// trace and span ids (attached to the bucket holding the exemplar value). A point is rejected
// (counted, not fatal) when its metric has no name, its time is zero, or its histogram has
// bucket_counts not one more than explicit_bounds; points flagged "no recorded value" are
// skipped. Re-decoding wal_payload yields the same batch.

// Binary protobuf body; InvalidArgument when it does not parse.
Result<DecodedMetrics> DecodeMetricsProtobuf(std::string_view body, std::string_view tenant);
// OTLP/JSON body (hex exemplar ids); InvalidArgument on invalid JSON or wrong value types.
Result<DecodedMetrics> DecodeMetricsJson(std::string_view body, std::string_view tenant);
// From an already parsed message (gRPC path); wal_payload is `req` serialized.
DecodedMetrics DecodeMetricsMessage(
    const opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest& req,
    std::string_view tenant);

// ExportMetricsServiceResponse body, protobuf or JSON; partial_success only when needed.
std::string EncodeMetricsResponse(int64_t rejected, std::string_view message, bool json);

}  // namespace periscope
