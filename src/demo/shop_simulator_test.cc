#include "demo/shop_simulator.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <set>
#include <thread>

#include "loadgen/otlp_sink_testing.h"

namespace periscope::demo {
namespace {

using periscope::testing::OtlpTestSink;

bool WaitFor(const std::function<bool()>& done) {
  for (int i = 0; i < 100; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

TEST(ShopSimulatorTest, ExportsOverGrpcAndHttp) {
  OtlpTestSink sink({.keep_requests = true});
  ShopSimulatorOptions options;
  options.otlp_grpc_target = sink.grpc_target();
  options.otlp_http_target = sink.http_target();
  options.traces_per_second = 200;
  options.flush_interval_seconds = 0.1;
  options.send_logs = false;  // the sink only speaks the trace service
  options.send_metrics = false;
  ShopSimulator sim(options);
  ASSERT_TRUE(sim.Start().ok());
  EXPECT_FALSE(sim.Start().ok());  // already running
  EXPECT_TRUE(WaitFor([&] { return sim.traces_sent() >= 60; }));
  sim.Stop();
  sim.Stop();
  EXPECT_EQ(sim.export_errors(), 0u);
  EXPECT_GT(sink.grpc_spans(), 0u);
  EXPECT_GT(sink.http_spans(), 0u);
  std::set<std::string> services;
  for (const auto& r : sink.requests()) {
    for (const auto& kv : r.resource_spans(0).resource().attributes()) {
      if (kv.key() == "service.name") services.insert(kv.value().string_value());
    }
  }
  EXPECT_EQ(services.size(), 5u);
}

TEST(ShopSimulatorTest, CountsExportErrorsWhenNothingListens) {
  uint16_t port;
  {
    OtlpTestSink sink;
    std::string t = sink.grpc_target();
    port = static_cast<uint16_t>(std::stoi(t.substr(t.rfind(':') + 1)));
  }
  ShopSimulatorOptions options;
  options.otlp_grpc_target = "127.0.0.1:" + std::to_string(port);
  options.flush_interval_seconds = 0.05;
  ShopSimulator sim(options);
  ASSERT_TRUE(sim.Start().ok());
  EXPECT_TRUE(WaitFor([&] { return sim.export_errors() > 0; }));
  sim.Stop();
  EXPECT_EQ(sim.traces_sent(), 0u);
}

TEST(ShopSimulatorTest, RejectsBadOptions) {
  ShopSimulatorOptions options;
  options.traces_per_second = 0;
  EXPECT_FALSE(ShopSimulator(options).Start().ok());
  options = ShopSimulatorOptions();
  options.otlp_http_target = "nocolon";
  EXPECT_FALSE(ShopSimulator(options).Start().ok());
}

}  // namespace
}  // namespace periscope::demo
