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

constexpr MethodNames kAdd{"shop.Cart", "Add"};
constexpr MethodNames kRemove{"shop.Cart", "Remove"};

TEST(SpanTemplateCacheTest, ATypedMethodFindsTheTemplateOfItsNamesOnItsConnection) {
  SpanTemplateCache cache;
  const SpanTemplate& add = cache.Client(TestTracer(), 1, kAdd, "cart.internal", 7000);
  EXPECT_EQ(add.name(), "shop.Cart/Add");
  // The template the names would find: the keyed entry shares it.
  EXPECT_EQ(add.attributes(),
            cache.Client(TestTracer(), "shop.Cart", "Add", "cart.internal", 7000).attributes());
  EXPECT_EQ(cache.Client(TestTracer(), 1, kAdd, "cart.internal", 7000).attributes(),
            add.attributes());
  EXPECT_EQ(cache.Client(TestTracer(), 1, kRemove, "cart.internal", 7000).name(),
            "shop.Cart/Remove");
  // Another connection: its own address.
  const SpanTemplate& elsewhere = cache.Client(TestTracer(), 2, kAdd, "cart-2.internal", 7001);
  EXPECT_EQ(*Get(elsewhere, "server.address"),
            trace::AttributeValue(std::string("cart-2.internal")));
  EXPECT_EQ(*Get(elsewhere, "server.port"), trace::AttributeValue(int64_t{7001}));
  EXPECT_EQ(*Get(cache.Client(TestTracer(), 1, kAdd, "cart.internal", 7000), "server.address"),
            trace::AttributeValue(std::string("cart.internal")));
}

TEST(SpanTemplateCacheTest, KeyedEntriesThatShareASlotReplaceEachOtherAndStayRight) {
  SpanTemplateCache cache;
  for (size_t round = 0; round < 2; ++round) {
    for (uint64_t connection = 1; connection <= 100; ++connection) {
      const std::string address = "host-" + std::to_string(connection);
      const MethodNames& names = connection % 2 == 0 ? kAdd : kRemove;
      const SpanTemplate& t = cache.Client(TestTracer(), connection, names, address, 80);
      ASSERT_EQ(t.name(), connection % 2 == 0 ? "shop.Cart/Add" : "shop.Cart/Remove");
      ASSERT_EQ(*Get(t, "server.address"), trace::AttributeValue(address));
    }
  }
}

}  // namespace
}  // namespace periscope::rpc::internal
