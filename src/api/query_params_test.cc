#include "api/query_params.h"

#include <gtest/gtest.h>

#include "base/time.h"

namespace periscope {
namespace {

HttpRequest WithParams(std::initializer_list<std::pair<std::string, std::string>> params) {
  HttpRequest r;
  for (const auto& [k, v] : params) r.params.emplace(k, v);
  return r;
}

TEST(QueryParamsTest, ParsesEveryTraceSearchParameter) {
  auto q = ParseTraceSearch(WithParams({{"service", "cart"},
                                        {"operation", "GET /cart"},
                                        {"start", "2026-11-26T00:00:00Z"},
                                        {"end", "1795660000000000000"},
                                        {"min_duration", "250ms"},
                                        {"max_duration", "2000000000"},
                                        {"status", "error"},
                                        {"kind", "SPAN_KIND_SERVER"},
                                        {"attr", "http.route=/cart"},
                                        {"attr", "user.id=a=b"}}),
                            0);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->service, "cart");
  EXPECT_EQ(q->name, "GET /cart");
  EXPECT_EQ(q->min_start_ns, *ParseTimestamp("2026-11-26T00:00:00Z"));
  EXPECT_EQ(q->max_start_ns, 1795660000000000000);
  EXPECT_EQ(q->min_duration_ns, 250 * kNanosPerMilli);
  EXPECT_EQ(q->max_duration_ns, 2 * kNanosPerSecond);
  EXPECT_EQ(q->status_code, StatusCodeValue::kError);
  EXPECT_EQ(q->kind, SpanKind::kServer);
  ASSERT_EQ(q->attributes.size(), 2u);
  EXPECT_EQ(q->attributes[1].key, "user.id");
  EXPECT_EQ(q->attributes[1].value, "a=b");
}

TEST(QueryParamsTest, RejectsBadValuesWithTheParameterName) {
  struct Case {
    std::string key, value, mention;
  };
  for (const auto& c : std::vector<Case>{{"start", "yesterday", "start"},
                                         {"min_duration", "fast", "min_duration"},
                                         {"status", "broken", "status"},
                                         {"kind", "sideways", "kind"},
                                         {"attr", "novalue", "attr"}}) {
    auto q = ParseTraceSearch(WithParams({{c.key, c.value}}), NowNanos());
    ASSERT_FALSE(q.ok()) << c.key;
    EXPECT_NE(q.status().message().find(c.mention), std::string::npos) << q.status().message();
  }
  auto reversed = ParseTraceSearch(WithParams({{"start", "200"}, {"end", "100"}}), 0);
  EXPECT_FALSE(reversed.ok());
}

TEST(QueryParamsTest, LimitDefaultsAndCaps) {
  EXPECT_EQ(*ParseLimit(WithParams({}), 20, 1000), 20u);
  EXPECT_EQ(*ParseLimit(WithParams({{"limit", "5000"}}), 20, 1000), 1000u);
  EXPECT_FALSE(ParseLimit(WithParams({{"limit", "-1"}}), 20, 1000).ok());
}

}  // namespace
}  // namespace periscope
