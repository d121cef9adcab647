#pragma once

#include <chrono>

#include "periscope/trace/common.h"

namespace periscope::trace {

// The wall-clock time of a steady_clock reading: the system clock as read at the last anchoring
// plus the steady time since it. Lets instrumentation that already reads the steady clock (to
// time a call, say) stamp its spans without reading the clock again, and gives span durations
// that no wall-clock step inside a span can make negative. The anchor is renewed once a second
// of steady time has passed, so a step of the wall clock shows within about a second, as the
// OpenTelemetry Java SDK's anchored clock does per trace. Thread-safe.
Timestamp WallTimeAt(std::chrono::steady_clock::time_point t) noexcept;

}  // namespace periscope::trace
