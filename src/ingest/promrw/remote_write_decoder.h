#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/metric_batch.h"

namespace periscope {

inline constexpr uint32_t kUnresolvedSeries = UINT32_MAX;

// Looks up the raw label bytes of a TimeSeries (its label fields exactly as sent, tags
// included) among the series the store already holds: their ordinal, or kUnresolvedSeries.
using RemoteWriteSeriesResolver = std::function<uint32_t(std::string_view raw_labels)>;

// Result of decoding one Prometheus remote-write request. Value type.
struct DecodedRemoteWrite {
  MetricBatch batch;            // tenant set, labels normalized
  int64_t rejected_series = 0;  // series without __name__, or with native histograms only
  std::string error_message;    // first few reasons, "" if none
  std::string wal_payload;      // the uncompressed WriteRequest protobuf
  // The kinds the request's metadata gives the series names of each family it describes (x,
  // x_total, x_bucket, x_count, x_sum). Prometheus sends metadata in requests of their own, so
  // these must outlive the request: MetricTable::SetNameKinds.
  std::vector<std::pair<std::string, MetricKind>> name_kinds;
  // Filled when decoded with a resolver, one per batch series (else empty): the ordinal the
  // resolver gave, in which case the series' labels are left empty, or kUnresolvedSeries; and
  // where its raw label bytes sit in wal_payload (size 0 when its label fields were not
  // contiguous, so it cannot be cached).
  struct KeySpan {
    uint32_t offset = 0, size = 0;
  };
  std::vector<uint32_t> ordinals;
  std::vector<KeySpan> keys;
  std::string_view key(size_t series) const {
    return std::string_view(wal_payload).substr(keys[series].offset, keys[series].size);
  }
};

// Snappy block-compressed WriteRequest (remote write 1.0). Fails with InvalidArgument when the
// body is not valid snappy or protobuf, and ResourceExhausted when it would decompress past
// max_bytes. Series kinds come from the request metadata (COUNTER, GAUGE, HISTOGRAM, SUMMARY),
// else from the name (`_total`, `_bucket`, `_count`, `_sum` are counters). Exemplars keep their
// trace_id/traceID and span_id/spanID labels as ids. Native histograms are not stored yet: a
// series carrying only those is rejected (counted). With a resolver, and when the request
// carries no metadata (which could change a series' kind), series whose raw label bytes resolve
// skip label parsing (their bytes were validated when first seen); see DecodedRemoteWrite.
Result<DecodedRemoteWrite> DecodeRemoteWrite(std::string_view snappy_body, std::string_view tenant,
                                             size_t max_bytes,
                                             const RemoteWriteSeriesResolver* resolver = nullptr);
// The uncompressed WriteRequest protobuf (WAL replay); InvalidArgument when it does not parse.
Result<DecodedRemoteWrite> DecodeRemoteWriteProto(std::string_view proto, std::string_view tenant);

}  // namespace periscope
