#include "storage/metrics/metric_memtable.h"

#include <gtest/gtest.h>

#include <numeric>

#include "storage/metrics/metric_test_util.h"

namespace periscope {
namespace {

MetricSeries Samples(int64_t first_t, size_t n, double first_v = 0) {
  MetricSeries s;
  for (size_t i = 0; i < n; ++i) {
    s.time_ms.push_back(first_t + static_cast<int64_t>(i) * 10);
    s.values.push_back(first_v + static_cast<double>(i));
  }
  return s;
}

// Appends `src` the way the memtable did before chunks (vector concatenation).
void Concat(const MetricSeries& src, MetricSeries& dst) {
  if (!src.start_ms.empty() && dst.start_ms.size() != dst.time_ms.size()) {
    dst.start_ms.resize(dst.time_ms.size(), 0);
  }
  dst.time_ms.insert(dst.time_ms.end(), src.time_ms.begin(), src.time_ms.end());
  dst.values.insert(dst.values.end(), src.values.begin(), src.values.end());
  if (!src.start_ms.empty()) {
    dst.start_ms.insert(dst.start_ms.end(), src.start_ms.begin(), src.start_ms.end());
  } else if (!dst.start_ms.empty()) {
    dst.start_ms.resize(dst.time_ms.size(), 0);
  }
  dst.exemplars.insert(dst.exemplars.end(), src.exemplars.begin(), src.exemplars.end());
}

TEST(MetricMemtableTest, AppendsAcrossChunkBoundariesInOrder) {
  SampleBlockPool pool;
  MetricMemtable m(&pool);
  MetricSeries expected;
  // Sizes that end exactly on, just before and just after chunk boundaries (4, 8, 16, ...),
  // and one append larger than the biggest chunk.
  size_t total = 0;
  for (size_t n : {1, 3, 4, 1, 7, 16, 15, 1, 2000, 33}) {
    MetricSeries s = Samples(static_cast<int64_t>(total) * 10, n, static_cast<double>(total));
    m.Append(7, s);
    Concat(s, expected);
    total += n;
    MetricSeries got;
    m.AppendAllTo(7, got);
    ASSERT_EQ(got.time_ms, expected.time_ms) << "after " << total;
    ASSERT_EQ(got.values, expected.values) << "after " << total;
  }
  EXPECT_EQ(m.samples(), total);
  EXPECT_EQ(m.ordinals(), std::vector<uint32_t>{7});
  EXPECT_TRUE(m.Has(7));
  EXPECT_FALSE(m.Has(6));
  EXPECT_FALSE(m.Has(100));
}

TEST(MetricMemtableTest, RangeReadKeepsOnlySamplesInside) {
  SampleBlockPool pool;
  MetricMemtable m(&pool);
  for (int i = 0; i < 10; ++i) m.Append(0, Samples(i * 100, 10));  // t = 0..990, step 10
  MetricSeries got;
  m.AppendTo(0, 95, 305, got);
  ASSERT_EQ(got.time_ms.size(), 21u);
  EXPECT_EQ(got.time_ms.front(), 100);
  EXPECT_EQ(got.time_ms.back(), 300);
  MetricSeries none;
  m.AppendTo(0, 2000, 3000, none);
  EXPECT_TRUE(none.time_ms.empty());
}

TEST(MetricMemtableTest, StartTimesAndExemplarsMatchVectorConcatenation) {
  SampleBlockPool pool;
  MetricMemtable m(&pool);
  MetricSeries expected;
  MetricSeries a = Samples(0, 3);  // no start times
  MetricSeries b = Samples(30, 5);
  b.start_ms.assign(5, 7);
  MetricExemplar ex;
  ex.time_ms = 40;
  ex.value = 2;
  ex.trace_id.bytes[0] = 1;
  b.exemplars.push_back(ex);
  MetricSeries c = Samples(80, 2);  // no start times again: padded with 0
  for (const MetricSeries* s : {&a, &b, &c}) {
    m.Append(3, *s);
    Concat(*s, expected);
  }
  MetricSeries got;
  m.AppendAllTo(3, got);
  EXPECT_EQ(got, expected);
  ASSERT_EQ(got.start_ms.size(), 10u);
  EXPECT_EQ(got.start_ms[2], 0);
  EXPECT_EQ(got.start_ms[3], 7);
  EXPECT_EQ(got.start_ms[9], 0);

  MetricSeries ranged;
  m.AppendTo(3, 40, 60, ranged);
  EXPECT_EQ(ranged.time_ms, (std::vector<int64_t>{40, 50, 60}));
  EXPECT_EQ(ranged.start_ms, (std::vector<int64_t>{7, 7, 7}));
  EXPECT_EQ(ranged.exemplars.size(), 1u);
}

TEST(MetricMemtableTest, ManySeriesMatchNodeExporterData) {
  SampleBlockPool pool;
  MetricMemtable m(&pool);
  const MetricBatch batch = testing::NodeExporterLikeBatch(300, 37, 1'000'000, 10'000);
  // Arrive 5 samples at a time, series interleaved, like remote-write requests.
  for (size_t from = 0; from < 37; from += 5) {
    for (size_t i = 0; i < batch.series.size(); ++i) {
      const MetricSeries& s = batch.series[i];
      MetricSeries piece;
      const size_t to = std::min<size_t>(from + 5, s.time_ms.size());
      piece.time_ms.assign(s.time_ms.begin() + from, s.time_ms.begin() + to);
      piece.values.assign(s.values.begin() + from, s.values.begin() + to);
      m.Append(static_cast<uint32_t>(i * 2), piece);  // sparse ordinals
    }
  }
  EXPECT_EQ(m.samples(), 300u * 37);
  EXPECT_EQ(m.ordinals().size(), 300u);
  for (size_t i = 0; i < batch.series.size(); ++i) {
    MetricSeries got;
    m.AppendAllTo(static_cast<uint32_t>(i * 2), got);
    EXPECT_EQ(got.time_ms, batch.series[i].time_ms);
    EXPECT_EQ(got.values, batch.series[i].values);
  }
}

TEST(MetricMemtableTest, ClearSwapAndAppendAll) {
  SampleBlockPool pool;
  MetricMemtable a(&pool), b(&pool);
  a.Append(1, Samples(0, 5));
  b.Append(1, Samples(50, 3));
  b.Append(2, Samples(0, 2));
  a.AppendAll(b);
  MetricSeries one;
  a.AppendAllTo(1, one);
  EXPECT_EQ(one.time_ms, (std::vector<int64_t>{0, 10, 20, 30, 40, 50, 60, 70}));
  EXPECT_EQ(a.samples(), 10u);
  EXPECT_EQ(a.ordinals(), (std::vector<uint32_t>{1, 2}));

  a.Swap(b);
  EXPECT_EQ(a.samples(), 5u);
  EXPECT_EQ(b.samples(), 10u);
  const size_t held = b.bytes();
  EXPECT_GT(held, 0u);
  b.Clear();
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.samples(), 0u);
  EXPECT_FALSE(b.Has(1));
  EXPECT_LT(b.bytes(), held);
  b.Append(1, Samples(0, 1));
  MetricSeries again;
  b.AppendAllTo(1, again);
  EXPECT_EQ(again.time_ms, std::vector<int64_t>{0});
}

TEST(MetricMemtableTest, TimesFarFromTheChunkBaseStartNewChunks) {
  SampleBlockPool pool;
  MetricMemtable m(&pool);
  MetricSeries s;
  // Out of order, more than 2^31 ms apart, and the int64 extremes (deltas wrap mod 2^64).
  s.time_ms = {
      1000, 999,          1000 + (int64_t{1} << 31), 5, INT64_MAX, INT64_MIN, INT64_MIN + 1, -7,
      1001, INT64_MAX - 3};
  for (size_t i = 0; i < s.time_ms.size(); ++i) s.values.push_back(static_cast<double>(i));
  m.Append(0, s);
  m.Append(0, s);
  MetricSeries got;
  m.AppendAllTo(0, got);
  MetricSeries expected;
  Concat(s, expected);
  Concat(s, expected);
  EXPECT_EQ(got.time_ms, expected.time_ms);
  EXPECT_EQ(got.values, expected.values);
  MetricSeries ranged;
  m.AppendTo(0, 0, 1001, ranged);
  EXPECT_EQ(ranged.time_ms, (std::vector<int64_t>{1000, 999, 5, 1001, 1000, 999, 5, 1001}));
}

TEST(SampleArenaTest, RecyclesFullBlocksThroughThePool) {
  SampleBlockPool pool(4);
  {
    SampleArena arena(&pool);
    // Enough to reach pool-sized blocks: 4K, 4K, 8K, ... 512K, then 1 MiB blocks.
    for (int i = 0; i < 3000; ++i) {
      auto* p = static_cast<char*>(arena.Allocate(1000));
      ASSERT_EQ(reinterpret_cast<uintptr_t>(p) % 8, 0u);
      p[0] = 1;
      p[999] = 2;
    }
    EXPECT_GE(arena.bytes(), 3000u * 1000);
    void* big = arena.Allocate(SampleBlockPool::kBlockBytes + 1);  // a block of its own
    ASSERT_NE(big, nullptr);
  }
  EXPECT_GE(pool.free_blocks(), 1u);
  EXPECT_LE(pool.free_blocks(), 4u);
}

}  // namespace
}  // namespace periscope
