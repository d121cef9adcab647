#include "loadgen/standard_workload.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <string>

#include "base/time.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace periscope::loadgen {
namespace {

using ::opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;
using ::opentelemetry::proto::trace::v1::Span;

constexpr int64_t kNow = 1'795'000'000'000'000'000;

std::string StringAttr(
    const google::protobuf::RepeatedPtrField< ::opentelemetry::proto::common::v1::KeyValue>& attrs,
    const std::string& key) {
  for (const auto& kv : attrs) {
    if (kv.key() == key) return kv.value().string_value();
  }
  return "";
}

int64_t IntAttr(
    const google::protobuf::RepeatedPtrField< ::opentelemetry::proto::common::v1::KeyValue>& attrs,
    const std::string& key) {
  for (const auto& kv : attrs) {
    if (kv.key() == key) return kv.value().int_value();
  }
  return -1;
}

TEST(StandardWorkloadTest, HasTheBenchmarkShape) {
  std::string bytes = BuildStandardTraceRequest(7, 1000, 4, kNow);
  ExportTraceServiceRequest request;
  ASSERT_TRUE(request.ParseFromString(bytes));
  ASSERT_EQ(request.resource_spans_size(), 1);
  const auto& rs = request.resource_spans(0);
  for (const char* key :
       {"service.name", "service.version", "deployment.environment.name", "host.name"}) {
    EXPECT_FALSE(StringAttr(rs.resource().attributes(), key).empty()) << key;
  }
  ASSERT_EQ(rs.scope_spans_size(), 1);
  const auto& spans = rs.scope_spans(0).spans();
  ASSERT_EQ(spans.size(), 1000);
  std::set<std::string> trace_ids, span_ids;
  for (int i = 0; i < spans.size(); i += 4) {
    const Span& root = spans[i];
    EXPECT_EQ(root.kind(), Span::SPAN_KIND_SERVER);
    EXPECT_EQ(root.name(), "GET /api/item/{id}");
    EXPECT_TRUE(root.parent_span_id().empty());
    EXPECT_EQ(StringAttr(root.attributes(), "http.request.method"), "GET");
    EXPECT_EQ(StringAttr(root.attributes(), "http.route"), "/api/item/{id}");
    EXPECT_FALSE(StringAttr(root.attributes(), "user.id").empty());
    int64_t code = IntAttr(root.attributes(), "http.response.status_code");
    EXPECT_TRUE(code == 200 || code == 500) << code;
    ASSERT_EQ(root.trace_id().size(), 16u);
    EXPECT_TRUE(trace_ids.insert(root.trace_id()).second);
    for (int c = 1; c <= 3; ++c) {
      const Span& child = spans[i + c];
      EXPECT_EQ(child.kind(), Span::SPAN_KIND_CLIENT);
      EXPECT_EQ(child.trace_id(), root.trace_id());
      EXPECT_EQ(child.parent_span_id(), root.span_id());
      EXPECT_GE(child.start_time_unix_nano(), root.start_time_unix_nano());
      EXPECT_LE(child.end_time_unix_nano(), root.end_time_unix_nano());
    }
    EXPECT_EQ(StringAttr(spans[i + 1].attributes(), "db.system"), "postgresql");
    EXPECT_EQ(StringAttr(spans[i + 2].attributes(), "peer.service"), "inventory");
    EXPECT_EQ(StringAttr(spans[i + 3].attributes(), "peer.service"), "pricing");
  }
  for (const Span& s : spans) {
    ASSERT_EQ(s.span_id().size(), 8u);
    EXPECT_TRUE(span_ids.insert(s.span_id()).second);
    EXPECT_LT(s.start_time_unix_nano(), s.end_time_unix_nano());
    EXPECT_LE(s.end_time_unix_nano(), static_cast<uint64_t>(kNow));
    EXPECT_GT(s.start_time_unix_nano(), static_cast<uint64_t>(kNow - 2 * kNanosPerSecond));
  }
  double per_span = static_cast<double>(bytes.size()) / 1000.0;
  std::printf("standard workload: %zu bytes for 1000 spans = %.1f bytes/span (4 extra attrs)\n",
              bytes.size(), per_span);
  for (int extra : {0, 8}) {
    std::printf(
        "  with %d extra attributes: %.1f bytes/span\n", extra,
        static_cast<double>(BuildStandardTraceRequest(7, 1000, extra, kNow).size()) / 1000.0);
  }
  EXPECT_GT(per_span, 160);
  EXPECT_LT(per_span, 200);
}

TEST(StandardWorkloadTest, IsDeterministicPerSeed) {
  EXPECT_EQ(BuildStandardTraceRequest(3, 100, 4, kNow), BuildStandardTraceRequest(3, 100, 4, kNow));
  EXPECT_NE(BuildStandardTraceRequest(3, 100, 4, kNow), BuildStandardTraceRequest(4, 100, 4, kNow));
}

TEST(StandardWorkloadTest, AboutTwoPercentOfRequestsFail) {
  ExportTraceServiceRequest request;
  ASSERT_TRUE(request.ParseFromString(BuildStandardTraceRequest(1, 40'000, 0, kNow)));
  int roots = 0, errors = 0;
  for (const Span& s : request.resource_spans(0).scope_spans(0).spans()) {
    if (s.kind() != Span::SPAN_KIND_SERVER) continue;
    ++roots;
    if (IntAttr(s.attributes(), "http.response.status_code") == 500) {
      ++errors;
      EXPECT_EQ(s.status().code(), ::opentelemetry::proto::trace::v1::Status::STATUS_CODE_ERROR);
    }
  }
  EXPECT_EQ(roots, 10'000);
  EXPECT_GT(errors, 100);
  EXPECT_LT(errors, 350);
}

TEST(StandardWorkloadTest, HandlesSpanCountsNotMultipleOfFour) {
  for (int n : {0, 1, 5, 7}) {
    ExportTraceServiceRequest request;
    ASSERT_TRUE(request.ParseFromString(BuildStandardTraceRequest(1, n, 2, kNow)));
    EXPECT_EQ(request.resource_spans(0).scope_spans(0).spans_size(), n);
  }
}

TEST(StandardWorkloadTest, BuildRate) {
  int64_t start = MonotonicNanos();
  size_t bytes = 0;
  constexpr int kRequests = 50;
  for (int i = 0; i < kRequests; ++i) {
    bytes += BuildStandardTraceRequest(static_cast<uint64_t>(i), 1000, 4, kNow).size();
  }
  double seconds = static_cast<double>(MonotonicNanos() - start) / 1e9;
  std::printf("built %d requests x 1000 spans in %.3f s: %.0f spans/s, %.1f MB/s\n", kRequests,
              seconds, kRequests * 1000 / seconds, static_cast<double>(bytes) / seconds / 1e6);
  EXPECT_GT(bytes, 0u);
}

}  // namespace
}  // namespace periscope::loadgen
