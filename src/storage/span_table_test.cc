#include "storage/span_table.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "model/span_batch_testing.h"

namespace periscope {
namespace {

namespace fs = std::filesystem;

class SpanTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("span_table_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<SpanTable> OpenTable(size_t fan_in = 4) {
    SpanTableOptions o;
    o.dir = dir_.string();
    o.merge_fan_in = fan_in;
    auto t = SpanTable::Open(o);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return std::move(t).value();
  }

  static size_t CountRows(const SpanTable& t, const SpanQuery& q) {
    size_t n = 0;
    EXPECT_TRUE(t.Scan(q, [&](const SpanBatch&, size_t) {
                   ++n;
                   return true;
                 }).ok());
    return n;
  }

  fs::path dir_;
};

TEST_F(SpanTableTest, MemtableRowsAreQueryableBeforeAndAfterFlush) {
  auto table = OpenTable();
  SpanBatch batch = testing::MakeTestSpans(50, 4, 7);
  const TraceId probe = batch.trace_id[8];
  table->Insert(1, std::move(batch));
  SpanQuery all;
  EXPECT_EQ(CountRows(*table, all), 200u);
  SpanQuery one;
  one.trace_id = probe;
  EXPECT_EQ(CountRows(*table, one), 4u);

  EXPECT_EQ(table->Freeze(), 1u);
  EXPECT_EQ(CountRows(*table, all), 200u);  // frozen rows stay visible while written
  ASSERT_TRUE(table->WriteFrozen(1).ok());
  EXPECT_EQ(table->memtable_rows(), 0u);
  EXPECT_EQ(table->part_count(), 1u);
  EXPECT_EQ(CountRows(*table, all), 200u);
  EXPECT_EQ(CountRows(*table, one), 4u);
  EXPECT_EQ(table->flushed_wal_seq(), 1u);
}

TEST_F(SpanTableTest, ReopenKeepsPartsAndWalCoverage) {
  {
    auto table = OpenTable();
    table->Insert(5, testing::MakeTestSpans(10, 4, 1));
    table->Freeze();
    ASSERT_TRUE(table->WriteFrozen(5).ok());
  }
  auto table = OpenTable();
  EXPECT_EQ(table->flushed_wal_seq(), 5u);
  EXPECT_EQ(CountRows(*table, SpanQuery{}), 40u);
}

TEST_F(SpanTableTest, TenantsNeverSeeEachOther) {
  auto table = OpenTable();
  SpanBatch a = testing::MakeTestSpans(5, 2, 1);
  SpanBatch b = testing::MakeTestSpans(7, 2, 2);
  b.tenant = "team/b";
  table->Insert(1, std::move(a));
  table->Insert(2, std::move(b));
  SpanQuery qa;
  SpanQuery qb;
  qb.tenant = "team/b";
  EXPECT_EQ(CountRows(*table, qa), 10u);
  EXPECT_EQ(CountRows(*table, qb), 14u);
  table->Freeze();
  ASSERT_TRUE(table->WriteFrozen(2).ok());
  EXPECT_EQ(table->part_count(), 2u);
  EXPECT_EQ(CountRows(*table, qa), 10u);
  EXPECT_EQ(CountRows(*table, qb), 14u);
  auto reopened = (table.reset(), OpenTable());
  EXPECT_EQ(CountRows(*reopened, qa), 10u);
  EXPECT_EQ(CountRows(*reopened, qb), 14u);
}

TEST_F(SpanTableTest, MergeKeepsEveryRowOnce) {
  auto table = OpenTable(/*fan_in=*/3);
  std::set<SpanId> ids;
  for (uint64_t seq = 1; seq <= 3; ++seq) {
    SpanBatch b = testing::MakeTestSpans(20, 3, seq);
    ids.insert(b.span_id.begin(), b.span_id.end());
    table->Insert(seq, std::move(b));
    table->Freeze();
    ASSERT_TRUE(table->WriteFrozen(seq).ok());
  }
  EXPECT_EQ(table->part_count(), 3u);
  auto merged = table->MergeOnce();
  ASSERT_TRUE(merged.ok());
  EXPECT_TRUE(*merged);
  EXPECT_EQ(table->part_count(), 1u);
  std::set<SpanId> seen;
  size_t rows = 0;
  ASSERT_TRUE(table
                  ->Scan(SpanQuery{},
                         [&](const SpanBatch& b, size_t i) {
                           seen.insert(b.span_id[i]);
                           ++rows;
                           return true;
                         })
                  .ok());
  EXPECT_EQ(rows, ids.size());
  EXPECT_EQ(seen, ids);
  auto again = table->MergeOnce();
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  table.reset();
  auto reopened = OpenTable(3);
  EXPECT_EQ(reopened->flushed_wal_seq(), 3u);
  EXPECT_EQ(CountRows(*reopened, SpanQuery{}), ids.size());
}

TEST_F(SpanTableTest, InterruptedMergeLeavesNoDuplicatesAfterReopen) {
  auto table = OpenTable(2);
  for (uint64_t seq = 1; seq <= 2; ++seq) {
    table->Insert(seq, testing::MakeTestSpans(10, 2, seq));
    table->Freeze();
    ASSERT_TRUE(table->WriteFrozen(seq).ok());
  }
  std::vector<fs::path> inputs;
  for (const auto& e : fs::recursive_directory_iterator(dir_)) {
    if (e.path().extension() == ".spp") inputs.push_back(e.path());
  }
  ASSERT_EQ(inputs.size(), 2u);
  // Simulate a crash after the merged part was written but before its inputs were deleted.
  fs::path saved = dir_ / "saved";
  fs::create_directories(saved);
  for (const auto& p : inputs) fs::copy_file(p, saved / p.filename());
  ASSERT_TRUE(table->MergeOnce().ok());
  table.reset();
  for (const auto& p : inputs) fs::copy_file(saved / p.filename(), p);
  fs::remove_all(saved);
  auto reopened = OpenTable(2);
  EXPECT_EQ(reopened->part_count(), 1u);
  EXPECT_EQ(CountRows(*reopened, SpanQuery{}), 40u);
}

TEST_F(SpanTableTest, RetentionDropsOnlyExpiredParts) {
  auto table = OpenTable(100);
  const int64_t day = 86400LL * 1000000000LL;
  const int64_t now = 1'795'000'000'000'000'000;
  table->Insert(1, testing::MakeTestSpans(10, 2, 1, now - 10 * day));
  table->Freeze();
  ASSERT_TRUE(table->WriteFrozen(1).ok());
  table->Insert(2, testing::MakeTestSpans(10, 2, 2, now - day));
  table->Freeze();
  ASSERT_TRUE(table->WriteFrozen(2).ok());
  auto removed = table->ApplyRetention(now);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 1u);
  EXPECT_EQ(table->part_count(), 1u);
  EXPECT_EQ(CountRows(*table, SpanQuery{}), 20u);
}

