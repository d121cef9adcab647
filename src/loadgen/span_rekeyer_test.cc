#include "loadgen/span_rekeyer.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "base/time.h"
#include "loadgen/send_slot.h"
#include "loadgen/standard_workload.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace periscope::loadgen {
namespace {

using ::opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;

constexpr int64_t kNow = 1'795'000'000'000'000'000;

TEST(SpanRekeyerTest, LocatesEveryIdAndTime) {
  std::string bytes = BuildStandardTraceRequest(1, 100, 4, kNow);
  auto offsets = LocateSpanFields(bytes);
  ASSERT_TRUE(offsets.ok()) << offsets.status().ToString();
  EXPECT_EQ(offsets->spans, 100u);
  EXPECT_EQ(offsets->trace_ids.size(), 100u);
  EXPECT_EQ(offsets->span_ids.size(), 100u + 75u);  // span ids + children's parent ids
  EXPECT_EQ(offsets->times.size(), 200u);
}

TEST(SpanRekeyerTest, RekeyKeepsLinksAndShiftsTimes) {
  std::string original = BuildStandardTraceRequest(2, 100, 1, kNow);
  auto offsets = LocateSpanFields(original);
  ASSERT_TRUE(offsets.ok());
  std::string bytes = original;
  RekeyParams params;
  params.trace_key.fill(0x5a);
  params.span_key.fill(0xa5);
  params.time_shift_ns = 3 * kNanosPerSecond;
  RekeySpans(bytes.data(), *offsets, params);
  ExportTraceServiceRequest before, after;
  ASSERT_TRUE(before.ParseFromString(original));
  ASSERT_TRUE(after.ParseFromString(bytes));
  const auto& a = before.resource_spans(0).scope_spans(0).spans();
  const auto& b = after.resource_spans(0).scope_spans(0).spans();
  ASSERT_EQ(a.size(), b.size());
  for (int i = 0; i < a.size(); ++i) {
    EXPECT_NE(a[i].trace_id(), b[i].trace_id());
    EXPECT_NE(a[i].span_id(), b[i].span_id());
    EXPECT_EQ(b[i].start_time_unix_nano(), a[i].start_time_unix_nano() + 3 * kNanosPerSecond);
    EXPECT_EQ(b[i].end_time_unix_nano(), a[i].end_time_unix_nano() + 3 * kNanosPerSecond);
    EXPECT_EQ(a[i].attributes_size(), b[i].attributes_size());
    if (i % 4 != 0) {
      EXPECT_EQ(b[i].trace_id(), b[i - i % 4].trace_id());
      EXPECT_EQ(b[i].parent_span_id(), b[i - i % 4].span_id());
    }
  }
}

TEST(SpanRekeyerTest, RejectsMalformedRequestsWithoutCrashing) {
  std::string bytes = BuildStandardTraceRequest(3, 20, 2, kNow);
  for (size_t cut : {bytes.size() - 1, bytes.size() / 2, size_t{3}}) {
    EXPECT_FALSE(LocateSpanFields(std::string_view(bytes).substr(0, cut)).ok()) << cut;
  }
  EXPECT_FALSE(LocateSpanFields("\x0b\x0c").ok());  // group wire types
  std::string garbage;
  uint64_t x = 12345;
  for (int round = 0; round < 2000; ++round) {
    garbage.clear();
    for (int i = 0; i < 64; ++i) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      garbage.push_back(static_cast<char>(x >> 56));
    }
    (void)LocateSpanFields(garbage);
  }
  EXPECT_TRUE(LocateSpanFields("").ok());
}

TEST(SendSlotTest, EachPrepareGivesDistinctIds) {
  std::string body = BuildStandardTraceRequest(4, 40, 0, kNow);
  auto offsets = LocateSpanFields(body);
  ASSERT_TRUE(offsets.ok());
  SendSlot slot("HEAD", body, *offsets, kNow, 9);
  std::set<std::string> trace_ids;
  for (int round = 0; round < 5; ++round) {
    slot.Prepare(kNow + round * kNanosPerSecond);
    EXPECT_EQ(slot.wire().substr(0, 4), "HEAD");
    ExportTraceServiceRequest request;
    ASSERT_TRUE(request.ParseFromArray(slot.body().data(), static_cast<int>(slot.body().size())));
    const auto& spans = request.resource_spans(0).scope_spans(0).spans();
    for (int i = 0; i < spans.size(); i += 4) {
      EXPECT_TRUE(trace_ids.insert(spans[i].trace_id()).second);
    }
    EXPECT_LE(spans[0].end_time_unix_nano(), static_cast<uint64_t>(kNow + round * kNanosPerSecond));
    EXPECT_GT(spans[0].end_time_unix_nano(),
              static_cast<uint64_t>(kNow + (round - 1) * kNanosPerSecond));
  }
  EXPECT_EQ(trace_ids.size(), 50u);
}

}  // namespace
}  // namespace periscope::loadgen
