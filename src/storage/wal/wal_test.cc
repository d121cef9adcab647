#include "storage/wal/wal.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "storage/wal/wal_record_format.h"
#include "storage/wal/wal_segment.h"

namespace periscope {
namespace {

namespace fs = std::filesystem;

using Records = std::vector<std::pair<uint64_t, std::string>>;

constexpr auto kTraces = WalRecordType::kOtlpTraces;

std::string Payload(uint64_t i, size_t size = 100) {
  std::string s(size, '\0');
  for (size_t k = 0; k < size; ++k) s[k] = static_cast<char>('a' + (i * 7 + k) % 26);
  return s;
}

// A fresh temporary directory per test, removed afterwards.
class WalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "wal_test.XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  WalOptions Options() const {
    WalOptions o;
    o.dir = dir_;
    return o;
  }

  std::unique_ptr<Wal> OpenOrDie(const WalOptions& o) {
    auto wal = Wal::Open(o);
    EXPECT_TRUE(wal.ok()) << wal.status().ToString();
    return wal.ok() ? std::move(wal).value() : nullptr;
  }
  std::unique_ptr<Wal> OpenOrDie() { return OpenOrDie(Options()); }

  static Records ReplayAll(Wal& wal, uint64_t after = 0) {
    Records out;
    Status st = wal.Replay(after, [&](uint64_t seq, WalRecordType type, std::string_view p) {
      EXPECT_EQ(type, kTraces);
      out.emplace_back(seq, std::string(p));
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }

  std::vector<fs::path> SegmentFiles() const {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir_)) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    return files;
  }

  static void AppendBytes(const fs::path& p, const std::string& bytes) {
    std::ofstream f(p, std::ios::binary | std::ios::app);
    f << bytes;
  }
  static void FlipByte(const fs::path& p, uint64_t offset) {
    std::fstream f(p, std::ios::binary | std::ios::in | std::ios::out);
    f.seekg(static_cast<std::streamoff>(offset));
    char c;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(offset));
    f.put(static_cast<char>(c ^ 0x5a));
  }

  std::string dir_;
};

// Offset of record i (0-based) in a segment of equal-sized records.
uint64_t RecordOffset(uint64_t i, size_t payload_size) {
  return kWalSegmentHeaderSize + i * (kWalRecordHeaderSize + payload_size);
}

TEST(WalSegmentTest, FileNameRoundTrips) {
  EXPECT_EQ(WalSegmentFileName(42), "wal-00000000000000000042.log");
  uint64_t seq = 0;
  EXPECT_TRUE(ParseWalSegmentFileName(WalSegmentFileName(UINT64_MAX), &seq));
  EXPECT_EQ(seq, UINT64_MAX);
  EXPECT_TRUE(ParseWalSegmentFileName("wal-00000000000000000042.log", &seq));
  EXPECT_EQ(seq, 42u);
}

TEST(WalSegmentTest, RejectsOtherFileNames) {
  uint64_t seq = 0;
  for (const char* name :
       {"wal-42.log", "wal-0000000000000000004x.log", "wal-00000000000000000042.tmp",
        "xal-00000000000000000042.log", "wal-99999999999999999999.log", ""}) {
    EXPECT_FALSE(ParseWalSegmentFileName(name, &seq)) << name;
  }
}

TEST_F(WalTest, AppendReplayRoundTripAcrossReopen) {
  {
    auto wal = OpenOrDie();
    ASSERT_NE(wal, nullptr);
    EXPECT_EQ(wal->last_seq(), 0u);
    for (uint64_t i = 1; i <= 10; ++i) {
      auto seq = wal->Append(kTraces, Payload(i));
      ASSERT_TRUE(seq.ok()) << seq.status().ToString();
      EXPECT_EQ(*seq, i);
    }
    EXPECT_EQ(wal->last_seq(), 10u);
    EXPECT_EQ(wal->bytes_appended(), 10 * (kWalRecordHeaderSize + 100));
    EXPECT_EQ(wal->fsyncs(), 10u);
    EXPECT_EQ(wal->segment_count(), 1u);
    EXPECT_EQ(wal->disk_bytes(), RecordOffset(10, 100));
    EXPECT_EQ(ReplayAll(*wal).size(), 10u);
  }
  auto files = SegmentFiles();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].filename(), "wal-00000000000000000001.log");
  EXPECT_EQ(fs::file_size(files[0]), RecordOffset(10, 100));

  auto wal = OpenOrDie();
  ASSERT_NE(wal, nullptr);
  EXPECT_EQ(wal->last_seq(), 10u);
  Records got = ReplayAll(*wal);
  ASSERT_EQ(got.size(), 10u);
  for (uint64_t i = 1; i <= 10; ++i) {
    EXPECT_EQ(got[i - 1].first, i);
    EXPECT_EQ(got[i - 1].second, Payload(i));
  }
  auto seq = wal->Append(kTraces, "");
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(*seq, 11u);
  got = ReplayAll(*wal, 10);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], (std::pair<uint64_t, std::string>(11, "")));
}

