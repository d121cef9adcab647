#include "storage/metrics/metric_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>

#include "base/time.h"
#include "model/metric_labels.h"
#include "storage/metrics/metric_test_util.h"

namespace periscope {
namespace {

namespace fs = std::filesystem;

class MetricTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("metric_table_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    options_.dir = dir_.string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::unique_ptr<MetricTable> OpenTable() {
    auto t = MetricTable::Open(options_);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return std::move(t).value();
  }
  static LabelMatcher Name(const std::string& n) {
    return *LabelMatcher::Make("__name__", MatchOp::kEqual, n);
  }
  fs::path dir_;
  MetricTableOptions options_;
};

MetricSeries Series(const std::string& name, std::vector<int64_t> t, std::vector<double> v) {
  MetricSeries s;
  s.labels = {{"__name__", name}, {"job", "a"}};
  s.kind = MetricKind::kCounter;
  s.time_ms = std::move(t);
  s.values = std::move(v);
  return s;
}

TEST_F(MetricTableTest, MemtableAndPartsAnswerTheSameAndSurviveReopen) {
  auto table = OpenTable();
  MetricBatch b1;
  b1.series.push_back(Series("c", {1000, 2000, 3000}, {1, 2, 3}));
  MetricSeries with_start = Series("d", {1000, 2000}, {5, 6});
  with_start.start_ms = {500, 500};
  MetricExemplar ex;
  ex.time_ms = 2000;
  ex.value = 6;
  ex.trace_id.bytes[0] = 0xab;
  ex.span_id.bytes[7] = 1;
  with_start.exemplars.push_back(ex);
  b1.series.push_back(with_start);
  table->Insert(1, b1);
  auto before = table->Select("default", {}, 0, 10000);
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->size(), 2u);

  EXPECT_EQ(table->Freeze(), 1u);
  ASSERT_TRUE(table->WriteFrozen(1).ok());
  EXPECT_EQ(table->part_count(), 1u);
  EXPECT_EQ(table->memtable_samples(), 0u);
  MetricBatch b2;
  b2.series.push_back(Series("c", {3000, 4000}, {3, 4}));  // 3000 duplicates
  table->Insert(2, b2);
  auto c = table->Select("default", {Name("c")}, 0, 10000);
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->size(), 1u);
  EXPECT_EQ((*c)[0].series.time_ms, (std::vector<int64_t>{1000, 2000, 3000, 4000}));
  EXPECT_EQ((*c)[0].series.values, (std::vector<double>{1, 2, 3, 4}));
  EXPECT_EQ((*c)[0].series.kind, MetricKind::kCounter);

  table->Freeze();
  ASSERT_TRUE(table->WriteFrozen(2).ok());
  table.reset();
  table = OpenTable();
  EXPECT_EQ(table->flushed_wal_seq(), 2u);
  EXPECT_EQ(table->series_count(), 2u);
  auto d = table->Select("default", {Name("d")}, 0, 10000);
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->size(), 1u);
  EXPECT_EQ((*d)[0].series.start_ms, (std::vector<int64_t>{500, 500}));
  ASSERT_EQ((*d)[0].series.exemplars.size(), 1u);
  EXPECT_EQ((*d)[0].series.exemplars[0], ex);
  auto windowed = table->Select("default", {Name("c")}, 1500, 3500);
  ASSERT_TRUE(windowed.ok());
  EXPECT_EQ((*windowed)[0].series.time_ms, (std::vector<int64_t>{2000, 3000}));
}

