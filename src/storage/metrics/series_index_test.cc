#include "storage/metrics/series_index.h"

#include <gtest/gtest.h>

#include "model/metric_labels.h"

namespace periscope {
namespace {

LabelMatcher M(std::string name, MatchOp op, std::string value) {
  auto m = LabelMatcher::Make(std::move(name), op, std::move(value));
  EXPECT_TRUE(m.ok());
  return *m;
}

class SeriesIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* svc : {"checkout", "cart", "payment"}) {
      for (const char* code : {"200", "500"}) {
        Labels l = {{"__name__", "http_requests_total"}, {"service", svc}, {"code", code}};
        NormalizeLabels(l);
        index_.Add(SeriesIdOf(l), l, MetricKind::kCounter);
      }
    }
    Labels up = {{"__name__", "up"}, {"job", "node"}};
    index_.Add(SeriesIdOf(up), up, MetricKind::kGauge);
  }
  size_t Count(std::vector<LabelMatcher> ms) { return index_.Select(ms).cardinality(); }
  SeriesIndex index_;
};

TEST_F(SeriesIndexTest, AddIsIdempotent) {
  Labels up = {{"__name__", "up"}, {"job", "node"}};
  EXPECT_EQ(index_.Add(SeriesIdOf(up), up, MetricKind::kGauge), 6u);
  EXPECT_EQ(index_.size(), 7u);
}

TEST_F(SeriesIndexTest, SelectsByEveryMatcherKind) {
  EXPECT_EQ(Count({}), 7u);
  EXPECT_EQ(Count({M("__name__", MatchOp::kEqual, "http_requests_total")}), 6u);
  EXPECT_EQ(Count({M("__name__", MatchOp::kEqual, "http_requests_total"),
                   M("service", MatchOp::kEqual, "cart")}),
            2u);
  EXPECT_EQ(Count({M("service", MatchOp::kNotEqual, "cart")}), 5u);  // `up` has no service
  EXPECT_EQ(Count({M("service", MatchOp::kRegex, "c.*")}), 4u);
  EXPECT_EQ(Count({M("service", MatchOp::kRegex, "art")}), 0u);  // anchored
  EXPECT_EQ(Count({M("__name__", MatchOp::kEqual, "http_requests_total"),
                   M("code", MatchOp::kNotRegex, "5..")}),
            3u);
  EXPECT_EQ(Count({M("service", MatchOp::kEqual, "")}), 1u);  // absent label
  EXPECT_EQ(Count({M("service", MatchOp::kEqual, "nope")}), 0u);
  EXPECT_EQ(Count({M("nolabel", MatchOp::kEqual, "x")}), 0u);
}

TEST_F(SeriesIndexTest, ListsLabelNamesAndValues) {
  EXPECT_EQ(index_.LabelNames(nullptr),
            (std::vector<std::string>{"__name__", "code", "job", "service"}));
  auto up = index_.Select({M("__name__", MatchOp::kEqual, "up")});
  EXPECT_EQ(index_.LabelNames(&up), (std::vector<std::string>{"__name__", "job"}));
  EXPECT_EQ(index_.LabelValues("service", nullptr),
            (std::vector<std::string>{"cart", "checkout", "payment"}));
}

TEST(LabelMatcherTest, RejectsBadRegexAndEmptyName) {
  EXPECT_EQ(LabelMatcher::Make("a", MatchOp::kRegex, "(").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE(LabelMatcher::Make("", MatchOp::kEqual, "x").ok());
}

}  // namespace
}  // namespace periscope