TEST_F(WalTest, ReplaySkipsRecordsUpToAfterSeq) {
  WalOptions o = Options();
  o.segment_bytes = 1000;
  auto wal = OpenOrDie(o);
  for (uint64_t i = 1; i <= 30; ++i) ASSERT_TRUE(wal->Append(kTraces, Payload(i)).ok());
  ASSERT_GT(wal->segment_count(), 2u);
  for (uint64_t after : {0u, 1u, 7u, 15u, 29u, 30u, 100u}) {
    Records got = ReplayAll(*wal, after);
    ASSERT_EQ(got.size(), after >= 30 ? 0 : 30 - after) << after;
    for (size_t k = 0; k < got.size(); ++k) {
      EXPECT_EQ(got[k].first, after + 1 + k);
      EXPECT_EQ(got[k].second, Payload(after + 1 + k));
    }
  }
}

TEST_F(WalTest, ReplayStopsAtFirstCallbackError) {
  auto wal = OpenOrDie();
  for (uint64_t i = 1; i <= 5; ++i) ASSERT_TRUE(wal->Append(kTraces, Payload(i)).ok());
  std::vector<uint64_t> seen;
  Status st = wal->Replay(0, [&](uint64_t seq, WalRecordType, std::string_view) {
    seen.push_back(seq);
    return seq == 3 ? Status::Internal("stop") : Status::Ok();
  });
  EXPECT_EQ(st.code(), StatusCode::kInternal);
  EXPECT_EQ(seen, (std::vector<uint64_t>{1, 2, 3}));
}

TEST_F(WalTest, ConcurrentAppendsFromEightThreadsGetUniqueSequenceNumbers) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 200;
  WalOptions o = Options();
  o.segment_bytes = 64 << 10;
  auto wal = OpenOrDie(o);
  std::mutex mu;
  std::vector<std::pair<uint64_t, std::string>> acked;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string p = "t" + std::to_string(t) + "-" + std::to_string(i) + Payload(i, i % 300);
        auto seq = wal->Append(kTraces, p);
        ASSERT_TRUE(seq.ok()) << seq.status().ToString();
        std::lock_guard<std::mutex> lock(mu);
        acked.emplace_back(*seq, std::move(p));
      }
    });
  }
  for (auto& th : threads) th.join();
  constexpr uint64_t kTotal = kThreads * kPerThread;
  ASSERT_EQ(acked.size(), kTotal);
  std::sort(acked.begin(), acked.end());
  for (uint64_t k = 0; k < kTotal; ++k) ASSERT_EQ(acked[k].first, k + 1);
  EXPECT_EQ(wal->last_seq(), kTotal);
  EXPECT_LE(wal->fsyncs(), kTotal);
  EXPECT_GT(wal->segment_count(), 1u);

  EXPECT_EQ(ReplayAll(*wal), acked);
  wal.reset();
  auto reopened = OpenOrDie(o);
  EXPECT_EQ(ReplayAll(*reopened), acked);
}

