#include "storage/part/span_part.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <random>
#include <thread>

#include "model/span_batch_testing.h"
#include "storage/part/part_test_util.h"

namespace periscope {
namespace {

using part::testing::ExpectSameRow;
using part::testing::TempDir;

std::shared_ptr<SpanPart> WriteAndOpen(const std::string& path, const SpanBatch& batch,
                                       SpanPartMeta meta = {}) {
  meta.tenant = batch.tenant;
  Status st = WriteSpanPart(path, batch, meta);
  EXPECT_TRUE(st.ok()) << st.ToString();
  auto part = SpanPart::Open(path);
  EXPECT_TRUE(part.ok()) << part.status().ToString();
  return part.ok() ? *part : nullptr;
}

// Scans with `q` and returns the span ids found, in scan order.
std::vector<SpanId> ScanIds(const SpanPart& part, const SpanQuery& q) {
  std::vector<SpanId> ids;
  Status st = part.Scan(q, [&](const SpanBatch& b, size_t row) {
    ids.push_back(b.span_id[row]);
    return true;
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  return ids;
}

// Expects the part scan and a brute-force scan of `batch` to agree on `q`.
void ExpectScanMatchesBruteForce(const SpanPart& part, const SpanBatch& batch, const SpanQuery& q,
                                 size_t min_expected = 1) {
  std::vector<SpanId> want;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (q.Matches(batch, i)) want.push_back(batch.span_id[i]);
  }
  std::vector<SpanId> got = ScanIds(part, q);
  std::sort(want.begin(), want.end());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, want);
  EXPECT_GE(want.size(), min_expected);
}

// A batch exercising every field: odd values, all AnyValue types, events, links.
SpanBatch MakeOddBatch() {
  SpanBatch b = testing::MakeTestSpans(50, 3, 9);
  Resource r;
  r.attributes = {{"service.name", AnyValue::String("weird \xe2\x9c\x93 svc")},
                  {"deployment.environment", AnyValue::String("dev")},
                  {"blob", AnyValue::Bytes(std::string("\0\1\2", 3))},
                  {"nan", AnyValue::Double(std::nan(""))},
                  {"empty", AnyValue{}},
                  {"arr", AnyValue{ValueType::kArray, 0, 0, "[1,2]"}},
                  {"kv", AnyValue{ValueType::kKvList, 0, 0, "{\"a\":1}"}},
                  {"big", AnyValue::Int(std::numeric_limits<int64_t>::min())}};
  r.dropped_attributes_count = 3;
  r.schema_url = "https://opentelemetry.io/schemas/1.21.0";
  r.tags = ExtractUnifiedTags(r.attributes);
  b.resources.push_back(r);
  b.scopes.push_back(Scope{"scope2", "9.9", {{"scope.attr", AnyValue::Bool(true)}}, 2, "url"});
  TraceId tid = *TraceId::FromHex("000102030405060708090a0b0c0d0e0f");
  for (int k = 0; k < 5; ++k) {
    size_t i = b.AddRow(static_cast<uint32_t>(b.resources.size() - 1), 1);
    b.trace_id[i] = tid;
    b.span_id[i].bytes[7] = static_cast<uint8_t>(k + 1);
    if (k > 0) b.parent_span_id[i].bytes[7] = static_cast<uint8_t>(k);       // chain
    if (k == 4) b.parent_span_id[i] = *SpanId::FromHex("ffffffffffffffff");  // not in part
    b.trace_state[i] = k % 2 ? "vendor=x,other=y" : "";
    b.flags[i] = 0x301;
    b.name[i] = k == 3 ? std::string(70000, 'n') : "op \xf0\x9f\x9a\x80 " + std::to_string(k);
    b.kind[i] = static_cast<SpanKind>(k % 6);
    b.start_ns[i] = k == 2 ? std::numeric_limits<int64_t>::min() + 5 : 1'000'000'000ll * k;
    // Negative duration; extreme ends would overflow SpanBatch::duration_ns().
    b.end_ns[i] = b.start_ns[i] + (k == 2 ? 1'000'000'000 : -7);
    for (const KeyValue& kv : r.attributes) {
      b.attributes[i].push_back({"a" + std::to_string(b.attributes[i].size()), kv.value});
    }
    b.attributes[i].push_back({"dup", AnyValue::Int(1)});
    b.attributes[i].push_back({"dup", AnyValue::String(std::string("\0", 1))});
    b.dropped_attributes_count[i] = static_cast<uint32_t>(k);
    b.events[i] = {
        SpanEvent{k == 2 ? std::numeric_limits<int64_t>::min() : b.start_ns[i] - 100, "", {}, 4},
        SpanEvent{std::numeric_limits<int64_t>::max(), "ev", {{"x", AnyValue::Double(-0.5)}}, 0}};
    b.dropped_events_count[i] = 7;
    TraceId other = *TraceId::FromHex("ffeeddccbbaa99887766554433221100");
    b.links[i] = {SpanLink{other, b.span_id[i], "ts", {{"l", AnyValue::Bool(false)}}, 1, 2},
                  SpanLink{tid, b.span_id[i], "", {}, 0, 0},
                  SpanLink{tid, *SpanId::FromHex("0102030405060708"), "", {}, 0, 0}};
    b.dropped_links_count[i] = 8;
    b.status_code[i] = StatusCodeValue::kOk;
    b.status_message[i] = k == 1 ? "ok \xc3\xa9" : "";
  }
  return b;
}

void ExpectRoundTrip(const SpanBatch& batch, const SpanPart& part) {
  std::map<SpanId, size_t> rows;
  for (size_t i = 0; i < batch.size(); ++i) rows[batch.span_id[i]] = i;
  ASSERT_EQ(rows.size(), batch.size()) << "test data needs unique span ids";
  size_t seen = 0;
  Status st = part.Scan(SpanQuery{.tenant = batch.tenant}, [&](const SpanBatch& b, size_t row) {
    auto it = rows.find(b.span_id[row]);
    EXPECT_NE(it, rows.end());
    if (it != rows.end()) ExpectSameRow(batch, it->second, b, row);
    EXPECT_EQ(b.tenant, batch.tenant);
    ++seen;
    return true;
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(seen, batch.size());
}

TEST(SpanPartTest, RoundTripsEveryFieldOfTestSpans) {
  TempDir dir;
  SpanBatch batch = testing::MakeTestSpans(5000, 4);
  SpanPartMeta meta;
  meta.part_id = 42;
  meta.level = 2;
  meta.max_wal_seq = 1234567;
  meta.replaces = {7, 8, 9};
  auto part = WriteAndOpen(dir.File("p1"), batch, meta);
  ASSERT_NE(part, nullptr);
  ExpectRoundTrip(batch, *part);
  EXPECT_EQ(part->meta().part_id, 42u);
  EXPECT_EQ(part->meta().level, 2u);
  EXPECT_EQ(part->meta().max_wal_seq, 1234567u);
  EXPECT_EQ(part->meta().replaces, (std::vector<uint64_t>{7, 8, 9}));
  EXPECT_EQ(part->meta().rows, batch.size());
  EXPECT_EQ(part->meta().min_start_ns,
            *std::min_element(batch.start_ns.begin(), batch.start_ns.end()));
  EXPECT_EQ(part->meta().max_start_ns,
            *std::max_element(batch.start_ns.begin(), batch.start_ns.end()));
  EXPECT_EQ(part->file_bytes(), std::filesystem::file_size(dir.File("p1")));
  EXPECT_EQ(part->path(), dir.File("p1"));
  EXPECT_FALSE(std::filesystem::exists(dir.File("p1.tmp")));
}

TEST(SpanPartTest, RoundTripsOddValuesAndEveryAnyValueType) {
  TempDir dir;
  SpanBatch batch = MakeOddBatch();
  batch.tenant = "acme";
  auto part = WriteAndOpen(dir.File("odd"), batch);
  ASSERT_NE(part, nullptr);
  EXPECT_EQ(part->meta().tenant, "acme");
  ExpectRoundTrip(batch, *part);
}

TEST(SpanPartTest, RoundTripsLargeTraceSpanningBlocks) {
  TempDir dir;
  SpanBatch batch = testing::MakeTestSpans(3, 20000, 3);
  auto part = WriteAndOpen(dir.File("big"), batch);
  ASSERT_NE(part, nullptr);
  ExpectRoundTrip(batch, *part);
  SpanQuery q;
  q.trace_id = batch.trace_id[25000];
  ExpectScanMatchesBruteForce(*part, batch, q, 20000);
}

TEST(SpanPartTest, WritesSeveralBatchesWithoutCopyingThem) {
  TempDir dir;
  SpanBatch all = MakeOddBatch();
  // Split into three batches whose rows interleave traces across batches.
  std::vector<SpanBatch> parts(3);
  for (size_t i = 0; i < all.size(); ++i) parts[i % 3].AppendRow(all, i);
  std::vector<std::shared_ptr<const SpanBatch>> batches;
  for (auto& b : parts) batches.push_back(std::make_shared<const SpanBatch>(std::move(b)));
  batches.push_back(std::make_shared<const SpanBatch>());  // empty ones are skipped
  ASSERT_TRUE(WriteSpanPart(dir.File("multi"), batches, {}).ok());
  auto part = SpanPart::Open(dir.File("multi"));
  ASSERT_TRUE(part.ok()) << part.status().ToString();
  ExpectRoundTrip(all, **part);
  EXPECT_EQ((*part)->meta().rows, all.size());
  EXPECT_EQ((*part)->meta().min_start_ns,
            *std::min_element(all.start_ns.begin(), all.start_ns.end()));

  auto other = std::make_shared<SpanBatch>(testing::MakeTestSpans(2, 2));
  other->tenant = "other";
  batches.push_back(other);
  EXPECT_EQ(WriteSpanPart(dir.File("mixed"), batches, {}).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(dir.File("mixed")));
}

TEST(SpanPartTest, ReadAllBlocksReturnsEveryRowInOrder) {
  TempDir dir;
  SpanBatch batch = testing::MakeTestSpans(5000, 4, 3);
  auto part = WriteAndOpen(dir.File("p"), batch);
  ASSERT_NE(part, nullptr);
  auto blocks = part->ReadAllBlocks();
  ASSERT_TRUE(blocks.ok()) << blocks.status().ToString();
  EXPECT_GT(blocks->size(), 1u);
  std::vector<SpanId> from_blocks;
  for (const auto& b : *blocks) {
    ASSERT_TRUE(b->IsConsistent());
    from_blocks.insert(from_blocks.end(), b->span_id.begin(), b->span_id.end());
  }
  EXPECT_EQ(from_blocks, ScanIds(*part, SpanQuery()));
}

TEST(SpanPartTest, RejectsEmptyBatchAndTenantMismatch) {
  TempDir dir;
  EXPECT_EQ(WriteSpanPart(dir.File("empty"), SpanBatch{}, {}).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(dir.File("empty")));
  SpanBatch batch = testing::MakeTestSpans(2, 2);
  SpanPartMeta meta;
  meta.tenant = "other";
  EXPECT_EQ(WriteSpanPart(dir.File("t"), batch, meta).code(), StatusCode::kInvalidArgument);
  SpanBatch broken = testing::MakeTestSpans(2, 2);
  broken.name.pop_back();
  EXPECT_EQ(WriteSpanPart(dir.File("b"), broken, {}).code(), StatusCode::kInvalidArgument);
}

TEST(SpanPartTest, WriteFailsCleanlyOnMissingDirectory) {
  TempDir dir;
  Status st = WriteSpanPart(dir.File("nope/part"), testing::MakeTestSpans(2, 2), {});
  EXPECT_EQ(st.code(), StatusCode::kIOError);
}

TEST(SpanPartTest, OpenMissingFileIsNotFound) {
  TempDir dir;
  EXPECT_EQ(SpanPart::Open(dir.File("missing")).status().code(), StatusCode::kNotFound);
}

TEST(SpanPartTest, OperationsListsDistinctServiceNameKind) {
  TempDir dir;
  SpanBatch batch = testing::MakeTestSpans(200, 4);
  auto part = WriteAndOpen(dir.File("ops"), batch);
  ASSERT_NE(part, nullptr);
  std::set<OperationKey> want;
  for (size_t i = 0; i < batch.size(); ++i) {
    want.insert({batch.tags(i).service, batch.name[i], batch.kind[i]});
  }
  EXPECT_EQ(part->operations(), std::vector<OperationKey>(want.begin(), want.end()));
}

class SpanPartScanTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("scan_suite");
    batch_ = new SpanBatch(testing::MakeTestSpans(30000, 4, 5));
    part_ = WriteAndOpen(dir_->File("scan"), *batch_);
  }
  static void TearDownTestSuite() {
    part_.reset();
    delete batch_;
    delete dir_;
  }
  static TempDir* dir_;
  static SpanBatch* batch_;
  static std::shared_ptr<SpanPart> part_;
};
TempDir* SpanPartScanTest::dir_ = nullptr;
SpanBatch* SpanPartScanTest::batch_ = nullptr;
std::shared_ptr<SpanPart> SpanPartScanTest::part_;

TEST_F(SpanPartScanTest, FindsTraceById) {
  ASSERT_NE(part_, nullptr);
  for (size_t row : {0ul, 4ul, 77777ul, batch_->size() - 1}) {
    SpanQuery q;
    q.trace_id = batch_->trace_id[row];
    ExpectScanMatchesBruteForce(*part_, *batch_, q, 4);
  }
  SpanQuery missing;
  missing.trace_id = *TraceId::FromHex("0123456789abcdef0123456789abcdef");
  EXPECT_TRUE(ScanIds(*part_, missing).empty());
}

TEST_F(SpanPartScanTest, MayContainTraceHasNoFalseNegatives) {
  ASSERT_NE(part_, nullptr);
  for (const TraceId& id : batch_->trace_id) ASSERT_TRUE(part_->MayContainTrace(id));
  std::mt19937_64 rng(99);
  int false_positives = 0;
  for (int i = 0; i < 10000; ++i) {
    TraceId id;
    for (auto& b : id.bytes) b = static_cast<uint8_t>(rng());
    false_positives += part_->MayContainTrace(id);
  }
  EXPECT_LT(false_positives, 300);
}

TEST_F(SpanPartScanTest, FiltersByTimeRange) {
  ASSERT_NE(part_, nullptr);
  SpanQuery q;
  q.min_start_ns = batch_->start_ns[40000];
  q.max_start_ns = q.min_start_ns + 500'000'000;
  ExpectScanMatchesBruteForce(*part_, *batch_, q, 100);
  q.min_start_ns = part_->meta().max_start_ns + 1;
  q.max_start_ns = std::numeric_limits<int64_t>::max();
  EXPECT_TRUE(ScanIds(*part_, q).empty());
}

TEST_F(SpanPartScanTest, FiltersByServiceEnvAndName) {
  ASSERT_NE(part_, nullptr);
  SpanQuery q;
  q.service = "payment";
  ExpectScanMatchesBruteForce(*part_, *batch_, q, 100);
  q.service.clear();
  q.env = "staging";
  ExpectScanMatchesBruteForce(*part_, *batch_, q, 100);
  q.service = "cart";
  ExpectScanMatchesBruteForce(*part_, *batch_, q, 0);
  q = SpanQuery();
  q.name = "SELECT items";
  ExpectScanMatchesBruteForce(*part_, *batch_, q, 100);
  q.service = "no-such-service";
  EXPECT_TRUE(ScanIds(*part_, q).empty());
}

TEST_F(SpanPartScanTest, FiltersByDurationStatusAndKind) {
  ASSERT_NE(part_, nullptr);
  SpanQuery q;
  q.min_duration_ns = 4'000'000;
  ExpectScanMatchesBruteForce(*part_, *batch_, q, 100);
  q.max_duration_ns = 4'100'000;
  ExpectScanMatchesBruteForce(*part_, *batch_, q, 10);
  q = SpanQuery();
  q.status_code = StatusCodeValue::kError;
  ExpectScanMatchesBruteForce(*part_, *batch_, q, 100);
  q = SpanQuery();
  q.kind = SpanKind::kServer;
  ExpectScanMatchesBruteForce(*part_, *batch_, q, 100);
}

TEST_F(SpanPartScanTest, FiltersBySpanAndResourceAttributes) {
  ASSERT_NE(part_, nullptr);
  SpanQuery q;
  q.attributes = {{"http.response.status_code", "500"}};
  ExpectScanMatchesBruteForce(*part_, *batch_, q, 10);
  q.attributes = {{"retry", "true"}, {"ratio", "0.5"}};
  ExpectScanMatchesBruteForce(*part_, *batch_, q, 100);
  q.attributes = {{"host.name", "host-2"}};
  ExpectScanMatchesBruteForce(*part_, *batch_, q, 100);
  q.attributes = {{"user.id", batch_->attributes[0][3].value.str}};
  ExpectScanMatchesBruteForce(*part_, *batch_, q, 1);
}

TEST_F(SpanPartScanTest, OtherTenantSeesNothing) {
  ASSERT_NE(part_, nullptr);
  SpanQuery q;
  q.tenant = "someone-else";
  EXPECT_TRUE(ScanIds(*part_, q).empty());
}

TEST_F(SpanPartScanTest, VisitorCanStopEarly) {
  ASSERT_NE(part_, nullptr);
  int calls = 0;
  ASSERT_TRUE(
      part_->Scan(SpanQuery(), [&](const SpanBatch&, size_t) { return ++calls < 10; }).ok());
  EXPECT_EQ(calls, 10);
}

TEST_F(SpanPartScanTest, ConcurrentScansAgree) {
  ASSERT_NE(part_, nullptr);
  std::vector<size_t> counts(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < counts.size(); ++t) {
    threads.emplace_back([&, t] {
      SpanQuery q;
      q.kind = SpanKind::kClient;
      Status st = part_->Scan(q, [&](const SpanBatch&, size_t) {
        ++counts[t];
        return true;
      });
      EXPECT_TRUE(st.ok());
    });
  }
  for (auto& th : threads) th.join();
  for (size_t c : counts) EXPECT_EQ(c, 90000u);
}

}  // namespace
}  // namespace periscope

namespace periscope {
namespace {

TEST_F(SpanPartScanTest, TraceLookupVisitsOnlyThatTracesRows) {
  ASSERT_NE(part_, nullptr);
  std::map<SpanId, size_t> rows;
  for (size_t i = 0; i < batch_->size(); ++i) rows[batch_->span_id[i]] = i;
  for (size_t row : {0ul, 9ul, 55555ul, batch_->size() - 1}) {
    SpanQuery q;
    q.trace_id = batch_->trace_id[row];
    size_t seen = 0;
    ASSERT_TRUE(part_
                    ->Scan(q,
                           [&](const SpanBatch& b, size_t r) {
                             EXPECT_EQ(b.size(), 4u);  // the block decoded just this trace
                             EXPECT_TRUE(b.IsConsistent());
                             ExpectSameRow(*batch_, rows.at(b.span_id[r]), b, r);
                             ++seen;
                             return true;
                           })
                    .ok());
    EXPECT_EQ(seen, 4u);
  }
}

TEST_F(SpanPartScanTest, SummaryOnlyScanAgreesOnMatchesAndSummaryColumns) {
  ASSERT_NE(part_, nullptr);
  SpanQuery q;
  q.service = batch_->tags(0).service;
  q.attributes.push_back({"http.request.method", "GET"});
  std::vector<SpanId> full = ScanIds(*part_, q);
  SpanScanOptions options;
  options.summary_only = true;
  std::vector<SpanId> light;
  std::map<SpanId, size_t> rows;
  for (size_t i = 0; i < batch_->size(); ++i) rows[batch_->span_id[i]] = i;
  ASSERT_TRUE(part_
                  ->Scan(q, options,
                         [&](const SpanBatch& b, size_t r) {
                           const size_t want = rows.at(b.span_id[r]);
                           EXPECT_EQ(b.trace_id[r], batch_->trace_id[want]);
                           EXPECT_EQ(b.parent_span_id[r], batch_->parent_span_id[want]);
                           EXPECT_EQ(b.start_ns[r], batch_->start_ns[want]);
                           EXPECT_EQ(b.end_ns[r], batch_->end_ns[want]);
                           EXPECT_EQ(b.name[r], batch_->name[want]);
                           EXPECT_EQ(b.status_code[r], batch_->status_code[want]);
                           EXPECT_EQ(b.tags(r), batch_->tags(want));
                           EXPECT_TRUE(b.events[r].empty());
                           EXPECT_TRUE(b.status_message[r].empty());
                           light.push_back(b.span_id[r]);
                           return true;
                         })
                  .ok());
  EXPECT_FALSE(full.empty());
  EXPECT_EQ(light, full);
}

TEST_F(SpanPartScanTest, NewestFirstVisitsBlocksByDescendingTimeAndCanStop) {
  ASSERT_NE(part_, nullptr);
  SpanScanOptions options;
  options.newest_first = true;
  std::vector<int64_t> block_max;
  options.before_block = [&](int64_t t) {
    block_max.push_back(t);
    return true;
  };
  size_t seen = 0;
  ASSERT_TRUE(
      part_->Scan(SpanQuery(), options, [&](const SpanBatch&, size_t) { return ++seen, true; })
          .ok());
  EXPECT_EQ(seen, batch_->size());
  ASSERT_GT(block_max.size(), 2u);
  EXPECT_TRUE(std::is_sorted(block_max.rbegin(), block_max.rend()));
  EXPECT_EQ(block_max.front(), part_->meta().max_start_ns);

  size_t blocks = 0;
  options.before_block = [&](int64_t) { return ++blocks <= 2; };
  seen = 0;
  ASSERT_TRUE(
      part_->Scan(SpanQuery(), options, [&](const SpanBatch&, size_t) { return ++seen, true; })
          .ok());
  EXPECT_EQ(blocks, 3u);
  EXPECT_GT(seen, 0u);
  EXPECT_LT(seen, batch_->size());
}

}  // namespace
}  // namespace periscope
