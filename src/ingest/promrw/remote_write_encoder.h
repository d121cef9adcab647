#pragma once

#include <string>

#include "model/metric_batch.h"

namespace periscope {

// Encodes samples Periscope produced itself (DogStatsD aggregates, span-derived RED metrics) as a
// Prometheus remote-write WriteRequest protobuf (not snappy-compressed), with one metadata entry
// per metric name giving its kind, and exemplars carrying trace_id/span_id labels. Such a payload
// is what the metrics WAL stores for kPromRemoteWrite records, so replay decodes it with
// DecodeRemoteWriteProto into the same batch. Start times are not carried.
std::string EncodeRemoteWrite(const MetricBatch& batch);

}  // namespace periscope