TEST_F(WalTest, RotatesBySizeAndRemovesClosedSegments) {
  WalOptions o = Options();
  o.segment_bytes = 4096;
  auto wal = OpenOrDie(o);
  for (uint64_t i = 1; i <= 100; ++i) ASSERT_TRUE(wal->Append(kTraces, Payload(i, 200)).ok());
  // 217-byte records: a segment takes records until it reaches 4096 bytes, i.e. 19 of them.
  size_t segments = wal->segment_count();
  EXPECT_EQ(segments, 6u);
  EXPECT_EQ(SegmentFiles().size(), segments);
  EXPECT_EQ(SegmentFiles()[1].filename(), "wal-00000000000000000020.log");
  uint64_t disk = wal->disk_bytes();
  EXPECT_EQ(disk, segments * kWalSegmentHeaderSize + 100 * (kWalRecordHeaderSize + 200));

  ASSERT_TRUE(wal->RemoveUpTo(50).ok());  // segments 1-19 and 20-38 go; 39-57 holds 51
  EXPECT_EQ(wal->segment_count(), segments - 2);
  EXPECT_EQ(SegmentFiles().size(), segments - 2);
  EXPECT_EQ(wal->disk_bytes(), disk - 2 * (kWalSegmentHeaderSize + 19 * 217));
  Records got = ReplayAll(*wal, 50);
  ASSERT_EQ(got.size(), 50u);
  EXPECT_EQ(got.front().first, 51u);
  EXPECT_EQ(ReplayAll(*wal).front().first, 39u);

  // The active segment is never removed.
  ASSERT_TRUE(wal->RemoveUpTo(1000).ok());
  EXPECT_EQ(wal->segment_count(), 1u);
  EXPECT_EQ(ReplayAll(*wal).front().first, 96u);
  wal.reset();
  auto reopened = OpenOrDie(o);
  EXPECT_EQ(reopened->segment_count(), 1u);
  EXPECT_EQ(ReplayAll(*reopened).size(), 5u);
  EXPECT_EQ(*reopened->Append(kTraces, "x"), 101u);
}

TEST_F(WalTest, RotateClosesTheActiveSegment) {
  auto wal = OpenOrDie();
  for (uint64_t i = 1; i <= 3; ++i) ASSERT_TRUE(wal->Append(kTraces, Payload(i)).ok());
  auto last = wal->Rotate();
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(*last, 3u);
  EXPECT_EQ(wal->segment_count(), 2u);
  // Rotating an empty active segment changes nothing.
  EXPECT_EQ(*wal->Rotate(), 3u);
  EXPECT_EQ(wal->segment_count(), 2u);
  ASSERT_TRUE(wal->RemoveUpTo(*last).ok());
  EXPECT_EQ(wal->segment_count(), 1u);
  EXPECT_EQ(*wal->Append(kTraces, "x"), 4u);
  EXPECT_EQ(SegmentFiles().back().filename(), "wal-00000000000000000004.log");
  EXPECT_EQ(ReplayAll(*wal).size(), 1u);
}

TEST_F(WalTest, TornTailIsTruncatedAndAppendsContinue) {
  {
    auto wal = OpenOrDie();
    for (uint64_t i = 1; i <= 5; ++i) ASSERT_TRUE(wal->Append(kTraces, Payload(i)).ok());
  }
  fs::path file = SegmentFiles().at(0);
  for (uint64_t cut : {3u, 100u, 110u}) {  // inside the payload, and inside the header
    SCOPED_TRACE(cut);
    uint64_t size = fs::file_size(file);
    fs::resize_file(file, size - cut);
    auto wal = OpenOrDie();
    ASSERT_NE(wal, nullptr);
    EXPECT_EQ(fs::file_size(file), size - kWalRecordHeaderSize - 100);
    Records got = ReplayAll(*wal);
    ASSERT_EQ(got.size(), 4u);
    EXPECT_EQ(got.back(), (std::pair<uint64_t, std::string>(4, Payload(4))));
    auto seq = wal->Append(kTraces, "again");
    ASSERT_TRUE(seq.ok());
    EXPECT_EQ(*seq, 5u);
    wal.reset();
    got = ReplayAll(*OpenOrDie());
    ASSERT_EQ(got.size(), 5u);
    EXPECT_EQ(got.back(), (std::pair<uint64_t, std::string>(5, "again")));
    fs::resize_file(file, size - kWalRecordHeaderSize - 100);
    auto again = OpenOrDie();
    ASSERT_TRUE(again->Append(kTraces, Payload(5)).ok());
  }
}

