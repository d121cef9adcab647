#include "periscope/trace/wall_clock.h"

#include <atomic>
#include <cstdint>
#include <limits>

namespace periscope::trace {
namespace {

constexpr int64_t kReanchorAfterNs = 1'000'000'000;
constexpr int64_t kNeverAnchored = std::numeric_limits<int64_t>::max();

int64_t Nanos(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}
int64_t SystemNanos() { return static_cast<int64_t>(ToUnixNanos(Clock::now())); }

// System minus steady time, in nanoseconds, and the steady time it was measured at (published
// after the offset, so the first anchoring is seen whole). A reader that pairs a renewal's time
// with the previous offset is off by what the wall clock moved against the steady clock in
// between, as it would be anyway a moment before the renewal.
std::atomic<int64_t> offset_ns{0};
std::atomic<int64_t> anchored_at_ns{kNeverAnchored};

[[gnu::noinline]] void Anchor() noexcept {
  // The steady reading between two system readings: their midpoint is its wall time.
  const int64_t before = SystemNanos();
  const int64_t steady = Nanos(std::chrono::steady_clock::now());
  const int64_t after = SystemNanos();
  offset_ns.store(before + (after - before) / 2 - steady, std::memory_order_relaxed);
  anchored_at_ns.store(steady, std::memory_order_release);
}

}  // namespace

Timestamp WallTimeAt(std::chrono::steady_clock::time_point t) noexcept {
  const int64_t steady = Nanos(t);
  const int64_t anchored_at = anchored_at_ns.load(std::memory_order_acquire);
  if (anchored_at == kNeverAnchored || steady - anchored_at >= kReanchorAfterNs) [[unlikely]] {
    Anchor();
  }
  return Timestamp(std::chrono::duration_cast<Clock::duration>(
      std::chrono::nanoseconds(steady + offset_ns.load(std::memory_order_relaxed))));
}

}  // namespace periscope::trace
