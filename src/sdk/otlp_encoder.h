#pragma once

#include <span>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "periscope/trace/logs.h"
#include "periscope/trace/metrics.h"
#include "periscope/trace/span.h"

namespace periscope::trace::internal {

namespace otlp_collector = ::opentelemetry::proto::collector;

void EncodeValue(const AttributeValue& value, ::opentelemetry::proto::common::v1::AnyValue* out);
void EncodeAttributes(
    const Attributes& attrs,
    google::protobuf::RepeatedPtrField<::opentelemetry::proto::common::v1::KeyValue>* out);

// Builds OTLP export requests; items sharing a Resource / InstrumentationScope object are grouped
// under one ResourceX / ScopeX.
otlp_collector::trace::v1::ExportTraceServiceRequest EncodeSpans(std::span<const SpanData> spans);
otlp_collector::logs::v1::ExportLogsServiceRequest EncodeLogs(
    std::span<const LogRecordData> records);
otlp_collector::metrics::v1::ExportMetricsServiceRequest EncodeMetrics(
    const Resource& resource, std::span<const MetricData> metrics);

}  // namespace periscope::trace::internal