TEST_F(WalTest, CorruptCrcInTheMiddleOfTheLastSegmentDropsTheRest) {
  {
    auto wal = OpenOrDie();
    for (uint64_t i = 1; i <= 10; ++i) ASSERT_TRUE(wal->Append(kTraces, Payload(i)).ok());
  }
  fs::path file = SegmentFiles().at(0);
  FlipByte(file, RecordOffset(4, 100) + kWalRecordHeaderSize + 50);  // payload of seq 5
  auto wal = OpenOrDie();
  EXPECT_EQ(fs::file_size(file), RecordOffset(4, 100));
  Records got = ReplayAll(*wal);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got.back().first, 4u);
  EXPECT_EQ(*wal->Append(kTraces, "new"), 5u);
  EXPECT_EQ(ReplayAll(*wal, 4).at(0).second, "new");
}

TEST_F(WalTest, CorruptHeaderFieldsAreDetected) {
  // Each flipped byte lies in a different field of record 3's header.
  for (uint64_t field : {0u, 4u, 7u, 8u, 9u, 16u}) {
    SCOPED_TRACE(field);
    fs::remove_all(dir_);
    {
      auto wal = OpenOrDie();
      for (uint64_t i = 1; i <= 5; ++i) ASSERT_TRUE(wal->Append(kTraces, Payload(i)).ok());
    }
    FlipByte(SegmentFiles().at(0), RecordOffset(2, 100) + field);
    auto wal = OpenOrDie();
    EXPECT_EQ(ReplayAll(*wal).size(), 2u);
    EXPECT_EQ(*wal->Append(kTraces, "x"), 3u);
  }
}

TEST_F(WalTest, GarbageAfterTheLastRecordIsTruncated) {
  {
    auto wal = OpenOrDie();
    for (uint64_t i = 1; i <= 3; ++i) ASSERT_TRUE(wal->Append(kTraces, Payload(i)).ok());
  }
  fs::path file = SegmentFiles().at(0);
  for (std::string garbage :
       {std::string(4096, '\0'), std::string(8, '\xff') + "garbage garbage", Payload(99, 5000)}) {
    AppendBytes(file, garbage);
    auto wal = OpenOrDie();
    EXPECT_EQ(fs::file_size(file), RecordOffset(3, 100));
    EXPECT_EQ(ReplayAll(*wal).size(), 3u);
  }
  auto wal = OpenOrDie();
  EXPECT_EQ(*wal->Append(kTraces, "x"), 4u);
  EXPECT_EQ(ReplayAll(*wal).size(), 4u);
}

TEST_F(WalTest, EmptyOrHeaderOnlyLastSegmentOpens) {
  fs::path file = fs::path(dir_) / WalSegmentFileName(7);
  std::ofstream(file).close();  // zero bytes: a crash right after creating the segment
  {
    auto wal = OpenOrDie();
    ASSERT_NE(wal, nullptr);
    EXPECT_EQ(fs::file_size(file), kWalSegmentHeaderSize);
    EXPECT_EQ(ReplayAll(*wal).size(), 0u);
    EXPECT_EQ(wal->last_seq(), 6u);
    EXPECT_EQ(*wal->Append(kTraces, "a"), 7u);
  }
  fs::remove(file);
  AppendBytes(file, "PSCOP");  // a partial header
  {
    auto wal = OpenOrDie();
    EXPECT_EQ(fs::file_size(file), kWalSegmentHeaderSize);
    EXPECT_EQ(*wal->Append(kTraces, "b"), 7u);
  }
  fs::resize_file(file, kWalSegmentHeaderSize);  // header only
  auto wal = OpenOrDie();
  EXPECT_EQ(wal->segment_count(), 1u);
  EXPECT_EQ(*wal->Append(kTraces, "c"), 7u);
  Records got = ReplayAll(*wal);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].second, "c");
}

