#include "loadgen/send_slot.h"

#include <utility>

namespace periscope::loadgen {

SendSlot::SendSlot(std::string prefix, std::string_view body, SpanFieldOffsets offsets,
                   int64_t built_at_ns, uint64_t seed)
    : wire_(std::move(prefix)),
      body_offset_(wire_.size()),
      offsets_(std::move(offsets)),
      times_at_ns_(built_at_ns),
      rng_(seed) {
  wire_.append(body);
}

void SendSlot::Prepare(int64_t now_ns) {
  RekeyParams params;
  for (size_t i = 0; i < params.trace_key.size(); i += 8) {
    uint64_t v = rng_.Next();
    for (size_t j = 0; j < 8; ++j) params.trace_key[i + j] = static_cast<uint8_t>(v >> (8 * j));
  }
  uint64_t v = rng_.Next();
  for (size_t j = 0; j < 8; ++j) params.span_key[j] = static_cast<uint8_t>(v >> (8 * j));
  params.time_shift_ns = now_ns - times_at_ns_;
  times_at_ns_ = now_ns;
  RekeySpans(wire_.data() + body_offset_, offsets_, params);
}

}  // namespace periscope::loadgen