TEST_F(MetricTableTest, ScanVisitsInLabelOrderAndNewerPartsWinTies) {
  auto table = OpenTable();
  MetricBatch b1;
  b1.series.push_back(Series("z", {1000, 2000}, {1, 2}));
  b1.series.push_back(Series("a", {1000, 2000}, {10, 20}));
  table->Insert(1, b1);
  table->Freeze();
  ASSERT_TRUE(table->WriteFrozen(1).ok());
  MetricBatch b2;
  b2.series.push_back(Series("a", {2000, 3000}, {21, 30}));  // 2000 rewritten
  b2.series.push_back(Series("m", {5000}, {7}));
  table->Insert(2, b2);
  table->Freeze();
  ASSERT_TRUE(table->WriteFrozen(2).ok());
  MetricBatch b3;
  b3.series.push_back(Series("a", {3000, 4000}, {31, 40}));  // memtable beats parts
  table->Insert(3, b3);
  std::vector<std::string> names;
  std::vector<uint32_t> ordinals;
  ASSERT_TRUE(
      table
          ->Scan("default", {}, 0, 10000,
                 [&](uint32_t ordinal, SelectedSeries& s) {
                   names.emplace_back(LabelValue(s.series.labels, "__name__"));
                   ordinals.push_back(ordinal);
                   if (names.back() == "a") {
                     EXPECT_EQ(s.series.time_ms, (std::vector<int64_t>{1000, 2000, 3000, 4000}));
                     EXPECT_EQ(s.series.values, (std::vector<double>{10, 21, 31, 40}));
                   }
                 })
          .ok());
  EXPECT_EQ(names, (std::vector<std::string>{"a", "m", "z"}));
  EXPECT_EQ(ordinals, (std::vector<uint32_t>{1, 2, 0}));  // arrival order: z, a, m
  auto selected = table->Select("default", {}, 0, 10000);
  ASSERT_TRUE(selected.ok());
  ASSERT_EQ(selected->size(), 3u);
  EXPECT_EQ(LabelValue((*selected)[0].series.labels, "__name__"), "z");  // Select: index order
  // A window that excludes the newest part and the memtable of `m`.
  auto early = table->Select("default", {}, 0, 1500);
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(early->size(), 2u);
}

TEST_F(MetricTableTest, SeriesStoredUnderAProbedIdKeepsItsSamples) {
  // A part written after a hash collision holds `b` under a probed id; new samples of `b`
  // must join that series rather than start a second one.
  MetricSeries a = Series("a", {1000}, {1});
  MetricSeries b = Series("b", {1000, 2000}, {5, 6});
  const uint64_t collided = SeriesIdOf(a.labels);
  MetricPartMeta meta;
  meta.tenant = "default";
  meta.covered_wal_seq = 1;
  fs::create_directories(dir_ / "default");
  ASSERT_TRUE(WriteMetricPart((dir_ / "default" / "part-00000000000000000001.msp").string(), meta,
                              {{collided, &a}, {collided + SeriesIndex::kSeriesIdProbe, &b}})
                  .ok());
  auto table = OpenTable();
  EXPECT_EQ(table->series_count(), 2u);
  MetricBatch more;
  more.series.push_back(Series("b", {3000}, {7}));
  table->Insert(2, more);
  EXPECT_EQ(table->series_count(), 2u);
  auto got = table->Select("default", {Name("b")}, 0, 10000);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].series.values, (std::vector<double>{5, 6, 7}));
  table->Freeze();
  ASSERT_TRUE(table->WriteFrozen(2).ok());
  table.reset();
  table = OpenTable();
  got = table->Select("default", {Name("b")}, 0, 10000);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].series.values, (std::vector<double>{5, 6, 7}));
  EXPECT_EQ(table->Select("default", {Name("a")}, 0, 10000)->at(0).series.values,
            (std::vector<double>{1}));
}

TEST_F(MetricTableTest, TenantsAreSeparate) {
  auto table = OpenTable();
  MetricBatch b;
  b.tenant = "acme/corp";
  b.series.push_back(Series("c", {1000}, {1}));
  table->Insert(1, b);
  table->Freeze();
  ASSERT_TRUE(table->WriteFrozen(1).ok());
  EXPECT_TRUE(table->Select("default", {}, 0, 5000)->empty());
  EXPECT_EQ(table->Select("acme/corp", {}, 0, 5000)->size(), 1u);
  table.reset();
  table = OpenTable();
  EXPECT_EQ(table->Select("acme/corp", {}, 0, 5000)->size(), 1u);
}

