#include "query/metrics/promql_subset.h"

#include <gtest/gtest.h>

#include <cmath>

namespace periscope {
namespace {

PromQuery Parse(std::string_view text) {
  auto r = ParsePromQuery(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? *r : PromQuery{};
}

std::string ErrorOf(std::string_view text) {
  auto r = ParsePromQuery(text);
  EXPECT_FALSE(r.ok()) << text << " parsed";
  return r.ok() ? "" : r.status().message();
}

TEST(PromqlSubsetTest, ScalarArithmetic) {
  EXPECT_EQ(Parse("1+1").kind, PromQuery::Kind::kScalar);
  EXPECT_EQ(Parse("1+1").scalar, 2);
  EXPECT_EQ(Parse(" 2 * (3 - 1) / 4 ").scalar, 1);
  EXPECT_EQ(Parse("-2^2").scalar, -4);
  EXPECT_EQ(Parse("2^-1").scalar, 0.5);
  EXPECT_EQ(Parse("2^3^2").scalar, 512) << "^ is right-associative";
  EXPECT_EQ(Parse("7 % 4").scalar, 3);
  EXPECT_TRUE(std::isinf(Parse("Inf").scalar));
  EXPECT_TRUE(std::isnan(Parse("NaN").scalar));
}

TEST(PromqlSubsetTest, SelectorAndRate) {
  PromQuery p = Parse(R"(up{job="prometheus"})");
  EXPECT_EQ(p.kind, PromQuery::Kind::kSeries);
  EXPECT_EQ(p.query.matchers.size(), 2u);
  EXPECT_TRUE(p.query.fn.empty());
  p = Parse(R"(rate(http_requests_total{code=~"5.."}[90s]))");
  EXPECT_EQ(p.query.fn, "rate");
  EXPECT_EQ(p.query.window_ms, 90000);
  EXPECT_EQ(Parse("increase(x[1h])").query.fn, "increase");
}

TEST(PromqlSubsetTest, AggregationsWithByBeforeOrAfter) {
  for (std::string_view text :
       {"sum by (service, env) (rate(x[5m]))", "sum(rate(x[5m])) by (service,env)",
        "(sum by(service,env)(rate(x[5m])))"}) {
    PromQuery p = Parse(text);
    EXPECT_EQ(p.query.agg, "sum") << text;
    EXPECT_EQ(p.query.fn, "rate") << text;
    EXPECT_EQ(p.query.by, (std::vector<std::string>{"service", "env"})) << text;
  }
  EXPECT_EQ(Parse("count(up)").query.agg, "count");
  EXPECT_TRUE(Parse("max(up)").query.by.empty());
}

TEST(PromqlSubsetTest, HistogramQuantileDropsLeFromGrouping) {
  PromQuery p = Parse("histogram_quantile(0.95, sum by (le, service) (rate(lat_bucket[5m])))");
  EXPECT_EQ(p.kind, PromQuery::Kind::kHistogramQuantile);
  EXPECT_EQ(p.quantile, 0.95);
  EXPECT_EQ(p.query.by, std::vector<std::string>{"service"});
  EXPECT_EQ(p.query.window_ms, 300000);
  p = Parse("histogram_quantile(0.5,sum(rate(lat_bucket[1m]))by(le))");
  EXPECT_TRUE(p.query.by.empty());
}

TEST(PromqlSubsetTest, UnsupportedQueriesSayWhat) {
  EXPECT_NE(ErrorOf("topk(3, up)").find("'topk' is not supported"), std::string::npos);
  EXPECT_NE(ErrorOf("up > 0").find("operators between series"), std::string::npos);
  EXPECT_NE(ErrorOf("sum without (a) (up)").find("without"), std::string::npos);
  EXPECT_NE(ErrorOf("up[5m]").find("rate() or increase()"), std::string::npos);
  EXPECT_NE(ErrorOf("rate(up)").find("range selector"), std::string::npos);
  EXPECT_NE(ErrorOf("sum(sum(up))").find("nested"), std::string::npos);
  EXPECT_NE(ErrorOf("histogram_quantile(0.9, rate(x_bucket[5m]))").find("sum by (le"),
            std::string::npos);
  EXPECT_NE(ErrorOf("rate(up[5m] offset 1h)").find("offset"), std::string::npos);
  ErrorOf("");
  ErrorOf("sum(");
  ErrorOf("up{a=\"b\"");
  ErrorOf("rate(x[zz])");
  ErrorOf("1 +");
  ErrorOf(std::string(100000, '(') + "1" + std::string(100000, ')'));
  ErrorOf(std::string(100000, '-') + "1");
  EXPECT_EQ(Parse(std::string(100000, '(') + "up" + std::string(100000, ')')).query.matchers.size(),
            1u);
  ErrorOf("5m");
  EXPECT_EQ(Parse(std::string(200, '(') + "1" + std::string(200, ')')).scalar, 1);
}

}  // namespace
}  // namespace periscope
