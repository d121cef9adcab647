#include "query/logs/log_tail.h"

#include <gtest/gtest.h>

namespace periscope {
namespace {

LogBatch Rows(const std::string& tenant, const std::vector<std::pair<std::string, int>>& rows) {
  LogBatch b;
  b.tenant = tenant;
  Resource r;
  r.tags.service = "checkout";
  b.resources.push_back(r);
  b.scopes.emplace_back();
  for (const auto& [body, severity] : rows) {
    const size_t i = b.AddRow(0, 0);
    b.time_ns[i] = static_cast<int64_t>(i + 1);
    b.severity_number[i] = severity;
    b.body[i] = AnyValue::String(body);
  }
  return b;
}

TEST(LogTailHubTest, DeliversOnlyMatchingRowsOfTheTenantInOrder) {
  LogTailHub hub;
  auto query = ParseLogSearch("payment -retry");
  ASSERT_TRUE(query.ok()) << query.status().ToString();
  auto sub = hub.Subscribe("default", *query);
  ASSERT_NE(sub, nullptr);
  hub.Publish(Rows("default", {{"payment declined", 17}, {"cart ok", 9}, {"payment retry", 13}}));
  hub.Publish(Rows("other", {{"payment declined", 17}}));
  hub.Publish(Rows("default", {{"payment accepted", 9}}));
  LogBatch out;
  EXPECT_EQ(sub->Drain(&out), 0u);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out.body[0].str, "payment declined");
  EXPECT_EQ(out.body[1].str, "payment accepted");
  EXPECT_EQ(out.tags(0).service, "checkout");
  sub->Drain(&out);
  EXPECT_TRUE(out.empty());
}

TEST(LogTailHubTest, BoundsPendingRowsAndCountsDrops) {
  LogTailHub hub;
  auto sub = hub.Subscribe("default", *ParseLogSearch(""), /*max_pending=*/3);
  hub.Publish(Rows("default", {{"a", 9}, {"b", 9}, {"c", 9}, {"d", 9}, {"e", 9}}));
  LogBatch out;
  EXPECT_EQ(sub->Drain(&out), 2u);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out.body[2].str, "c");
  EXPECT_EQ(sub->Drain(&out), 0u);
}

TEST(LogTailHubTest, LimitsSubscriptionsAndForgetsReleasedOnes) {
  LogTailHub hub(/*max_subscriptions=*/2);
  auto a = hub.Subscribe("default", *ParseLogSearch(""));
  auto b = hub.Subscribe("default", *ParseLogSearch(""));
  EXPECT_EQ(hub.Subscribe("default", *ParseLogSearch("")), nullptr);
  b.reset();
  EXPECT_NE(hub.Subscribe("default", *ParseLogSearch("")), nullptr);
  a.reset();
  hub.Publish(Rows("default", {{"x", 9}}));
  EXPECT_EQ(hub.subscriptions(), 0u);
}

}  // namespace
}  // namespace periscope