TEST_F(MetricTableTest, NameKindsFromMetadataReachKnownAndNewSeriesAndTheirParts) {
  auto table = OpenTable();
  MetricBatch b;
  b.series.push_back(Series("temperature", {1000}, {20}));
  b.series.back().kind = MetricKind::kUnknown;
  b.series.push_back(Series("humidity", {1000}, {50}));
  b.series.back().kind = MetricKind::kGauge;
  table->Insert(1, b);
  table->SetNameKinds("default", {{"temperature", MetricKind::kGauge},
                                  {"humidity", MetricKind::kCounter},
                                  {"latency_bucket", MetricKind::kCounter}});
  MetricBatch later;
  later.series.push_back(Series("latency_bucket", {2000}, {3}));
  later.series.back().labels.emplace_back("le", "0.5");
  later.series.back().kind = MetricKind::kUnknown;
  table->Insert(2, later);
  auto kinds = [&] {
    std::map<std::string, MetricKind> out;
    for (const auto& s : table->Series("default", {})) {
      out[std::string(LabelValue(s.labels, "__name__"))] = s.kind;
    }
    return out;
  };
  const std::map<std::string, MetricKind> want{{"humidity", MetricKind::kGauge},
                                               {"latency_bucket", MetricKind::kCounter},
                                               {"temperature", MetricKind::kGauge}};
  EXPECT_EQ(kinds(), want) << "a kind the data gave is kept";
  table->Freeze();
  ASSERT_TRUE(table->WriteFrozen(2).ok());
  table.reset();
  table = OpenTable();
  EXPECT_EQ(kinds(), want) << "the part holds the kinds";
}

TEST_F(MetricTableTest, MergeKeepsEverySample) {
  options_.merge_fan_in = 3;
  auto table = OpenTable();
  for (int i = 0; i < 3; ++i) {
    MetricBatch b;
    b.series.push_back(Series("c", {1000 * (i + 1)}, {static_cast<double>(i)}));
    b.series.push_back(Series("e" + std::to_string(i), {5}, {1}));
    table->Insert(i + 1, b);
    table->Freeze();
    ASSERT_TRUE(table->WriteFrozen(i + 1).ok());
  }
  EXPECT_EQ(table->part_count(), 3u);
  auto merged = table->MergeOnce();
  ASSERT_TRUE(merged.ok() && *merged);
  EXPECT_EQ(table->part_count(), 1u);
  EXPECT_FALSE(*table->MergeOnce());
  auto c = table->Select("default", {Name("c")}, 0, 10000);
  EXPECT_EQ((*c)[0].series.values, (std::vector<double>{0, 1, 2}));
  EXPECT_EQ(table->Select("default", {}, 0, 10000)->size(), 4u);
  table.reset();
  table = OpenTable();
  EXPECT_EQ(table->part_count(), 1u);
  EXPECT_EQ(table->flushed_wal_seq(), 3u);
}

TEST_F(MetricTableTest, RetentionDropsOldParts) {
  options_.retention_ms = 1000;
  auto table = OpenTable();
  MetricBatch b;
  b.series.push_back(Series("c", {1000}, {1}));
  table->Insert(1, b);
  table->Freeze();
  ASSERT_TRUE(table->WriteFrozen(1).ok());
  EXPECT_EQ(*table->ApplyRetention(1500), 0u);
  EXPECT_EQ(*table->ApplyRetention(2001), 1u);
  EXPECT_EQ(table->part_count(), 0u);
}

TEST_F(MetricTableTest, CorruptPartIsSetAside) {
  {
    auto table = OpenTable();
    MetricBatch b;
    b.series.push_back(Series("c", {1000}, {1}));
    table->Insert(1, b);
    table->Freeze();
    ASSERT_TRUE(table->WriteFrozen(1).ok());
  }
  fs::path part;
  for (const auto& e : fs::recursive_directory_iterator(dir_)) {
    if (e.path().extension() == ".msp") part = e.path();
  }
  ASSERT_FALSE(part.empty());
  const auto size = fs::file_size(part);
  for (uintmax_t cut : {uintmax_t{0}, uintmax_t{10}, size / 2, size - 1}) {
    auto truncated = MetricPart::Open(part.string());
    ASSERT_TRUE(truncated.ok());
    fs::path copy = dir_ / "copy.msp";
    fs::copy_file(part, copy, fs::copy_options::overwrite_existing);
    fs::resize_file(copy, cut);
    auto opened = MetricPart::Open(copy.string());
    EXPECT_FALSE(opened.ok()) << cut;
  }
  {
    std::fstream f(part, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size - 30));
    f.put('\x5a');
  }
  auto table = OpenTable();
  EXPECT_EQ(table->part_count(), 0u);
  EXPECT_TRUE(fs::exists(part.string() + ".corrupt"));
}

