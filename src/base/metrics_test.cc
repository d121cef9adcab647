#include "base/metrics.h"

#include <gtest/gtest.h>

namespace periscope {

TEST(MetricsRegistryTest, RendersCountersGaugesAndHistograms) {
  MetricsRegistry registry;
  registry.NewCounter("test_spans_total", "Spans.")->Add(3);
  registry.NewGauge("test_parts", "Parts.", [] { return 7.0; });
  Histogram* h = registry.NewHistogram("test_flush_seconds", "Flush.", {0.1, 1});
  h->Observe(0.05);
  h->Observe(0.5);
  h->Observe(5);
  std::string text = registry.RenderPrometheus();
  EXPECT_NE(text.find("# TYPE test_spans_total counter\ntest_spans_total 3\n"), std::string::npos);
  EXPECT_NE(text.find("test_parts 7\n"), std::string::npos);
  EXPECT_NE(text.find("test_flush_seconds_bucket{le=\"0.1\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("test_flush_seconds_bucket{le=\"1\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("test_flush_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("test_flush_seconds_count 3\n"), std::string::npos);
}

TEST(MetricsRegistryTest, ScopedGaugesAreGoneWithTheirOwner) {
  {
    ScopedGauges gauges;
    gauges.Add("test_scoped_gauge", "Scoped.", [] { return 11.0; });
    EXPECT_NE(MetricsRegistry::Global().RenderPrometheus().find("test_scoped_gauge 11\n"),
              std::string::npos);
  }
  EXPECT_EQ(MetricsRegistry::Global().RenderPrometheus().find("test_scoped_gauge"),
            std::string::npos);
}

}  // namespace periscope
