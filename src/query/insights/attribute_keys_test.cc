#include "query/insights/attribute_keys.h"

#include <gtest/gtest.h>

#include "query/insights/insights_testing.h"
#include "query/trace_queries.h"

namespace periscope {
namespace {

using insights_testing::AddSpan;
using insights_testing::TempDir;

constexpr int64_t kT0 = 1'795'000'000'000'000'000;

std::unique_ptr<SpanTable> TableWithSpans(const std::string& dir) {
  SpanTableOptions o;
  o.dir = dir;
  auto table = std::move(SpanTable::Open(o)).value();
  SpanBatch b;
  for (int i = 0; i < 5; ++i) {
    Attributes attrs = {{"http.route", AnyValue::String("/a")}};
    if (i < 2) attrs.push_back({"db.system", AnyValue::String("postgresql")});
    if (i == 4) attrs.push_back({"service.version", AnyValue::String("span-level")});
    AddSpan(b, i < 4 ? "checkout" : "cart", "prod", "1.0", "GET /a", SpanKind::kServer, kT0 + i,
            1'000'000, StatusCodeValue::kOk, std::move(attrs));
  }
  table->Insert(1, b);
  return table;
}

SpanQuery Range() {
  SpanQuery q;
  q.min_start_ns = kT0;
  q.max_start_ns = kT0 + 100;
  return q;
}

TEST(SpanAttributeKeysTest, CountsSpanAndResourceKeysByFrequency) {
  TempDir dir;
  auto table = TableWithSpans(dir.path());
  TraceQueries traces(*table);
  auto k = CountSpanAttributeKeys(traces, Range(), SpanSearch::Parse("").value());
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_EQ(k->total_spans, 5u);
  EXPECT_FALSE(k->sampled);
  // Resource keys (service.name, deployment.environment, service.version) on all 5 spans, then
  // http.route (5), db.system (2) and the span-level service.version (1).
  ASSERT_EQ(k->keys.size(), 6u);
  EXPECT_EQ(k->keys[0].key, "deployment.environment");
  EXPECT_TRUE(k->keys[0].resource);
  EXPECT_EQ(k->keys[0].count, 5u);
  EXPECT_EQ(k->keys[1].key, "http.route");
  EXPECT_FALSE(k->keys[1].resource);
  EXPECT_EQ(k->keys[3].key, "service.version");
  EXPECT_TRUE(k->keys[3].resource);
  EXPECT_EQ(k->keys[4].key, "db.system");
  EXPECT_EQ(k->keys[4].count, 2u);
  EXPECT_EQ(k->keys[5].key, "service.version");
  EXPECT_FALSE(k->keys[5].resource);
  EXPECT_EQ(k->keys[5].count, 1u);
}

TEST(SpanAttributeKeysTest, OnlyMatchingSpansAndBoundedByLimitAndRows) {
  TempDir dir;
  auto table = TableWithSpans(dir.path());
  TraceQueries traces(*table);
  auto cart = CountSpanAttributeKeys(traces, Range(), SpanSearch::Parse("service:cart").value());
  ASSERT_TRUE(cart.ok()) << cart.status().ToString();
  EXPECT_EQ(cart->total_spans, 1u);
  for (const auto& key : cart->keys) EXPECT_NE(key.key, "db.system");

  auto top = CountSpanAttributeKeys(traces, Range(), SpanSearch::Parse("").value(), 2, 3);
  ASSERT_TRUE(top.ok()) << top.status().ToString();
  EXPECT_EQ(top->total_spans, 3u);
  EXPECT_TRUE(top->sampled);
  ASSERT_EQ(top->keys.size(), 2u);
  EXPECT_EQ(top->keys[0].count, 3u);
}

}  // namespace
}  // namespace periscope
