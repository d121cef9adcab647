#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "model/metric_batch.h"

namespace periscope {

// Result of decoding one Prometheus remote-write request. Value type.
struct DecodedRemoteWrite {
  MetricBatch batch;            // tenant set, labels normalized
  int64_t rejected_series = 0;  // series without __name__, or with native histograms only
  std::string error_message;    // first few reasons, "" if none
  std::string wal_payload;      // the uncompressed WriteRequest protobuf
};

// Snappy block-compressed WriteRequest (remote write 1.0). Fails with InvalidArgument when the
// body is not valid snappy or protobuf, and ResourceExhausted when it would decompress past
// max_bytes. Series kinds come from the request metadata (COUNTER, GAUGE, HISTOGRAM, SUMMARY),
// else from the name (`_total`, `_bucket`, `_count`, `_sum` are counters). Exemplars keep their
// trace_id/traceID and span_id/spanID labels as ids. Native histograms are not stored yet: a
// series carrying only those is rejected (counted).
Result<DecodedRemoteWrite> DecodeRemoteWrite(std::string_view snappy_body, std::string_view tenant,
                                             size_t max_bytes);
// The uncompressed WriteRequest protobuf (WAL replay); InvalidArgument when it does not parse.
Result<DecodedRemoteWrite> DecodeRemoteWriteProto(std::string_view proto, std::string_view tenant);

}  // namespace periscope