TEST_F(SpanTableTest, CorruptPartIsSetAsideAndTheTableStillOpens) {
  {
    auto table = OpenTable();
    table->Insert(1, testing::MakeTestSpans(10, 2, 1));
    table->Freeze();
    ASSERT_TRUE(table->WriteFrozen(1).ok());
  }
  for (const auto& e : fs::recursive_directory_iterator(dir_)) {
    if (e.path().extension() == ".spp") fs::resize_file(e.path(), 10);
  }
  auto table = OpenTable();
  EXPECT_EQ(table->part_count(), 0u);
  size_t corrupt = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir_)) {
    corrupt += e.path().extension() == ".corrupt";
  }
  EXPECT_EQ(corrupt, 1u);
}

TEST_F(SpanTableTest, OperationsCoverMemtableAndParts) {
  auto table = OpenTable();
  table->Insert(1, testing::MakeTestSpans(4, 3, 1));
  table->Freeze();
  ASSERT_TRUE(table->WriteFrozen(1).ok());
  SpanBatch extra = testing::MakeTestSpans(1, 1, 9);
  extra.name[0] = "only-in-memtable";
  table->Insert(2, std::move(extra));
  bool found = false;
  for (const auto& op : table->Operations("default")) found |= op.name == "only-in-memtable";
  EXPECT_TRUE(found);
  EXPECT_GE(table->Operations("default").size(), 3u);
  EXPECT_TRUE(table->Operations("nobody").empty());
}

}  // namespace
}  // namespace periscope
