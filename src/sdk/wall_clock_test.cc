#include "periscope/trace/wall_clock.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

namespace periscope::trace {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

// |a - b| in milliseconds.
int64_t ApartMs(Timestamp a, Timestamp b) {
  return std::chrono::abs(std::chrono::duration_cast<milliseconds>(a - b)).count();
}

TEST(WallClock, ASteadyReadingNowIsTheSystemTimeNow) {
  const Timestamp before = Clock::now();
  const Timestamp converted = WallTimeAt(steady_clock::now());
  const Timestamp after = Clock::now();
  EXPECT_LE(ApartMs(converted, before), ApartMs(after, before) + 5);
}

TEST(WallClock, TwoReadingsOfOneAnchoringAreAsFarApartAsOnTheSteadyClock) {
  const steady_clock::time_point t = steady_clock::now();
  const Timestamp first = WallTimeAt(t);
  const Timestamp second = WallTimeAt(t + milliseconds(250));
  EXPECT_EQ(second - first, milliseconds(250));
  EXPECT_EQ(WallTimeAt(t), first);
}

TEST(WallClock, ReadingsPastTheRenewalConvertAtTheirDistanceFromNow) {
  const steady_clock::time_point t = steady_clock::now();
  const Timestamp now = Clock::now();
  EXPECT_LE(ApartMs(WallTimeAt(t + seconds(10)), now + seconds(10)), 50);
  EXPECT_LE(ApartMs(WallTimeAt(t - seconds(10)), now - seconds(10)), 50);
}

TEST(WallClock, ThreadsConvertingAtOnceAllGetTheWallTime) {
  std::vector<std::thread> threads;
  std::vector<int64_t> worst(4, 0);
  for (size_t i = 0; i < worst.size(); ++i) {
    threads.emplace_back([&worst, i] {
      for (int n = 0; n < 20000; ++n) {
        const Timestamp converted = WallTimeAt(steady_clock::now());
        worst[i] = std::max(worst[i], ApartMs(converted, Clock::now()));
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int64_t ms : worst) EXPECT_LE(ms, 50);
}

}  // namespace
}  // namespace periscope::trace
