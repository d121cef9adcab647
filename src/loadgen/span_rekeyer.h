#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace periscope::loadgen {

// Byte offsets of the fixed-width span fields inside one serialized ExportTraceServiceRequest.
struct SpanFieldOffsets {
  std::vector<uint32_t> trace_ids;  // 16-byte span trace ids
  std::vector<uint32_t> span_ids;   // 8-byte span ids and parent span ids
  std::vector<uint32_t> times;      // fixed64 span start/end and event times
  size_t spans = 0;
};

// Walks the protobuf wire format of `request` and records where its ids and timestamps are.
// Ids of unexpected length are left out. Corruption when the bytes are not a well-formed request.
Result<SpanFieldOffsets> LocateSpanFields(std::string_view request);

// What one re-keying applies: XOR keys for ids and a shift for timestamps.
struct RekeyParams {
  std::array<uint8_t, 16> trace_key{};
  std::array<uint8_t, 8> span_key{};
  int64_t time_shift_ns = 0;
};

// Rewrites, in place, every located id (XOR with the keys, so parent links and trace membership
// stay intact) and timestamp (plus the shift). `request` must be the bytes the offsets came from.
void RekeySpans(char* request, const SpanFieldOffsets& offsets, const RekeyParams& params);

}  // namespace periscope::loadgen
