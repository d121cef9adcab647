#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace periscope {

using UnixNanos = int64_t;

constexpr int64_t kNanosPerMicro = 1000;
constexpr int64_t kNanosPerMilli = 1000 * 1000;
constexpr int64_t kNanosPerSecond = 1000 * 1000 * 1000;

// Wall-clock time in Unix nanoseconds.
UnixNanos NowNanos();
// Monotonic time in nanoseconds, for durations.
int64_t MonotonicNanos();
// "2026-11-26T02:44:00.123456789Z".
std::string FormatRfc3339(UnixNanos t);
// Accepts RFC 3339 ("2026-11-26T02:44:00Z", fractions and offsets) or a decimal integer of Unix
// nanoseconds; nullopt when neither.
std::optional<UnixNanos> ParseTimestamp(std::string_view s);
// Accepts Go/Prometheus-style durations: "250ms", "1.5s", "2h30m", "7d", "1w", "300us", "10ns".
std::optional<int64_t> ParseDurationNanos(std::string_view s);

}  // namespace periscope
