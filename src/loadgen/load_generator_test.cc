#include "loadgen/load_generator.h"

#include <gtest/gtest.h>
#include <time.h>

#include <cstdio>
#include <set>
#include <string>

#include "loadgen/otlp_sink_testing.h"

namespace periscope::loadgen {
namespace {

using testing::OtlpTestSink;

LoadOptions Options(const std::string& protocol, const OtlpTestSink& sink) {
  LoadOptions o;
  o.protocol = protocol;
  o.target = protocol == "grpc" ? sink.grpc_target() : sink.http_target();
  o.spans_per_request = 100;
  o.connections = 3;
  o.total_spans = 5'000;
  o.duration_seconds = 20;
  return o;
}

class LoadGeneratorProtocolTest : public ::testing::TestWithParam<std::string> {};

TEST_P(LoadGeneratorProtocolTest, DeliversDistinctSpansAndCountsAcks) {
  OtlpTestSink sink({.keep_requests = true});
  auto report = RunLoad(Options(GetParam(), sink));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  std::printf("%s: %s\n", GetParam().c_str(), report->ToString().c_str());
  EXPECT_GE(report->spans_acked, 5'000u);
  EXPECT_LT(report->spans_acked, 5'000u + 3 * 100);
  EXPECT_EQ(report->requests_failed, 0u);
  EXPECT_EQ(report->spans_acked, report->requests_ok * 100);
  uint64_t received = GetParam() == "grpc" ? sink.grpc_spans() : sink.http_spans();
  EXPECT_EQ(received, report->spans_acked);
  EXPECT_EQ(sink.http_bad_requests(), 0u);
  std::set<std::string> trace_ids;
  size_t roots = 0;
  for (const auto& request : sink.requests()) {
    for (const auto& span : request.resource_spans(0).scope_spans(0).spans()) {
      if (span.parent_span_id().empty()) {
        ++roots;
        trace_ids.insert(span.trace_id());
      }
    }
  }
  EXPECT_EQ(roots, report->spans_acked / 4);
  EXPECT_EQ(trace_ids.size(), roots);  // every send got fresh ids
  EXPECT_GT(report->p99_ms, 0);
  EXPECT_GE(report->p99_ms, report->p50_ms);
}

TEST_P(LoadGeneratorProtocolTest, PartialSuccessReducesAckedSpans) {
  OtlpTestSink sink({.rejected_per_request = 10});
  LoadOptions o = Options(GetParam(), sink);
  o.total_spans = 1'000;
  auto report = RunLoad(o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->spans_acked, report->requests_ok * 90);
  EXPECT_GE(report->spans_acked, 1'000u);
}

TEST_P(LoadGeneratorProtocolTest, PacesToTheRequestedRate) {
  OtlpTestSink sink;
  LoadOptions o = Options(GetParam(), sink);
  o.total_spans = 0;
  o.duration_seconds = 1.0;
  o.spans_per_second = 2'000;  // 20 requests of 100 spans in one second
  auto report = RunLoad(o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_GE(report->requests_ok, 15u);
  EXPECT_LE(report->requests_ok, 21u);
}

TEST_P(LoadGeneratorProtocolTest, FailsWhenNothingListens) {
  uint16_t port;
  {
    OtlpTestSink sink;  // a port that was free a moment ago and is closed now
    std::string t = GetParam() == "grpc" ? sink.grpc_target() : sink.http_target();
    port = static_cast<uint16_t>(std::stoi(t.substr(t.rfind(':') + 1)));
  }
  LoadOptions o;
  o.protocol = GetParam();
  o.target = "127.0.0.1:" + std::to_string(port);
  o.duration_seconds = 0.3;
  o.spans_per_request = 10;
  auto report = RunLoad(o);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kUnavailable);
}

TEST_P(LoadGeneratorProtocolTest, InProcessSendRate) {
  OtlpTestSink sink({.parse = false});
  LoadOptions o;
  o.protocol = GetParam();
  o.target = GetParam() == "grpc" ? sink.grpc_target() : sink.http_target();
  o.duration_seconds = 1.5;
  timespec cpu0, cpu1;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu0);
  auto report = RunLoad(o);
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu1);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  double cpu = static_cast<double>(cpu1.tv_sec - cpu0.tv_sec) +
               static_cast<double>(cpu1.tv_nsec - cpu0.tv_nsec) / 1e9;
  // For http every sending step runs on this thread; gRPC also works on its own threads.
  std::printf(
      "in-process %s send rate (1000 spans/request, 4 connections): %s; calling thread "
      "CPU %.2f s = %.0f spans per CPU-second\n",
      GetParam().c_str(), report->ToString().c_str(), cpu,
      static_cast<double>(report->spans_acked) / cpu);
  EXPECT_GT(report->spans_acked, 0u);
}

INSTANTIATE_TEST_SUITE_P(Protocols, LoadGeneratorProtocolTest, ::testing::Values("grpc", "http"),
                         [](const auto& info) { return info.param; });

TEST(LoadGeneratorTest, RejectsBadOptions) {
  LoadOptions o;
  o.protocol = "udp";
  EXPECT_EQ(RunLoad(o).status().code(), StatusCode::kInvalidArgument);
  o = LoadOptions();
  o.spans_per_request = 0;
  EXPECT_EQ(RunLoad(o).status().code(), StatusCode::kInvalidArgument);
  o = LoadOptions();
  o.duration_seconds = 0;
  EXPECT_EQ(RunLoad(o).status().code(), StatusCode::kInvalidArgument);
  o = LoadOptions();
  o.target = "localhost";
  EXPECT_EQ(RunLoad(o).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace periscope::loadgen