TEST_F(WalTest, CorruptionInAnEarlierSegmentKeepsLaterSegments) {
  WalOptions o = Options();
  o.segment_bytes = 1000;
  {
    auto wal = OpenOrDie(o);
    for (uint64_t i = 1; i <= 20; ++i) ASSERT_TRUE(wal->Append(kTraces, Payload(i)).ok());
  }
  auto files = SegmentFiles();
  ASSERT_GE(files.size(), 3u);  // 9 records per segment: 1-9, 10-18, 19-20
  FlipByte(files[0], RecordOffset(5, 100) + 20);
  fs::resize_file(files[1], 0);
  auto wal = OpenOrDie(o);
  EXPECT_EQ(fs::file_size(files[0]), RecordOffset(5, 100));
  EXPECT_EQ(fs::file_size(files[1]), kWalSegmentHeaderSize);
  std::vector<uint64_t> seqs;
  for (auto& [seq, p] : ReplayAll(*wal)) seqs.push_back(seq);
  EXPECT_EQ(seqs, (std::vector<uint64_t>{1, 2, 3, 4, 5, 19, 20}));
  EXPECT_EQ(*wal->Append(kTraces, "x"), 21u);
  ASSERT_TRUE(wal->RemoveUpTo(20).ok());  // the active segment (19-21) stays
  EXPECT_EQ(wal->segment_count(), 1u);
  EXPECT_EQ(ReplayAll(*wal).size(), 3u);
}

TEST_F(WalTest, NextSeqAtLeastIsHonouredAfterAllSegmentsAreRemoved) {
  {
    auto wal = OpenOrDie();
    for (uint64_t i = 1; i <= 10; ++i) ASSERT_TRUE(wal->Append(kTraces, Payload(i)).ok());
    ASSERT_TRUE(wal->Rotate().ok());
    ASSERT_TRUE(wal->RemoveUpTo(10).ok());
  }
  for (const auto& f : SegmentFiles()) fs::remove(f);
  WalOptions o = Options();
  o.next_seq_at_least = 11;
  {
    auto wal = OpenOrDie(o);
    EXPECT_EQ(wal->last_seq(), 10u);
    EXPECT_EQ(*wal->Append(kTraces, "x"), 11u);
  }
  // Records on disk win over a lower floor, a higher floor wins over records on disk.
  o.next_seq_at_least = 3;
  EXPECT_EQ(*OpenOrDie(o)->Append(kTraces, "y"), 12u);
  o.next_seq_at_least = 1000;
  auto wal = OpenOrDie(o);
  EXPECT_EQ(*wal->Append(kTraces, "z"), 1000u);
  std::vector<uint64_t> seqs;
  for (auto& [seq, p] : ReplayAll(*wal)) seqs.push_back(seq);
  EXPECT_EQ(seqs, (std::vector<uint64_t>{11, 12, 1000}));
}

TEST_F(WalTest, TwentyMiBPayloadRoundTrips) {
  std::string big = Payload(3, 20 << 20);
  {
    auto wal = OpenOrDie();
    ASSERT_TRUE(wal->Append(kTraces, "small").ok());
    auto seq = wal->Append(kTraces, big);
    ASSERT_TRUE(seq.ok()) << seq.status().ToString();
    EXPECT_EQ(*seq, 2u);
    ASSERT_TRUE(wal->Append(kTraces, "after").ok());
  }
  auto wal = OpenOrDie();
  Records got = ReplayAll(*wal);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_TRUE(got[1].second == big);
  EXPECT_EQ(got[2].second, "after");
}

TEST_F(WalTest, RejectsPayloadOverTheMaximum) {
  auto wal = OpenOrDie();
  std::string huge(kWalMaxPayloadBytes + 1, 'x');
  EXPECT_EQ(wal->Append(kTraces, huge).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*wal->Append(kTraces, "ok"), 1u);
}

TEST_F(WalTest, RefusesASegmentOfANewerFormatVersion) {
  {
    auto wal = OpenOrDie();
    ASSERT_TRUE(wal->Append(kTraces, "x").ok());
  }
  FlipByte(SegmentFiles().at(0), 8);  // version field
  auto wal = Wal::Open(Options());
  EXPECT_EQ(wal.status().code(), StatusCode::kUnsupported);
}

