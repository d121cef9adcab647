#include "rpc/span_template_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace periscope::rpc::internal {
namespace {

const trace::Tracer& TestTracer() {
  static trace::TracerProvider provider{trace::TracerProviderOptions{}};
  static const trace::Tracer tracer = provider.GetTracer("test");
  return tracer;
}

const trace::AttributeValue* Get(const SpanTemplate& t, std::string_view key) {
  return trace::FindAttribute(*t.attributes(), key);
}

TEST(SpanTemplateCacheTest, ServerAndClientTemplatesFollowTheRpcConventions) {
  SpanTemplateCache cache;
  const SpanTemplate& server = cache.Server(TestTracer(), "shop.Cart", "Add", "10.0.0.7:5123");
  EXPECT_EQ(server.name(), "shop.Cart/Add");
  EXPECT_EQ(*server.attributes(), (trace::Attributes{{"rpc.system", "periscope"},
                                                     {"rpc.service", "shop.Cart"},
                                                     {"rpc.method", "Add"},
                                                     {"rpc.periscope.status_code", 0},
                                                     {"client.address", "10.0.0.7:5123"}}));
  EXPECT_EQ(Get(cache.Server(TestTracer(), "shop.Cart", "Add", ""), "client.address"), nullptr);

  const SpanTemplate& client =
      cache.Client(TestTracer(), "shop.Cart", "Add", "cart.internal", 7000);
  EXPECT_EQ(client.name(), "shop.Cart/Add");
  EXPECT_EQ(*client.attributes(), (trace::Attributes{{"rpc.system", "periscope"},
                                                     {"rpc.service", "shop.Cart"},
                                                     {"rpc.method", "Add"},
                                                     {"rpc.periscope.status_code", 0},
                                                     {"server.address", "cart.internal"},
                                                     {"server.port", 7000}}));
  EXPECT_EQ(Get(cache.Client(TestTracer(), "shop.Cart", "Add", "/tmp/sock", 0), "server.port"),
            nullptr);
}

TEST(SpanTemplateCacheTest, TheSameCallSharesOneTemplateAndADifferentOneDoesNot) {
  SpanTemplateCache cache;
  auto first = cache.Server(TestTracer(), "s", "m", "peer-1").attributes();
  EXPECT_EQ(cache.Server(TestTracer(), "s", "m", "peer-1").attributes(), first);
  EXPECT_NE(cache.Server(TestTracer(), "s", "m", "peer-2").attributes(), first);
  EXPECT_NE(cache.Server(TestTracer(), "s", "m2", "peer-1").attributes(), first);
  EXPECT_NE(cache.Client(TestTracer(), "s", "m", "peer-1", 0).attributes(), first);
  EXPECT_EQ(cache.Server(TestTracer(), "s", "m", "peer-1").attributes(), first);
}

TEST(SpanTemplateCacheTest, EachTracerHasItsOwnTemplates) {
  trace::TracerProvider provider{trace::TracerProviderOptions{}};
  const trace::Tracer other = provider.GetTracer("other");
  SpanTemplateCache cache;
  const SpanTemplate& mine = cache.Server(TestTracer(), "s", "m", "p");
  EXPECT_TRUE(mine.shape->MadeBy(TestTracer()));
  const SpanTemplate& theirs = cache.Server(other, "s", "m", "p");
  EXPECT_TRUE(theirs.shape->MadeBy(other));
  EXPECT_FALSE(theirs.shape->MadeBy(TestTracer()));
  EXPECT_EQ(theirs.name(), "s/m");
}

TEST(SpanTemplateCacheTest, PastItsBoundOldEntriesAreReplacedAndAnswersStayRight) {
  SpanTemplateCache cache;
  constexpr size_t kCalls = SpanTemplateCache::kMaxEntries * 3;
  for (size_t round = 0; round < 2; ++round) {
    for (size_t i = 0; i < kCalls; ++i) {
      const std::string method = "m" + std::to_string(i);
      const SpanTemplate& t = cache.Server(TestTracer(), "svc", method, "peer");
      ASSERT_EQ(t.name(), "svc/" + method);
      ASSERT_EQ(*Get(t, "rpc.method"), trace::AttributeValue(method));
    }
  }
}

}  // namespace
}  // namespace periscope::rpc::internal
