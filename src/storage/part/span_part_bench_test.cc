// Measures the standard workload: bytes per span, write throughput and trace-by-id latency.
// PERISCOPE_PART_BENCH_TRACES sets the number of 4-span traces (default 250000 = 1M spans;
// 25000 under sanitizers).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "model/span_batch_testing.h"
#include "storage/part/part_test_util.h"
#include "storage/part/span_part.h"

namespace periscope {
namespace {

int BenchTraces() {
  if (const char* env = std::getenv("PERISCOPE_PART_BENCH_TRACES")) return std::atoi(env);
#if defined(__SANITIZE_ADDRESS__)
  return 25000;
#else
  return 250000;
#endif
}

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

TEST(SpanPartBenchTest, StandardWorkloadSizeWriteAndLookup) {
  part::testing::TempDir dir;
  const int traces = BenchTraces();
  SpanBatch batch = testing::MakeTestSpans(traces, 4);
  const size_t spans = batch.size();
  std::vector<TraceId> probes;
  for (int i = 0; i < 100; ++i) probes.push_back(batch.trace_id[(i * 7919u * 4) % spans]);

  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(WriteSpanPart(dir.File("bench"), std::move(batch), {}).ok());
  const double write_s = Seconds(std::chrono::steady_clock::now() - t0);
  auto part = SpanPart::Open(dir.File("bench"));
  ASSERT_TRUE(part.ok()) << part.status().ToString();

  std::vector<double> lookups;
  for (const TraceId& id : probes) {
    SpanQuery q;
    q.trace_id = id;
    size_t found = 0;
    auto s = std::chrono::steady_clock::now();
    ASSERT_TRUE((*part)->Scan(q, [&](const SpanBatch&, size_t) { return ++found, true; }).ok());
    lookups.push_back(Seconds(std::chrono::steady_clock::now() - s) * 1e3);
    ASSERT_EQ(found, 4u);
  }
  std::sort(lookups.begin(), lookups.end());

  auto s = std::chrono::steady_clock::now();
  size_t all = 0;
  ASSERT_TRUE(
      (*part)->Scan(SpanQuery(), [&](const SpanBatch&, size_t) { return ++all, true; }).ok());
  const double scan_s = Seconds(std::chrono::steady_clock::now() - s);
  ASSERT_EQ(all, spans);

  const double bytes_per_span = static_cast<double>((*part)->file_bytes()) / spans;
  std::printf("[part bench] spans=%zu file_bytes=%llu bytes_per_span=%.2f\n", spans,
              static_cast<unsigned long long>((*part)->file_bytes()), bytes_per_span);
  std::printf("[part bench] write %.2f s = %.0f spans/s; full scan %.2f s = %.0f spans/s\n",
              write_s, spans / write_s, scan_s, spans / scan_s);
  std::printf(
      "[part bench] trace-by-id over 100 lookups: median %.3f ms, p90 %.3f ms, max %.3f ms\n",
      lookups[50], lookups[90], lookups.back());
  EXPECT_LE(bytes_per_span, 60.0);
}

}  // namespace
}  // namespace periscope
