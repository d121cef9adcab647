#include <gtest/gtest.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "periscope/trace/processor.h"
#include "sdk/batch_worker.h"
#include "sdk/gated_exporter.h"

namespace periscope::trace {
namespace {

using periscope::trace::testing::GatedExporter;

SpanData MakeSpan(int i) {
  SpanData s;
  s.name = "span-" + std::to_string(i);
  return s;
}

#ifdef __linux__
// The nice value of the calling thread (not the process's).
int ThreadNice() {
  errno = 0;
  return ::getpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)));
}

TEST(BatchWorkerPriorityTest, LowerThreadPriorityChangesOnlyTheCallingThread) {
  const int before = ThreadNice();
  const int policy_before = ::sched_getscheduler(0);
  int in_thread = 0;
  int policy_in_thread = -1;
  std::thread t([&] {
    internal::LowerThreadPriority(5, /*sched_idle=*/true);
    in_thread = ThreadNice();
    policy_in_thread = ::sched_getscheduler(0);
  });
  t.join();
  EXPECT_EQ(in_thread, std::min(before + 5, 19));
  EXPECT_EQ(policy_in_thread, SCHED_IDLE);
  EXPECT_EQ(ThreadNice(), before);
  EXPECT_EQ(::sched_getscheduler(0), policy_before);
  std::thread unchanged([&] {
    internal::LowerThreadPriority(0, /*sched_idle=*/false);
    in_thread = ThreadNice();
    policy_in_thread = ::sched_getscheduler(0);
  });
  unchanged.join();
  EXPECT_EQ(in_thread, before);
  EXPECT_EQ(policy_in_thread, policy_before);
}

// Records the scheduling policy of the thread its first export runs on (the worker).
class PolicyRecordingExporter : public SpanExporter {
 public:
  ExportResult Export(std::span<const SpanData>) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (policy_ == -2) policy_ = ::sched_getscheduler(0);
    return ExportResult::Ok();
  }
  int policy() {
    std::lock_guard<std::mutex> lock(mu_);
    return policy_;
  }

 private:
  std::mutex mu_;
  int policy_ = -2;  // no export yet
};

TEST(BatchWorkerPriorityTest, TheWorkerExportsUnderSchedIdleUnlessTurnedOff) {
  for (const bool idle : {true, false}) {
    auto exporter = std::make_shared<PolicyRecordingExporter>();
    BatchOptions options;
    options.worker_sched_idle = idle;
    BatchSpanProcessor processor(exporter, options);
    processor.OnEnd(MakeSpan(1));
    ASSERT_TRUE(processor.ForceFlush(std::chrono::seconds(5)));
    EXPECT_EQ(exporter->policy(), idle ? SCHED_IDLE : ::sched_getscheduler(0)) << idle;
  }
}
#endif

TEST(BatchSpanProcessorTest, FullQueueDropsWithoutBlocking) {
  auto exporter = std::make_shared<GatedExporter>();
  BatchSpanProcessor processor(exporter, {.max_queue_size = 8,
                                          .max_export_batch_size = 4,
                                          .schedule_delay = std::chrono::milliseconds(1)});
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 1000; ++i) processor.OnEnd(MakeSpan(i));
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(1));  // the exporter is blocked the whole time

  BatchStats stats = processor.stats();
  EXPECT_EQ(stats.queued + stats.dropped, 1000u);
  // At most a full queue plus the one batch the worker holds were accepted.
  EXPECT_LE(stats.queued, 8u + 4u);
  EXPECT_GE(stats.dropped, 1000u - 12u);

  exporter->Open();
  EXPECT_TRUE(processor.ForceFlush(std::chrono::seconds(5)));
  EXPECT_EQ(exporter->received(), stats.queued);
  EXPECT_EQ(processor.stats().exported, stats.queued);
}

TEST(BatchSpanProcessorTest, ShutdownFlushesEverything) {
  auto exporter = std::make_shared<InMemorySpanExporter>();
  BatchSpanProcessor processor(exporter, {.max_queue_size = 10000,
                                          .max_export_batch_size = 64,
                                          .schedule_delay = std::chrono::hours(1)});
  for (int i = 0; i < 5000; ++i) processor.OnEnd(MakeSpan(i));
  EXPECT_TRUE(processor.Shutdown(std::chrono::seconds(10)));
  EXPECT_EQ(exporter->spans().size(), 5000u);
  EXPECT_EQ(exporter->spans()[4999].name, "span-4999");
  processor.OnEnd(MakeSpan(0));  // after shutdown: dropped
  EXPECT_EQ(processor.stats().dropped, 1u);
}

TEST(BatchSpanProcessorTest, ExportsOnScheduleWithoutFlush) {
  auto exporter = std::make_shared<InMemorySpanExporter>();
  BatchSpanProcessor processor(exporter, {.schedule_delay = std::chrono::milliseconds(20)});
  processor.OnEnd(MakeSpan(1));
  for (int i = 0; i < 200 && exporter->spans().empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(exporter->spans().size(), 1u);
}

TEST(BatchSpanProcessorTest, ConcurrentProducersLoseNothingWhenQueueIsLargeEnough) {
  auto exporter = std::make_shared<InMemorySpanExporter>();
  BatchSpanProcessor processor(exporter, {.max_queue_size = 100000});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5000; ++i) processor.OnEnd(MakeSpan(i));
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_TRUE(processor.ForceFlush(std::chrono::seconds(10)));
  EXPECT_EQ(exporter->spans().size(), 20000u);
  EXPECT_EQ(processor.stats().dropped, 0u);
}

