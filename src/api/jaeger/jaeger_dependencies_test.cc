#include "api/jaeger/jaeger_dependencies.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>

namespace periscope {
namespace {

namespace fs = std::filesystem;

MetricSeries Edge(std::string client, std::string server, std::string type,
                  std::vector<double> values) {
  MetricSeries s;
  s.labels = {{"__name__", "traces_service_graph_request_total"},
              {"client", std::move(client)},
              {"connection_type", std::move(type)},
              {"server", std::move(server)}};
  s.kind = MetricKind::kCounter;
  for (size_t i = 0; i < values.size(); ++i)
    s.time_ms.push_back(1'000'000 + 15'000 * static_cast<int64_t>(i));
  s.values = std::move(values);
  return s;
}

TEST(JaegerDependenciesTest, CountsCallsPerServicePairFromServiceGraphMetrics) {
  const fs::path dir =
      fs::temp_directory_path() / ("jaeger_deps_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  MetricTableOptions options;
  options.dir = dir.string();
  auto table = MetricTable::Open(options);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  MetricBatch batch;
  batch.series = {Edge("frontend", "cart", "", {0, 4, 10}),
                  Edge("cart", "postgresql", "database", {0, 3, 6}),
                  Edge("user", "frontend", "virtual_node", {0, 7, 20}),
                  Edge("frontend", "payment", "", {5, 5, 5})};
  (*table)->Insert(1, batch);
  Router router;
  RegisterJaegerDependencies(router, **table);

  HttpRequest req;
  req.method = "GET";
  req.path = "/jaeger/api/dependencies";
  req.params = {{"endTs", "1030000"}, {"lookback", "60000"}};
  HttpResponse res = router.Dispatch(req);
  ASSERT_EQ(res.status, 200) << res.body;
  boost::json::value v = boost::json::parse(res.body);
  std::map<std::pair<std::string, std::string>, int64_t> calls;
  for (const auto& d : v.at("data").as_array()) {
    calls[{std::string(d.at("parent").as_string()), std::string(d.at("child").as_string())}] =
        d.at("callCount").as_int64();
  }
  EXPECT_EQ(calls.size(), 2u);  // no virtual node, no edge without calls in the window
  EXPECT_EQ((calls[{"frontend", "cart"}]), 10);
  EXPECT_EQ((calls[{"cart", "postgresql"}]), 6);

  req.params = {{"endTs", "soon"}};
  EXPECT_EQ(router.Dispatch(req).status, 400);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace periscope
