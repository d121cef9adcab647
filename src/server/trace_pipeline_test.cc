#include "server/trace_pipeline.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "ingest/otlp/trace_encoder.h"
#include "model/span_batch_testing.h"
#include "query/trace_queries.h"
#include "server/signal_store.h"
#include "server/store_testing.h"

namespace periscope {
namespace {

namespace fs = std::filesystem;
using testing::InCrashingChild;
namespace otlp = opentelemetry::proto::collector::trace::v1;

class TracePipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("trace_pipeline_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<SignalStore> Open() {
    SignalStoreOptions o;
    o.data_dir = dir_.string();
    auto p = SignalStore::Open(o);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return std::move(p).value();
  }

  static DecodedTraces Decoded(uint64_t seed, int traces) {
    otlp::ExportTraceServiceRequest req;
    EncodeSpanBatch(testing::MakeTestSpans(traces, 4, seed), &req);
    auto d = DecodeTracesProtobuf(req.SerializeAsString(), "default");
    EXPECT_TRUE(d.ok());
    return std::move(d).value();
  }

  static size_t Rows(const TracePipeline& p) {
    size_t n = 0;
    EXPECT_TRUE(p.table()
                    .Scan(SpanQuery{},
                          [&](const SpanBatch&, size_t) {
                            ++n;
                            return true;
                          })
                    .ok());
    return n;
  }

  fs::path dir_;
};

TEST_F(TracePipelineTest, AcknowledgedSpansSurviveACrashExactlyOnce) {
  InCrashingChild([&] {
    auto p = Open();
    for (uint64_t seed = 1; seed <= 3; ++seed) {
      if (!p->traces().Ingest(Decoded(seed, 25)).ok()) _exit(1);
    }
    if (!p->traces().Flush().ok()) _exit(1);  // part covers the first three records
    for (uint64_t seed = 4; seed <= 5; ++seed) {
      if (!p->traces().Ingest(Decoded(seed, 25)).ok()) _exit(1);
    }
  });
  {
    auto p = Open();
    EXPECT_EQ(Rows(p->traces()), 5u * 100u);
  }  // clean close flushes the replayed records
  auto p = Open();
  EXPECT_EQ(Rows(p->traces()), 5u * 100u);
  TraceQueries q(p->traces().table());
  SpanBatch probe = testing::MakeTestSpans(25, 4, 4);
  auto trace = q.GetTrace("default", probe.trace_id[0]);
  ASSERT_TRUE(trace.ok());
  EXPECT_EQ(trace->size(), 4u);
}

TEST_F(TracePipelineTest, ReplayingTwiceWithoutFlushDoesNotDuplicate) {
  InCrashingChild([&] {
    auto p = Open();
    if (!p->traces().Ingest(Decoded(1, 10)).ok()) _exit(1);
  });
  InCrashingChild([&] {
    auto p = Open();  // replays into the memtable, then dies before any flush
    if (Rows(p->traces()) != 40u) _exit(2);
  });
  auto p = Open();
  EXPECT_EQ(Rows(p->traces()), 40u);
}

TEST_F(TracePipelineTest, RejectedSpansAreCountedAndNotStored) {
  auto p = Open();
  DecodedTraces d = Decoded(1, 5);
  d.rejected_spans = 3;
  ASSERT_TRUE(p->traces().Ingest(std::move(d)).ok());
  EXPECT_EQ(Rows(p->traces()), 20u);
  DecodedTraces empty;
  ASSERT_TRUE(p->traces().Ingest(std::move(empty)).ok());
  EXPECT_EQ(p->wal().last_seq(), 1u);
}

TEST_F(TracePipelineTest, IngestPushesBackWhenFlushingFallsBehind) {
  SignalStoreOptions o;
  o.data_dir = dir_.string();
  o.traces.driver.memtable_bytes = 1;  // every batch puts the memtable over its limit
  o.traces.driver.backpressure_factor = 1.0;
  o.traces.driver.backpressure_wait_ns = 50 * 1000 * 1000;
  auto p = SignalStore::Open(o);
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE((*p)->traces().Ingest(Decoded(1, 5)).ok());  // room before the first batch
  Status refused = (*p)->traces().Ingest(Decoded(2, 5));   // no background flusher is running
  EXPECT_EQ(refused.code(), StatusCode::kResourceExhausted) << refused.ToString();
  EXPECT_EQ(Rows((*p)->traces()), 20u);  // the refused batch was not acknowledged and not stored
  ASSERT_TRUE((*p)->traces().Flush().ok());
  EXPECT_TRUE((*p)->traces().Ingest(Decoded(3, 5)).ok());
  EXPECT_EQ(Rows((*p)->traces()), 40u);
}

TEST_F(TracePipelineTest, BackgroundFlusherMakesRoomForWaitingIngest) {
  SignalStoreOptions o;
  o.data_dir = dir_.string();
  o.traces.driver.memtable_bytes = 1;
  o.traces.driver.backpressure_factor = 1.0;
  o.traces.driver.maintenance_interval_ns = 10 * 1000 * 1000;
  o.traces.driver.backpressure_wait_ns = 20LL * 1000 * 1000 * 1000;
  o.traces.retention_ns =
      1000LL * 86400 * 1000 * 1000 * 1000;  // the test spans are from 2026-11-18
  auto p = SignalStore::Open(o);
  ASSERT_TRUE(p.ok());
  (*p)->StartBackground();
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    ASSERT_TRUE((*p)->traces().Ingest(Decoded(seed, 5)).ok()) << seed;
  }
  (*p)->Stop();
  EXPECT_EQ(Rows((*p)->traces()), 100u);
}

}  // namespace
}  // namespace periscope
