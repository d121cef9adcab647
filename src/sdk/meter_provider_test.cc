#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "periscope/trace/metrics.h"
#include "sdk/captured_diagnostics.h"
#include "sdk/gated_exporter.h"

namespace periscope::trace {
namespace {

using periscope::testing::CapturedDiagnostics;
using periscope::trace::testing::Gate;
using std::chrono::milliseconds;

// A metric exporter whose exports wait for the gate, and whose Shutdown does not open it: a hung
// exporter. Counts its exports and shutdowns.
class HungMetricExporter final : public MetricExporter {
 public:
  ExportResult Export(const Resource&, std::span<const MetricData>) override {
    gate.Wait();
    exports++;
    return ExportResult::Ok();
  }
  void Shutdown() override { shutdowns++; }
  Gate gate;
  std::atomic<int> exports{0};
  std::atomic<int> shutdowns{0};
};

// A metric exporter failing every export.
class FailingMetricExporter final : public MetricExporter {
 public:
  ExportResult Export(const Resource&, std::span<const MetricData>) override {
    return ExportResult::Failure("collector down");
  }
};

// Waits, for at most 10 s, until `exporter` is held by the caller alone.
template <class T>
bool WaitUntilReleased(const std::shared_ptr<T>& exporter) {
  for (int i = 0; i < 1000 && exporter.use_count() > 1; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  return exporter.use_count() == 1;
}

TEST(MeterProviderTest, ForceFlushAndShutdownGiveUpOnAHungExporterAtTheirTimeout) {
  CapturedDiagnostics diagnostics(DiagnosticLevel::kWarn);
  auto exporter = std::make_shared<HungMetricExporter>();
  {
    MeterProvider provider({.exporter = exporter, .export_interval = std::chrono::hours(1)});
    provider.GetMeter("test").CreateInt64Counter("requests").Add(1);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(provider.ForceFlush(milliseconds(20)));
    exporter->gate.WaitUntilEntered();
    EXPECT_FALSE(provider.Shutdown(milliseconds(30)));
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
    EXPECT_EQ(exporter->shutdowns, 1);
  }
  EXPECT_EQ(diagnostics.messages(DiagnosticLevel::kWarn),
            (std::vector<std::string>{
                "MeterProvider ForceFlush timed out after 20 ms: the export is still in progress",
                "MeterProvider shutdown timed out after 30 ms: the export in progress was cut "
                "short, and the metrics it held may be lost"}));
  exporter->gate.Open();
  EXPECT_TRUE(WaitUntilReleased(exporter));
  EXPECT_EQ(exporter->exports, 1) << "the thread left behind exports no more";
}

TEST(MeterProviderTest, ForceFlushWaitsForTheExportAndTellsItsResult) {
  auto exporter = std::make_shared<HungMetricExporter>();
  exporter->gate.Open();
  MeterProvider provider({.exporter = exporter, .export_interval = std::chrono::hours(1)});
  provider.GetMeter("test").CreateInt64Counter("requests").Add(1);
  EXPECT_TRUE(provider.ForceFlush(std::chrono::seconds(10)));
  EXPECT_EQ(exporter->exports, 1);
  EXPECT_TRUE(provider.Shutdown(std::chrono::seconds(10)));
  EXPECT_EQ(exporter->exports, 2);
  EXPECT_FALSE(provider.ForceFlush(std::chrono::seconds(10))) << "nothing is exported after it";

  MeterProvider failing({.exporter = std::make_shared<FailingMetricExporter>()});
  failing.GetMeter("test").CreateInt64Counter("requests").Add(1);
  EXPECT_FALSE(failing.ForceFlush(std::chrono::seconds(10)));
  EXPECT_FALSE(failing.Shutdown(std::chrono::seconds(10)));
}

}  // namespace
}  // namespace periscope::trace
