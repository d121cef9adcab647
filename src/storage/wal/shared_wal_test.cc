#include "storage/wal/shared_wal.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace periscope {
namespace {

namespace fs = std::filesystem;

class SharedWalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("shared_wal_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<SharedWal> Open(uint64_t next_seq_at_least = 1) {
    WalOptions o;
    o.dir = dir_.string();
    o.fsync = false;
    o.next_seq_at_least = next_seq_at_least;
    auto w = SharedWal::Open(o);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return w.ok() ? std::move(w).value() : nullptr;
  }

  // Appends one record and starts a new segment after it.
  static uint64_t AppendInOwnSegment(SharedWal& w, WalRecordType type) {
    auto seq = w.wal().Append(type, "x");
    EXPECT_TRUE(seq.ok());
    EXPECT_TRUE(w.wal().Rotate().ok());
    return seq.ok() ? *seq : 0;
  }

  fs::path dir_;
};

TEST_F(SharedWalTest, RemovesASegmentOnlyOnceEverySignalReleasedIt) {
  auto w = Open();
  AppendInOwnSegment(*w, WalRecordType::kOtlpTraces);
  AppendInOwnSegment(*w, WalRecordType::kOtlpLogs);
  const uint64_t last = AppendInOwnSegment(*w, WalRecordType::kOtlpMetrics);
  EXPECT_EQ(w->wal().segment_count(), 4u);
  ASSERT_TRUE(w->Release(WalSignal::kTraces, last).ok());
  ASSERT_TRUE(w->Release(WalSignal::kLogs, last).ok());
  EXPECT_EQ(w->wal().segment_count(), 4u);
  ASSERT_TRUE(w->Release(WalSignal::kMetrics, 2).ok());
  EXPECT_EQ(w->wal().segment_count(), 2u);
  ASSERT_TRUE(w->Release(WalSignal::kMetrics, 1).ok()) << "a lower number is ignored";
  EXPECT_EQ(w->released(WalSignal::kMetrics), 2u);
  ASSERT_TRUE(w->Release(WalSignal::kMetrics, last).ok());
  EXPECT_EQ(w->wal().segment_count(), 1u);
}

TEST_F(SharedWalTest, ReleasedNumbersPersistAndSequenceNumbersContinuePastThem) {
  {
    auto w = Open();
    AppendInOwnSegment(*w, WalRecordType::kOtlpLogs);
    ASSERT_TRUE(w->Release(WalSignal::kLogs, 1).ok());
    ASSERT_TRUE(w->Release(WalSignal::kTraces, 500).ok());  // e.g. idle at a later number
  }
  auto w = Open();
  EXPECT_EQ(w->released(WalSignal::kLogs), 1u);
  EXPECT_EQ(w->released(WalSignal::kTraces), 500u);
  EXPECT_EQ(w->released(WalSignal::kMetrics), 0u);
  auto seq = w->wal().Append(WalRecordType::kOtlpTraces, "y");
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(*seq, 501u);
}

TEST_F(SharedWalTest, ACorruptReleasedFileIsIgnoredNotFatal) {
  {
    auto w = Open();
    ASSERT_TRUE(w->Release(WalSignal::kLogs, 7).ok());
  }
  {
    std::fstream f(dir_ / "released", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(14);
    f.put('\x55');
  }
  auto w = Open();
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->released(WalSignal::kLogs), 0u);
}

TEST_F(SharedWalTest, PrefixAndPayloadAreStoredAsOneRecord) {
  {
    auto w = Open();
    ASSERT_TRUE(w->wal().Append(WalRecordType::kOtlpLogs, "tenant:", "payload").ok());
    ASSERT_TRUE(w->wal().Append(WalRecordType::kOtlpLogs, "", "only").ok());
  }
  auto w = Open();
  std::vector<std::string> seen;
  ASSERT_TRUE(w->wal()
                  .Replay(0,
                          [&](uint64_t, WalRecordType, std::string_view payload) {
                            seen.emplace_back(payload);
                            return Status::Ok();
                          })
                  .ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"tenant:payload", "only"}));
}

}  // namespace
}  // namespace periscope
