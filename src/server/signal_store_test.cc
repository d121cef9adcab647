#include "server/signal_store.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <functional>

#include "base/coding.h"
#include "base/time.h"
#include "ingest/otlp/trace_encoder.h"
#include "ingest/promrw/remote_write_encoder.h"
#include "model/span_batch_testing.h"
#include "server/store_testing.h"
#include "storage/metrics/label_matcher.h"

namespace periscope {
namespace {

namespace fs = std::filesystem;
using testing::CountLogs;
using testing::InCrashingChild;
using testing::LogsRequest;

class SignalStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("signal_store_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<SignalStore> Open() {
    SignalStoreOptions o;
    o.data_dir = dir_.string();
    o.wal_fsync = false;
    o.traces.retention_ns = 1000LL * 86400 * 1000000000LL;  // the test spans are from 2026-11-18
    auto s = SignalStore::Open(o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }

  static Status IngestSpans(SignalStore& s, uint64_t seed) {
    opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest req;
    EncodeSpanBatch(::periscope::testing::MakeTestSpans(5, 4, seed), &req);
    ASSIGN_OR_RETURN(DecodedTraces d, DecodeTracesProtobuf(req.SerializeAsString(), "default"));
    return s.traces().Ingest(std::move(d));
  }
  Status IngestLogs(SignalStore& s, int n) {
    ASSIGN_OR_RETURN(DecodedLogs d,
                     DecodeLogsProtobuf(LogsRequest(n, now_ + logs_sent_), "default", now_));
    logs_sent_ += n;
    return s.logs().Ingest(std::move(d));
  }
  Status IngestSample(SignalStore& s, double value) {
    MetricBatch batch;
    MetricSeries series;
    series.labels = {{"__name__", "store_test_gauge"}, {"job", "t"}};
    series.kind = MetricKind::kGauge;
    series.time_ms = {now_ / 1000000 + samples_sent_++};
    series.values = {value};
    batch.series.push_back(series);
    const std::string payload = EncodeRemoteWrite(batch);
    return s.metrics().Ingest(std::move(batch), WalRecordType::kPromRemoteWrite, payload);
  }

  static size_t CountSpans(const SignalStore& s) {
    size_t n = 0;
    Status st = const_cast<SignalStore&>(s).traces().table().Scan(SpanQuery{},
                                                                  [&](const SpanBatch&, size_t) {
                                                                    ++n;
                                                                    return true;
                                                                  });
    return st.ok() ? n : static_cast<size_t>(-1);
  }
  static size_t CountSamples(SignalStore& s) {
    std::vector<LabelMatcher> m{
        *LabelMatcher::Make("__name__", MatchOp::kEqual, "store_test_gauge")};
    auto r = s.metrics().table().Select("default", m, 0, INT64_MAX / 2);
    size_t n = 0;
    if (r.ok()) {
      for (const auto& series : *r) n += series.series.values.size();
    }
    return n;
  }

  fs::path dir_;
  const int64_t now_ = NowNanos();
  int logs_sent_ = 0;
  int samples_sent_ = 0;
};

TEST_F(SignalStoreTest, AllSignalsShareOneWalAndSurviveACrashExactlyOnce) {
  InCrashingChild([&] {
    auto s = Open();
    for (int round = 0; round < 3; ++round) {
      if (!IngestSpans(*s, static_cast<uint64_t>(round + 1)).ok()) _exit(1);
      if (!IngestLogs(*s, 7).ok()) _exit(1);
      if (!IngestSample(*s, round).ok()) _exit(1);
      // Each signal flushes on its own schedule; what one flushed must not come back twice and
      // what another did not flush must come back once.
      if (round == 0 && !s->logs().Flush().ok()) _exit(2);
      if (round == 1 && !s->traces().Flush().ok()) _exit(2);
    }
    if (s->wal().last_seq() != 9) _exit(3);
  });
  EXPECT_FALSE(fs::exists(dir_ / "wal-logs"));
  EXPECT_FALSE(fs::exists(dir_ / "wal-metrics"));
  {
    auto s = Open();
    EXPECT_EQ(CountSpans(*s), 3u * 20u);
    EXPECT_EQ(CountLogs(s->logs().table()), 21u);
    EXPECT_EQ(CountSamples(*s), 3u);
  }  // a clean close flushes everything replayed
  auto s = Open();
  EXPECT_EQ(CountSpans(*s), 3u * 20u);
  EXPECT_EQ(CountLogs(s->logs().table()), 21u);
  EXPECT_EQ(CountSamples(*s), 3u);
  ASSERT_TRUE(IngestLogs(*s, 1).ok());
  EXPECT_GT(s->wal().last_seq(), 9u) << "sequence numbers never go back";
}

TEST_F(SignalStoreTest, SegmentsStayUntilEverySignalFlushedPastThem) {
  auto s = Open();
  ASSERT_TRUE(IngestLogs(*s, 3).ok());
  ASSERT_TRUE(IngestSpans(*s, 1).ok());
  ASSERT_TRUE(s->traces().Flush().ok());
  ASSERT_TRUE(s->metrics().Flush().ok());  // idle: nothing of its own to keep
  EXPECT_GT(s->wal().disk_bytes(), 16u * 2) << "the unflushed log record pins its segment";
  const size_t pinned = s->wal().segment_count();
  ASSERT_TRUE(s->logs().Flush().ok());
  EXPECT_LT(s->wal().segment_count(), pinned);
  EXPECT_EQ(s->wal().segment_count(), 1u) << "only the empty active segment is left";
}

TEST_F(SignalStoreTest, FlushAllWritesEverySignalToPartsAndReleasesTheWal) {
  auto s = Open();
  ASSERT_TRUE(IngestSpans(*s, 1).ok());
  ASSERT_TRUE(IngestLogs(*s, 5).ok());
  ASSERT_TRUE(IngestSample(*s, 1.5).ok());
  const uint64_t empty_wal_bytes = 16;
  ASSERT_GT(s->wal().disk_bytes(), empty_wal_bytes);
  ASSERT_TRUE(s->FlushAll().ok());
  EXPECT_EQ(s->wal().segment_count(), 1u);
  EXPECT_EQ(s->wal().disk_bytes(), empty_wal_bytes) << "no signal still needs a WAL record";
  EXPECT_EQ(CountSpans(*s), 20u);
  EXPECT_EQ(CountLogs(s->logs().table()), 5u);
  EXPECT_EQ(CountSamples(*s), 1u);
  ASSERT_TRUE(s->FlushAll().ok()) << "flushing empty memtables is a no-op";
  EXPECT_EQ(CountSpans(*s), 20u);
}

TEST_F(SignalStoreTest, RecordsInPartsAreNotReplayedAfterRetentionDeletedThePart) {
  InCrashingChild([&] {
    auto s = Open();
    if (!IngestSpans(*s, 1).ok()) _exit(1);  // never flushed: pins the segment
    if (!IngestLogs(*s, 4).ok()) _exit(1);
    if (!s->logs().Flush().ok()) _exit(2);
    if (s->logs().table().part_count() != 1u || s->wal().segment_count() < 2u) _exit(3);
  });
  fs::remove_all(dir_ / "logs");  // what retention does to an old part
  auto s = Open();
  EXPECT_EQ(CountLogs(s->logs().table()), 0u) << "released log records came back";
  EXPECT_EQ(CountSpans(*s), 20u);
}

TEST_F(SignalStoreTest, FoldsInTheLogAndMetricWalsOfOlderVersions) {
  // An older version kept logs and metrics in their own WALs with their own numbering.
  for (const char* name : {"wal-logs", "wal-metrics"}) {
    WalOptions o;
    o.dir = (dir_ / name).string();
    o.fsync = false;
    auto legacy = Wal::Open(o);
    ASSERT_TRUE(legacy.ok());
    for (int i = 0; i < 40; ++i) {
      std::string record;
      PutLengthPrefixed(&record, "default");
      if (std::string(name) == "wal-logs") {
        record += LogsRequest(2, now_ + 10 * i);
        ASSERT_TRUE((*legacy)->Append(WalRecordType::kOtlpLogs, record).ok());
      } else {
        MetricBatch batch;
        MetricSeries series;
        series.labels = {{"__name__", "store_test_gauge"}, {"job", "t"}};
        series.kind = MetricKind::kGauge;
        series.time_ms = {now_ / 1000000 + i};
        series.values = {1.0 * i};
        batch.series.push_back(series);
        record += EncodeRemoteWrite(batch);
        ASSERT_TRUE((*legacy)->Append(WalRecordType::kPromRemoteWrite, record).ok());
      }
    }
  }
  {
    auto s = Open();
    EXPECT_FALSE(fs::exists(dir_ / "wal-logs"));
    EXPECT_FALSE(fs::exists(dir_ / "wal-metrics"));
    EXPECT_EQ(CountLogs(s->logs().table()), 80u);
    EXPECT_EQ(CountSamples(*s), 40u);
    ASSERT_TRUE(IngestLogs(*s, 1).ok());
    EXPECT_GT(s->wal().last_seq(), 40u) << "new numbers start above the old ones";
  }
  auto s = Open();
  EXPECT_EQ(CountLogs(s->logs().table()), 81u);
  EXPECT_EQ(CountSamples(*s), 40u);
}

}  // namespace
}  // namespace periscope