TEST_F(WalTest, FailedWriteIsReportedAndNotClaimed) {
  std::atomic<bool> fail{false};
  WalOptions o = Options();
  o.fault_injector_for_testing = [&](std::string_view op) {
    return fail && op == "write" ? Status::IOError("injected") : Status::Ok();
  };
  auto wal = OpenOrDie(o);
  ASSERT_TRUE(wal->Append(kTraces, "one").ok());
  fail = true;
  EXPECT_EQ(wal->Append(kTraces, "lost").status().code(), StatusCode::kIOError);
  EXPECT_EQ(wal->last_seq(), 1u);
  fail = false;
  EXPECT_EQ(*wal->Append(kTraces, "two"), 2u);
  wal.reset();
  Records got = ReplayAll(*OpenOrDie());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].second, "two");
}

// A real short write: the file size limit stops the write of the second record midway.
TEST_F(WalTest, RealShortWriteIsRolledBack) {
  struct rlimit old_limit;
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  auto wal = OpenOrDie();
  ASSERT_TRUE(wal->Append(kTraces, Payload(1, 1000)).ok());
  struct rlimit limit = old_limit;
  limit.rlim_cur = RecordOffset(1, 1000) + 500;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limit), 0);
  auto failed = wal->Append(kTraces, Payload(2, 1000));
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &old_limit), 0);
  std::signal(SIGXFSZ, old_handler);
  EXPECT_EQ(failed.status().code(), StatusCode::kIOError);
  EXPECT_EQ(fs::file_size(SegmentFiles().at(0)), RecordOffset(1, 1000));
  EXPECT_EQ(*wal->Append(kTraces, "two"), 2u);
  EXPECT_EQ(ReplayAll(*wal).size(), 2u);
}

TEST_F(WalTest, FailedSyncFailsTheWholeGroupAndPoisonsTheLog) {
  constexpr int kWaiters = 7;
  std::atomic<int> syncs{0};
  std::atomic<int> started{0};
  WalOptions o = Options();
  o.fault_injector_for_testing = [&](std::string_view op) {
    if (op != "sync") return Status::Ok();
    int n = ++syncs;
    if (n == 1) {
      // Hold the first group until every other appender is queued behind it.
      while (started < kWaiters) std::this_thread::yield();
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      return Status::Ok();
    }
    return Status::IOError("injected sync failure");
  };
  auto wal = OpenOrDie(o);
  std::thread first([&] { EXPECT_EQ(*wal->Append(kTraces, "durable"), 1u); });
  while (syncs == 0) std::this_thread::yield();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kWaiters; ++t) {
    threads.emplace_back([&] {
      ++started;
      auto r = wal->Append(kTraces, "doomed");
      if (r.status().code() == StatusCode::kIOError) ++failures;
    });
  }
  first.join();
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures, kWaiters);
  EXPECT_EQ(syncs, 2);  // the seven waiters formed one group
  EXPECT_EQ(fs::file_size(SegmentFiles().at(0)), RecordOffset(1, 7));
  EXPECT_EQ(wal->Append(kTraces, "later").status().code(), StatusCode::kIOError);
  EXPECT_EQ(wal->Rotate().status().code(), StatusCode::kIOError);
  EXPECT_EQ(wal->last_seq(), 1u);
  wal.reset();
  Records got = ReplayAll(*OpenOrDie());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].second, "durable");
}

TEST_F(WalTest, FsyncOffStillWrites) {
  WalOptions o = Options();
  o.fsync = false;
  {
    auto wal = OpenOrDie(o);
    for (uint64_t i = 1; i <= 5; ++i) ASSERT_TRUE(wal->Append(kTraces, Payload(i)).ok());
    EXPECT_EQ(wal->fsyncs(), 0u);
  }
  EXPECT_EQ(ReplayAll(*OpenOrDie(o)).size(), 5u);
}

TEST_F(WalTest, IgnoresUnrelatedFilesInTheDirectory) {
  AppendBytes(fs::path(dir_) / "notes.txt", "hello");
  AppendBytes(fs::path(dir_) / "wal-1.log", "junk");
  auto wal = OpenOrDie();
  EXPECT_EQ(*wal->Append(kTraces, "x"), 1u);
  EXPECT_EQ(wal->segment_count(), 1u);
  EXPECT_EQ(fs::file_size(fs::path(dir_) / "wal-1.log"), 4u);
}

}  // namespace
}  // namespace periscope