TEST(BatchSpanProcessorTest, ReusedSlotsNeverExportStaleSpans) {
  auto exporter = std::make_shared<InMemorySpanExporter>();
  BatchSpanProcessor processor(exporter, {.max_queue_size = 64, .max_export_batch_size = 4});
  std::vector<std::string> sent;
  int next = 0;
  // Batches of shrinking and growing sizes: later ones land in slots earlier ones left behind.
  for (int batch : {5, 2, 7, 1, 3}) {
    for (int i = 0; i < batch; ++i) {
      sent.push_back("span-" + std::to_string(next));
      processor.OnEnd(MakeSpan(next++));
    }
    ASSERT_TRUE(processor.ForceFlush(std::chrono::seconds(5)));
  }
  std::vector<std::string> received;
  for (const SpanData& s : exporter->spans()) received.push_back(s.name);
  EXPECT_EQ(received, sent);
  EXPECT_EQ(processor.stats().exported, sent.size());
}

// Spans with and without a status message, tracestate, events, links and attributes, each
// exported on its own so that every span lands in a slot an earlier, different span left.
TEST(BatchSpanProcessorTest, ReusedSlotsExportEachSpansOwnFieldsOnly) {
  auto exporter = std::make_shared<InMemorySpanExporter>();
  BatchSpanProcessor processor(exporter, {.max_queue_size = 8, .max_export_batch_size = 8});
  constexpr int kSpans = 24;
  for (int i = 0; i < kSpans; ++i) {
    SpanData s = MakeSpan(i);
    s.context.span_id = SpanId({1, 2, 3, 4, 5, 6, 7, static_cast<uint8_t>(i + 1)});
    if (i % 3 == 0) {
      s.status = StatusCode::kError;
      s.status_message = "failure " + std::to_string(i);
      s.context.trace_state = *TraceState::Parse("vendor=" + std::to_string(i));
      s.events.push_back({"event", Timestamp(), {{"e", i}}});
      s.links.push_back({SpanContext(), {{"l", i}}});
      s.attributes = {{"rich", i}};
    }
    processor.OnEnd(std::move(s));
    ASSERT_TRUE(processor.ForceFlush(std::chrono::seconds(5)));
  }
  const std::vector<SpanData> spans = exporter->spans();
  ASSERT_EQ(spans.size(), size_t{kSpans});
  for (int i = 0; i < kSpans; ++i) {
    const SpanData& s = spans[i];
    SCOPED_TRACE("span " + std::to_string(i));
    EXPECT_EQ(s.name, "span-" + std::to_string(i));
    EXPECT_EQ(s.context.span_id.bytes()[7], i + 1);
    if (i % 3 == 0) {
      EXPECT_EQ(s.status_message, "failure " + std::to_string(i));
      EXPECT_EQ(s.context.trace_state.ToHeader(), "vendor=" + std::to_string(i));
      ASSERT_EQ(s.events.size(), 1u);
      EXPECT_EQ(s.events[0].attributes, Attributes({{"e", i}}));
      ASSERT_EQ(s.links.size(), 1u);
      EXPECT_EQ(s.links[0].attributes, Attributes({{"l", i}}));
      EXPECT_EQ(s.attributes, Attributes({{"rich", i}}));
    } else {
      EXPECT_EQ(s.status, StatusCode::kUnset);
      EXPECT_EQ(s.status_message, "");
      EXPECT_TRUE(s.context.trace_state.empty());
      EXPECT_TRUE(s.events.empty());
      EXPECT_TRUE(s.links.empty());
      EXPECT_TRUE(s.attributes.empty());
    }
  }
}

// ForceFlush returns only after every span handed over before it was called is exported, with
// producers still running on other threads.
TEST(BatchSpanProcessorTest, ForceFlushExportsEverySpanEndedBeforeIt) {
  auto exporter = std::make_shared<InMemorySpanExporter>();
  BatchSpanProcessor processor(exporter, {.max_queue_size = 100000,
                                          .max_export_batch_size = 64,
                                          .schedule_delay = std::chrono::seconds(60)});
  std::atomic<bool> stop{false};
  std::thread background([&] {
    for (int i = 0; i < 20000 && !stop.load(); ++i) processor.OnEnd(MakeSpan(-1));
  });
  for (int round = 0; round < 50; ++round) {
    processor.OnEnd(MakeSpan(round));
    ASSERT_TRUE(processor.ForceFlush(std::chrono::seconds(10)));
    size_t found = 0;
    for (const SpanData& s : exporter->spans()) found += s.name == "span-" + std::to_string(round);
    ASSERT_EQ(found, 1u) << "round " << round;
  }
  stop = true;
  background.join();
  ASSERT_TRUE(processor.ForceFlush(std::chrono::seconds(10)));
  const BatchStats stats = processor.stats();
  EXPECT_EQ(stats.dropped, 0u);
  EXPECT_EQ(stats.exported, stats.queued);
  EXPECT_EQ(exporter->spans().size(), stats.queued);
}

}  // namespace
}  // namespace periscope::trace