// Bytes per sample on node_exporter-like data (BENCHMARKS.md "Metrics"): 10,000 series at a
// 10 s interval over one hour.
TEST_F(MetricTableTest, NodeExporterLikeDataFitsTheBytesPerSampleBudget) {
  auto table = OpenTable();
  MetricBatch batch = testing::NodeExporterLikeBatch(10000, 360, 1700000000000, 10000);
  const size_t samples = batch.sample_count();
  const auto t0 = std::chrono::steady_clock::now();
  table->Insert(1, batch);
  table->Freeze();
  ASSERT_TRUE(table->WriteFrozen(1).ok());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double bytes_per_sample = static_cast<double>(table->part_bytes()) / samples;
  std::printf("node_exporter-like: %zu samples, %.3f bytes/sample, %.0f samples/s insert+flush\n",
              samples, bytes_per_sample, samples / seconds);
  EXPECT_LT(bytes_per_sample, 1.0);
  auto all = table->Select("default", {}, 0, INT64_MAX);
  ASSERT_TRUE(all.ok());
  size_t read = 0;
  for (const auto& s : *all) read += s.series.values.size();
  EXPECT_EQ(read, samples);
}

// Inserting through the raw-key cache (as remote write does) stores exactly what plain inserts
// store: same series, same samples, memtable and parts, with keys in any label order.
TEST_F(MetricTableTest, KeyedInsertsMatchPlainInserts) {
  auto plain = OpenTable();
  options_.dir = (dir_ / "keyed").string();
  auto keyed = OpenTable();
  const MetricBatch all = testing::NodeExporterLikeBatch(200, 30, 1700000000000, 10000);
  // The raw key of a series: its labels in arrival order; odd requests send them reversed
  // (another key for the same series).
  auto key_of = [](const Labels& labels, bool reversed) {
    std::string k;
    for (const auto& [n, v] : labels) k += n + "=" + v + ";";
    if (reversed) k = "rev:" + k;
    return k;
  };
  std::vector<std::string> label_keys;
  for (uint64_t seq = 1; seq <= 6; ++seq) {
    MetricBatch b;
    for (const MetricSeries& s : all.series) {
      MetricSeries piece = s;
      piece.time_ms.assign(s.time_ms.begin() + (seq - 1) * 5, s.time_ms.begin() + seq * 5);
      piece.values.assign(s.values.begin() + (seq - 1) * 5, s.values.begin() + seq * 5);
      b.series.push_back(std::move(piece));
    }
    plain->Insert(seq, b);
    auto cache = keyed->KeyCache("default");
    std::vector<uint32_t> ordinals;
    std::vector<std::string> keys;
    MetricBatch sent = b;
    for (MetricSeries& s : sent.series) {
      keys.push_back(key_of(s.labels, seq % 2 == 1));
      ordinals.push_back(cache ? cache->Find(keys.back()) : SeriesKeyCache::kNone);
      if (ordinals.back() != SeriesKeyCache::kNone) s.labels.clear();  // as the decoder does
    }
    if (seq >= 4) {
      // By now both key forms were seen once: every series resolves.
      EXPECT_EQ(std::count(ordinals.begin(), ordinals.end(), SeriesKeyCache::kNone), 0);
    }
    std::vector<std::string_view> views(keys.begin(), keys.end());
    keyed->Insert(seq, sent, ordinals, views);
    if (seq == 3) {
      for (auto* t : {plain.get(), keyed.get()}) {
        t->Freeze();
        ASSERT_TRUE(t->WriteFrozen(seq).ok());
      }
    }
  }
  EXPECT_EQ(keyed->series_count(), plain->series_count());
  EXPECT_EQ(keyed->memtable_samples(), plain->memtable_samples());
  auto a = plain->Select("default", {}, 0, INT64_MAX);
  auto b = keyed->Select("default", {}, 0, INT64_MAX);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->size(), 200u);
  ASSERT_EQ(b->size(), a->size());
  for (size_t i = 0; i < a->size(); ++i) {
    EXPECT_EQ((*b)[i].series, (*a)[i].series) << i;
    EXPECT_EQ((*b)[i].id, (*a)[i].id) << i;
  }
}

}  // namespace
}  // namespace periscope
