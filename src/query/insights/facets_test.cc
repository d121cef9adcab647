#include "query/insights/facets.h"

#include <gtest/gtest.h>

#include "query/insights/insights_testing.h"
#include "query/trace_queries.h"

namespace periscope {
namespace {

using insights_testing::AddLog;
using insights_testing::AddSpan;
using insights_testing::TempDir;

TEST(FacetCounterTest, KeepsTopValuesByCountThenValueAndBoundsMemory) {
  FacetCounter c({"a"}, 3);
  for (const char* v : {"x", "y", "y", "z", "z", "", "w", "w", "w"}) c.Add(0, v);
  auto top = c.Top(0, 2);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].value, "y");  // "w" arrived after three distinct values were tracked
  EXPECT_EQ(top[0].count, 2u);
  EXPECT_EQ(top[1].value, "z");
  EXPECT_EQ(c.Top(0, 10).size(), 3u);
}

TEST(SpanFacetsTest, CountsValuesAndDurationsOfMatchingSpans) {
  TempDir dir;
  SpanTableOptions o;
  o.dir = dir.path();
  auto table = std::move(SpanTable::Open(o)).value();
  SpanBatch b;
  const int64_t t0 = 1'795'000'000'000'000'000;
  for (int i = 0; i < 6; ++i) {
    AddSpan(b, i < 4 ? "checkout" : "cart", "prod", "1.0", i % 2 ? "GET /a" : "POST /b",
            SpanKind::kServer, t0 + i, (i + 1) * 1'500'000,
            i == 0 ? StatusCodeValue::kError : StatusCodeValue::kOk,
            {{"http.route", AnyValue::String(i % 2 ? "/a" : "/b")}});
  }
  table->Insert(1, b);
  TraceQueries traces(*table);
  SpanQuery q;
  q.min_start_ns = t0;
  q.max_start_ns = t0 + 100;
  auto f = CountSpanFacets(traces, q, SpanSearch::Parse("-service:cart").value(),
                           {"service", "status", "http.route", "kind"});
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->total_spans, 4u);
  EXPECT_FALSE(f->sampled);
  ASSERT_EQ(f->facets.size(), 4u);
  EXPECT_EQ(f->facets[0].first, "service");
  ASSERT_EQ(f->facets[0].second.size(), 1u);
  EXPECT_EQ(f->facets[0].second[0].count, 4u);
  EXPECT_EQ(f->facets[1].second[0].value, "ok");
  EXPECT_EQ(f->facets[1].second[0].count, 3u);
  EXPECT_EQ(f->facets[1].second[1].value, "error");
  EXPECT_EQ(f->facets[2].second.size(), 2u);
  EXPECT_EQ(f->facets[3].second[0].value, "server");
  // Durations 1.5, 3, 4.5, 6 ms: buckets (1,2], (2,5], (2,5], (5,10].
  const auto& bounds = FacetDurationBucketsMs();
  ASSERT_EQ(f->duration_counts.size(), bounds.size() + 1);
  EXPECT_EQ(f->duration_counts[1], 1u);
  EXPECT_EQ(f->duration_counts[2], 2u);
  EXPECT_EQ(f->duration_counts[3], 1u);
  auto capped = CountSpanFacets(traces, q, SpanSearch(), {"service"}, 20, 3);
  ASSERT_TRUE(capped.ok());
  EXPECT_EQ(capped->total_spans, 3u);
  EXPECT_TRUE(capped->sampled);
}

TEST(LogFacetsTest, CountsLevelsServicesAndAttributesOfMatchingLogs) {
  TempDir dir;
  LogTableOptions o;
  o.dir = dir.path();
  auto table = std::move(LogTable::Open(o)).value();
  LogBatch b;
  const int64_t t0 = 1'795'000'000'000'000'000;
  AddLog(b, "api", "prod", t0, 17, "payment failed", {{"code", AnyValue::Int(500)}});
  AddLog(b, "api", "prod", t0 + 1, 9, "ok", {{"code", AnyValue::Int(200)}});
  AddLog(b, "api", "prod", t0 + 2, 17, "payment failed again", {{"code", AnyValue::Int(500)}});
  AddLog(b, "web", "staging", t0 + 3, 13, "slow payment");
  table->Insert(1, b);
  LogSearchRequest r;
  r.start_ns = t0;
  r.end_ns = t0 + 100;
  r.query = ParseLogSearch("payment").value();
  auto f = CountLogFacets(*table, r, {"level", "service", "@code", "env"});
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->total, 3u);
  ASSERT_EQ(f->facets.size(), 4u);
  EXPECT_EQ(f->facets[0].second[0].value, "error");
  EXPECT_EQ(f->facets[0].second[0].count, 2u);
  EXPECT_EQ(f->facets[0].second[1].value, "warn");
  EXPECT_EQ(f->facets[1].second[0].value, "api");
  ASSERT_EQ(f->facets[2].second.size(), 1u);  // the web row has no code
  EXPECT_EQ(f->facets[2].second[0].value, "500");
  EXPECT_EQ(f->facets[3].second[1].value, "staging");
}

}  // namespace
}  // namespace periscope
