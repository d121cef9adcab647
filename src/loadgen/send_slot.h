#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "loadgen/span_rekeyer.h"
#include "loadgen/split_mix.h"

namespace periscope::loadgen {

// One in-flight request's own copy of a pre-built request (optional transport prefix + OTLP
// body). Each Prepare() gives every span fresh ids and current timestamps. Not thread-safe.
class SendSlot {
 public:
  // `offsets` are relative to `body`; `built_at_ns` is the now_ns the body was built with.
  SendSlot(std::string prefix, std::string_view body, SpanFieldOffsets offsets, int64_t built_at_ns,
           uint64_t seed);

  void Prepare(int64_t now_ns);
  std::string_view wire() const { return wire_; }
  std::string_view body() const { return std::string_view(wire_).substr(body_offset_); }
  size_t spans() const { return offsets_.spans; }

 private:
  std::string wire_;
  size_t body_offset_;
  SpanFieldOffsets offsets_;
  int64_t times_at_ns_;
  SplitMix rng_;
};

}  // namespace periscope::loadgen
