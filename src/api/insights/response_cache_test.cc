#include "api/insights/response_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace periscope {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

HttpRequest Get(std::string path, std::multimap<std::string, std::string> params) {
  HttpRequest r;
  r.method = "GET";
  r.path = std::move(path);
  r.params = std::move(params);
  return r;
}

struct Counting {
  int calls = 0;
  int status = 200;
  HttpHandler Handler() {
    return [this](HttpRequest&) {
      ++calls;
      return HttpResponse::Json("{\"n\":" + std::to_string(calls) + "}", status);
    };
  }
};

ResponseCache::Options At(int64_t* now) {
  ResponseCache::Options o;
  o.clock = [now] { return *now; };
  return o;
}

TEST(ResponseCacheTest, ReusesAnAnswerWithinTheTtlAndBucket) {
  int64_t now = 1000 * kSecond;
  auto cache = std::make_shared<ResponseCache>(At(&now));
  Counting c;
  HttpHandler h = CachedHandler(cache, c.Handler());
  HttpRequest a = Get("/api/services/overview",
                      {{"start", "2026-01-01T10:00:01Z"}, {"end", "2026-01-01T11:00:01Z"}});
  HttpRequest b = Get("/api/services/overview",
                      {{"start", "2026-01-01T10:00:04Z"}, {"end", "2026-01-01T11:00:04Z"}});
  EXPECT_EQ(h(a).body, "{\"n\":1}");
  now += 4 * kSecond;
  EXPECT_EQ(h(b).body, "{\"n\":1}");
  EXPECT_EQ(c.calls, 1);
  now += 1 * kSecond;  // the TTL (5 s) is over
  EXPECT_EQ(h(b).body, "{\"n\":2}");
}

TEST(ResponseCacheTest, KeysTellRequestsApart) {
  int64_t now = 0;
  auto cache = std::make_shared<ResponseCache>(At(&now));
  Counting c;
  HttpHandler h = CachedHandler(cache, c.Handler());
  HttpRequest base = Get("/api/logs/facets", {{"start", "1767261600"}, {"end", "1767265200"}});
  HttpRequest env = base;
  env.params.emplace("env", "prod");
  HttpRequest later = Get("/api/logs/facets", {{"start", "1767261605"}, {"end", "1767265205"}});
  HttpRequest tenant = base;
  tenant.headers["x-scope-orgid"] = "other";
  HttpRequest path = base;
  path.path = "/api/service-map";
  for (HttpRequest* r : {&base, &env, &later, &tenant, &path}) h(*r);
  EXPECT_EQ(c.calls, 5);
  h(base);
  EXPECT_EQ(c.calls, 5);
}

TEST(ResponseCacheTest, KeepsOnlyCompleteSuccessfulAnswers) {
  int64_t now = 0;
  auto cache = std::make_shared<ResponseCache>(At(&now));
  Counting c;
  c.status = 400;
  HttpHandler h = CachedHandler(cache, c.Handler());
  HttpRequest r = Get("/api/services/overview", {});
  h(r);
  h(r);
  EXPECT_EQ(c.calls, 2);
  EXPECT_EQ(cache->size(), 0u);
  HttpResponse streamed;
  streamed.stream = [](std::string*) { return false; };
  cache->Put("k", streamed);
  EXPECT_EQ(cache->size(), 0u);
}

TEST(ResponseCacheTest, BadTimesAndOtherMethodsAreNotCached) {
  ResponseCache cache;
  EXPECT_FALSE(cache.KeyOf(Get("/api/logs/histogram", {{"start", "yesterday"}})).has_value());
  HttpRequest post = Get("/api/logs/histogram", {});
  post.method = "POST";
  EXPECT_FALSE(cache.KeyOf(post).has_value());
  EXPECT_TRUE(cache.KeyOf(Get("/api/logs/histogram", {{"start", "1767261600000"}})).has_value());
}

TEST(ResponseCacheTest, DropsTheLeastRecentlyUsedBeyondMaxEntries) {
  int64_t now = 0;
  ResponseCache::Options o = At(&now);
  o.max_entries = 2;
  ResponseCache cache(o);
  cache.Put("a", HttpResponse::Json("1"));
  cache.Put("b", HttpResponse::Json("2"));
  ASSERT_TRUE(cache.Get("a").has_value());  // b is now the least recently used
  cache.Put("c", HttpResponse::Json("3"));
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_TRUE(cache.Get("a").has_value());
  EXPECT_FALSE(cache.Get("b").has_value());
  EXPECT_EQ(cache.Get("c")->body, "3");
}

}  // namespace
}  // namespace periscope
