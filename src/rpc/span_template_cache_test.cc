#include "rpc/span_template_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace periscope::rpc::internal {
namespace {

const trace::AttributeValue* Get(const SpanTemplate& t, std::string_view key) {
  return trace::FindAttribute(*t.attributes(), key);
}

TEST(SpanTemplateCacheTest, ServerAndClientTemplatesFollowTheRpcConventions) {
  SpanTemplateCache cache;
  const SpanTemplate& server = cache.Server("shop.Cart", "Add", "10.0.0.7:5123");
  EXPECT_EQ(server.name, "shop.Cart/Add");
  EXPECT_EQ(*server.attributes(), (trace::Attributes{{"rpc.system", "periscope"},
                                                     {"rpc.service", "shop.Cart"},
                                                     {"rpc.method", "Add"},
                                                     {"rpc.periscope.status_code", 0},
                                                     {"client.address", "10.0.0.7:5123"}}));
  EXPECT_EQ(Get(cache.Server("shop.Cart", "Add", ""), "client.address"), nullptr);

  const SpanTemplate& client = cache.Client("shop.Cart", "Add", "cart.internal", 7000);
  EXPECT_EQ(client.name, "shop.Cart/Add");
  EXPECT_EQ(*client.attributes(), (trace::Attributes{{"rpc.system", "periscope"},
                                                     {"rpc.service", "shop.Cart"},
                                                     {"rpc.method", "Add"},
                                                     {"rpc.periscope.status_code", 0},
                                                     {"server.address", "cart.internal"},
                                                     {"server.port", 7000}}));
  EXPECT_EQ(Get(cache.Client("shop.Cart", "Add", "/tmp/sock", 0), "server.port"), nullptr);
}

TEST(SpanTemplateCacheTest, TheSameCallSharesOneTemplateAndADifferentOneDoesNot) {
  SpanTemplateCache cache;
  auto first = cache.Server("s", "m", "peer-1").attributes();
  EXPECT_EQ(cache.Server("s", "m", "peer-1").attributes(), first);
  EXPECT_NE(cache.Server("s", "m", "peer-2").attributes(), first);
  EXPECT_NE(cache.Server("s", "m2", "peer-1").attributes(), first);
  EXPECT_NE(cache.Client("s", "m", "peer-1", 0).attributes(), first);
  EXPECT_EQ(cache.Server("s", "m", "peer-1").attributes(), first);
}

TEST(SpanTemplateCacheTest, PastItsBoundOldEntriesAreReplacedAndAnswersStayRight) {
  SpanTemplateCache cache;
  constexpr size_t kCalls = SpanTemplateCache::kMaxEntries * 3;
  for (size_t round = 0; round < 2; ++round) {
    for (size_t i = 0; i < kCalls; ++i) {
      const std::string method = "m" + std::to_string(i);
      const SpanTemplate& t = cache.Server("svc", method, "peer");
      ASSERT_EQ(t.name, "svc/" + method);
      ASSERT_EQ(*Get(t, "rpc.method"), trace::AttributeValue(method));
    }
  }
}

}  // namespace
}  // namespace periscope::rpc::internal
