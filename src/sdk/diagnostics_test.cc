#include "periscope/trace/diagnostics.h"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>

#include "sdk/captured_diagnostics.h"
#include "sdk/diagnose.h"
#include "sdk/diagnostic_throttle.h"

namespace periscope::trace {
namespace {

using std::chrono::seconds;
using TimePoint = internal::DiagnosticThrottle::TimePoint;

TEST(DiagnosticsTest, ParsesLevelsCaseInsensitivelyAndUnknownIsInfo) {
  const std::map<std::string, DiagnosticLevel> cases = {
      {"none", DiagnosticLevel::kNone},    {"NONE", DiagnosticLevel::kNone},
      {"error", DiagnosticLevel::kError},  {"Error", DiagnosticLevel::kError},
      {"warn", DiagnosticLevel::kWarn},    {" WARN ", DiagnosticLevel::kWarn},
      {"info", DiagnosticLevel::kInfo},    {"debug", DiagnosticLevel::kDebug},
      {"DeBuG", DiagnosticLevel::kDebug},  {"", DiagnosticLevel::kInfo},
      {"verbose", DiagnosticLevel::kInfo}, {"errors", DiagnosticLevel::kInfo},
  };
  for (const auto& [text, level] : cases) {
    EXPECT_EQ(ParseDiagnosticLevel(text), level) << "'" << text << "'";
  }
}

TEST(DiagnosticsTest, LevelComesFromOtelLogLevel) {
  auto env = [](std::optional<std::string> value) -> EnvGetter {
    return [value](std::string_view name) -> std::optional<std::string> {
      return name == "OTEL_LOG_LEVEL" ? value : std::nullopt;
    };
  };
  EXPECT_EQ(DiagnosticLevelFromEnv(env(std::nullopt)), DiagnosticLevel::kInfo);
  EXPECT_EQ(DiagnosticLevelFromEnv(env("debug")), DiagnosticLevel::kDebug);
  EXPECT_EQ(DiagnosticLevelFromEnv(env("None")), DiagnosticLevel::kNone);
  EXPECT_EQ(DiagnosticLevelFromEnv(env("loud")), DiagnosticLevel::kInfo);
}

TEST(DiagnosticsTest, HandlerReceivesMessagesUpToTheLevel) {
  testing::CapturedDiagnostics captured(DiagnosticLevel::kWarn);
  internal::Diagnose(DiagnosticLevel::kError, "e");
  internal::Diagnose(DiagnosticLevel::kWarn, "w");
  internal::Diagnose(DiagnosticLevel::kInfo, "i");
  internal::Diagnose(DiagnosticLevel::kDebug, "d");
  auto entries = captured.entries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].level, DiagnosticLevel::kError);
  EXPECT_EQ(entries[0].message, "e");
  EXPECT_EQ(entries[1].level, DiagnosticLevel::kWarn);
  EXPECT_EQ(entries[1].message, "w");
}

TEST(DiagnosticsTest, NoneReportsNothing) {
  testing::CapturedDiagnostics captured(DiagnosticLevel::kNone);
  internal::Diagnose(DiagnosticLevel::kError, "e");
  internal::Diagnose(DiagnosticLevel::kNone, "n");
  EXPECT_TRUE(captured.entries().empty());
  EXPECT_FALSE(internal::DiagnosticEnabled(DiagnosticLevel::kError));
}

TEST(DiagnosticsTest, ThrowingHandlerIsContained) {
  testing::CapturedDiagnostics restore(DiagnosticLevel::kInfo);
  SetDiagnosticHandler([](DiagnosticLevel, std::string_view) { throw std::runtime_error("x"); });
  EXPECT_NO_THROW(internal::Diagnose(DiagnosticLevel::kError, "e"));
}

TEST(DiagnosticsTest, StderrLineHasPrefixAndLevel) {
  EXPECT_EQ(internal::FormatDiagnosticLine(DiagnosticLevel::kWarn, "queue full"),
            "periscope-sdk: warn: queue full\n");
  EXPECT_EQ(internal::FormatDiagnosticLine(DiagnosticLevel::kError, "x"),
            "periscope-sdk: error: x\n");
}

TEST(DiagnosticThrottleTest, WritesOncePerIntervalAndCountsTheRest) {
  internal::DiagnosticThrottle throttle(seconds(10));
  const TimePoint t0{seconds(1000)};
  EXPECT_EQ(throttle.Admit(t0), 0u);
  EXPECT_EQ(throttle.Admit(t0 + seconds(1)), std::nullopt);
  EXPECT_EQ(throttle.Admit(t0 + seconds(9)), std::nullopt);
  EXPECT_EQ(throttle.Admit(t0 + seconds(10)), 2u);
  EXPECT_EQ(throttle.Admit(t0 + seconds(19)), std::nullopt);
  EXPECT_EQ(throttle.Admit(t0 + seconds(60)), 1u);
  EXPECT_EQ(throttle.Admit(t0 + seconds(120)), 0u);
}

TEST(DiagnosticThrottleTest, ThrottledMessageSaysHowManyWereSuppressed) {
  testing::CapturedDiagnostics captured(DiagnosticLevel::kWarn);
  internal::DiagnosticThrottle throttle(seconds(10));
  const TimePoint t0{seconds(1000)};
  int built = 0;
  auto make = [&] { return "queue full #" + std::to_string(++built); };
  for (int i = 0; i < 1000; ++i) {
    internal::DiagnoseThrottled(throttle, DiagnosticLevel::kWarn, make,
                                t0 + std::chrono::milliseconds(i));
  }
  internal::DiagnoseThrottled(throttle, DiagnosticLevel::kWarn, make, t0 + seconds(11));
  EXPECT_EQ(captured.messages(DiagnosticLevel::kWarn),
            (std::vector<std::string>{"queue full #1",
                                      "queue full #2 (999 similar messages suppressed)"}));
  EXPECT_EQ(built, 2);
}

TEST(DiagnosticThrottleTest, DisabledLevelNeitherBuildsNorCounts) {
  testing::CapturedDiagnostics captured(DiagnosticLevel::kError);
  internal::DiagnosticThrottle throttle(seconds(10));
  const TimePoint t0{seconds(1000)};
  bool built = false;
  internal::DiagnoseThrottled(
      throttle, DiagnosticLevel::kDebug, [&] { return (built = true), std::string("d"); }, t0);
  EXPECT_FALSE(built);
  EXPECT_EQ(throttle.Admit(t0), 0u);
}

}  // namespace
}  // namespace periscope::trace
