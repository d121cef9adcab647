#include <gtest/gtest.h>

#include "periscope/trace.h"
#include "sdk/captured_diagnostics.h"
#include "sdk/gated_exporter.h"

namespace periscope::trace {
namespace {

using periscope::testing::CapturedDiagnostics;
using periscope::trace::testing::Gate;

// Span and log exporters whose exports wait for the gate; Shutdown opens it.
class GatedSpanExporter final : public SpanExporter {
 public:
  ExportResult Export(std::span<const SpanData>) override {
    gate.Wait();
    return ExportResult::Ok();
  }
  void Shutdown() override { gate.Open(); }
  Gate gate;
};
class GatedLogExporter final : public LogRecordExporter {
 public:
  ExportResult Export(std::span<const LogRecordData>) override {
    gate.Wait();
    return ExportResult::Ok();
  }
  void Shutdown() override { gate.Open(); }
  Gate gate;
};

constexpr BatchOptions kTinyQueue{
    .max_queue_size = 4, .max_export_batch_size = 2, .schedule_delay = std::chrono::seconds(60)};

TEST(ProcessorDiagnosticsTest, FullSpanQueueIsReportedOnceWithTheDroppedCount) {
  CapturedDiagnostics diagnostics(DiagnosticLevel::kWarn);
  auto exporter = std::make_shared<GatedSpanExporter>();
  BatchSpanProcessor processor(exporter, kTinyQueue);
  processor.OnEnd(SpanData{});
  processor.OnEnd(SpanData{});  // a full batch: the worker takes both and waits in Export
  exporter->gate.WaitUntilEntered();
  for (int i = 0; i < 14; ++i) processor.OnEnd(SpanData{});  // 4 fit, 10 are dropped
  exporter->gate.Open();
  ASSERT_TRUE(processor.Shutdown(std::chrono::seconds(10)));
  EXPECT_EQ(processor.stats().dropped, 10u);
  EXPECT_EQ(diagnostics.messages(DiagnosticLevel::kWarn),
            std::vector<std::string>{"BatchSpanProcessor dropped 10 spans (10 in all): its queue "
                                     "(max_queue_size 4) was full, spans arrive faster than they "
                                     "are exported"});
}

TEST(ProcessorDiagnosticsTest, FullLogQueueIsReported) {
  CapturedDiagnostics diagnostics(DiagnosticLevel::kWarn);
  auto exporter = std::make_shared<GatedLogExporter>();
  LoggerProvider provider({.exporter = exporter, .batch = kTinyQueue});
  Logger logger = provider.GetLogger("test");
  logger.Emit(Severity::kInfo, "a");
  logger.Emit(Severity::kInfo, "b");
  exporter->gate.WaitUntilEntered();
  for (int i = 0; i < 7; ++i) logger.Emit(Severity::kInfo, "c");
  exporter->gate.Open();
  ASSERT_TRUE(provider.Shutdown(std::chrono::seconds(10)));
  std::vector<std::string> warnings = diagnostics.messages(DiagnosticLevel::kWarn);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].rfind("LoggerProvider dropped 3 log records (3 in all)", 0), 0u)
      << warnings[0];
}

TEST(ProcessorDiagnosticsTest, NoDropsNoWarning) {
  CapturedDiagnostics diagnostics(DiagnosticLevel::kDebug);
  auto exporter = std::make_shared<GatedSpanExporter>();
  exporter->gate.Open();
  BatchSpanProcessor processor(exporter, kTinyQueue);
  for (int i = 0; i < 3; ++i) processor.OnEnd(SpanData{});
  ASSERT_TRUE(processor.Shutdown(std::chrono::seconds(10)));
  EXPECT_TRUE(diagnostics.entries().empty());
}

TEST(ProcessorDiagnosticsTest, TimedOutShutdownIsAWarning) {
  CapturedDiagnostics diagnostics(DiagnosticLevel::kWarn);
  auto spans = std::make_shared<GatedSpanExporter>();
  BatchSpanProcessor processor(spans, kTinyQueue);
  processor.OnEnd(SpanData{});
  processor.OnEnd(SpanData{});
  spans->gate.WaitUntilEntered();
  EXPECT_FALSE(processor.Shutdown(std::chrono::milliseconds(20)));  // its interrupt opens the gate

  auto logs = std::make_shared<GatedLogExporter>();
  LoggerProvider provider({.exporter = logs, .batch = kTinyQueue});
  Logger logger = provider.GetLogger("test");
  logger.Emit(Severity::kInfo, "a");
  logger.Emit(Severity::kInfo, "b");
  logs->gate.WaitUntilEntered();
  EXPECT_FALSE(provider.Shutdown(std::chrono::milliseconds(20)));

  std::vector<std::string> warnings = diagnostics.messages(DiagnosticLevel::kWarn);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0].rfind("BatchSpanProcessor shutdown timed out after 20 ms", 0), 0u)
      << warnings[0];
  EXPECT_EQ(warnings[1].rfind("LoggerProvider shutdown timed out after 20 ms", 0), 0u)
      << warnings[1];
}

TEST(ProcessorDiagnosticsTest, TimedOutForceFlushIsAWarningNamingTheTimeout) {
  CapturedDiagnostics diagnostics(DiagnosticLevel::kWarn);
  auto spans = std::make_shared<GatedSpanExporter>();
  auto processor = std::make_shared<BatchSpanProcessor>(spans, kTinyQueue);
  TracerProvider tracers({.processors = {processor}});
  Tracer tracer = tracers.GetTracer("test");
  tracer.StartSpan("a")->End();
  tracer.StartSpan("b")->End();  // a full batch: the worker takes both and waits in Export
  spans->gate.WaitUntilEntered();
  EXPECT_FALSE(tracers.ForceFlush(std::chrono::milliseconds(20)));

  auto logs = std::make_shared<GatedLogExporter>();
  LoggerProvider provider({.exporter = logs, .batch = kTinyQueue});
  Logger logger = provider.GetLogger("test");
  logger.Emit(Severity::kInfo, "a");
  logger.Emit(Severity::kInfo, "b");
  logs->gate.WaitUntilEntered();
  EXPECT_FALSE(provider.ForceFlush(std::chrono::milliseconds(30)));

  EXPECT_EQ(diagnostics.messages(DiagnosticLevel::kWarn),
            (std::vector<std::string>{
                "BatchSpanProcessor ForceFlush timed out after 20 ms: spans ended before it are "
                "still being exported",
                "LoggerProvider ForceFlush timed out after 30 ms: log records emitted before it "
                "are still being exported"}));
  spans->gate.Open();
  logs->gate.Open();
  EXPECT_TRUE(tracers.Shutdown(std::chrono::seconds(10)));
  EXPECT_TRUE(provider.Shutdown(std::chrono::seconds(10)));
}

}  // namespace
}  // namespace periscope::trace
