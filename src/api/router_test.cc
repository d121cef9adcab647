#include "api/router.h"

#include <gtest/gtest.h>

namespace periscope {
namespace {

HttpRequest Req(std::string method, std::string path) {
  HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  return r;
}

TEST(RouterTest, MatchesPlaceholdersMethodsAndPrefixes) {
  Router router;
  router.Add("GET", "/api/traces/{id}",
             [](HttpRequest& r) { return HttpResponse::Text("id=" + r.path_args[0]); });
  router.Add("GET", "/api/traces", [](HttpRequest&) { return HttpResponse::Text("search"); });
  router.Add("POST", "/v1/traces", [](HttpRequest&) { return HttpResponse::Text("ingest"); });
  router.Add("GET", "/static/*", [](HttpRequest&) { return HttpResponse::Text("static"); });

  auto r1 = Req("GET", "/api/traces/abc");
  EXPECT_EQ(router.Dispatch(r1).body, "id=abc");
  auto r2 = Req("GET", "/api/traces");
  EXPECT_EQ(router.Dispatch(r2).body, "search");
  auto r3 = Req("GET", "/v1/traces");
  EXPECT_EQ(router.Dispatch(r3).status, 405);
  auto r4 = Req("GET", "/nope");
  EXPECT_EQ(router.Dispatch(r4).status, 404);
  auto r5 = Req("GET", "/static/a/b.js");
  EXPECT_EQ(router.Dispatch(r5).body, "static");
  auto r6 = Req("HEAD", "/api/traces");
  EXPECT_EQ(router.Dispatch(r6).body, "search");
  auto r7 = Req("GET", "//api//traces/");
  EXPECT_EQ(router.Dispatch(r7).body, "search");
}

TEST(RouterTest, ExactRoutesWinOverACatchAllAndKeepTheir405) {
  Router router;
  router.Add("GET", "/*", [](HttpRequest&) { return HttpResponse::Text("ui"); });
  router.Add("POST", "/v1/traces", [](HttpRequest&) { return HttpResponse::Text("ingest"); });
  router.Add("GET", "/metrics", [](HttpRequest&) { return HttpResponse::Text("metrics"); });

  auto get_ingest = Req("GET", "/v1/traces");
  EXPECT_EQ(router.Dispatch(get_ingest).status, 405);
  auto post_ingest = Req("POST", "/v1/traces");
  EXPECT_EQ(router.Dispatch(post_ingest).body, "ingest");
  auto metrics = Req("GET", "/metrics");
  EXPECT_EQ(router.Dispatch(metrics).body, "metrics");
  auto page = Req("GET", "/services/checkout");
  EXPECT_EQ(router.Dispatch(page).body, "ui");
  auto post_page = Req("POST", "/services/checkout");
  EXPECT_EQ(router.Dispatch(post_page).status, 405);
}

}  // namespace
}  // namespace periscope
