#include "demo/shop_metrics.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "demo/shop_traces.h"

namespace periscope::demo {
namespace {

namespace metrics_pb = ::opentelemetry::proto::metrics::v1;
namespace trace_pb = ::opentelemetry::proto::trace::v1;

constexpr int64_t kSec = 1'000'000'000LL;
constexpr int64_t kStart = 1'795'000'000LL * kSec;

const metrics_pb::Metric* Find(const ExportMetricsServiceRequest& r, const std::string& name) {
  for (const auto& m : r.resource_metrics(0).scope_metrics(0).metrics()) {
    if (m.name() == name) return &m;
  }
  return nullptr;
}

TEST(ShopMetricsGeneratorTest, HistogramCountsServerSpansWithExemplars) {
  ShopTraceGenerator traces(5);
  ShopMetricsGenerator metrics(traces.topology(), 5, kStart);
  std::map<size_t, uint64_t> server_spans;
  std::set<std::string> span_ids;
  for (int step = 1; step <= 3; ++step) {
    ShopBatch b = traces.Generate(100, kStart + step * 10 * kSec, 10 * kSec);
    for (const InstanceRequest& r : b.requests) {
      metrics.Observe(r.instance, r.request);
      for (const auto& s : r.request.resource_spans(0).scope_spans(0).spans()) {
        if (s.kind() == trace_pb::Span::SPAN_KIND_SERVER) ++server_spans[r.instance];
        span_ids.insert(s.span_id());
      }
    }
  }
  uint64_t orders = 0;
  for (size_t i = 0; i < traces.topology().instances().size(); ++i) {
    const ServiceInstance& inst = traces.topology().instances()[i];
    ExportMetricsServiceRequest r = metrics.Collect(i, kStart + 30 * kSec);
    ASSERT_NE(Find(r, "process.cpu.utilization"), nullptr);
    const double cpu = Find(r, "process.cpu.utilization")->gauge().data_points(0).as_double();
    EXPECT_GT(cpu, 0);
    EXPECT_LT(cpu, 1);
    ASSERT_NE(Find(r, "process.memory.usage"), nullptr);
    EXPECT_GT(Find(r, "process.memory.usage")->gauge().data_points(0).as_int(), 10 << 20);
    EXPECT_EQ(Find(r, "db.client.connections.usage") != nullptr,
              inst.service == ShopService::kCheckout || inst.service == ShopService::kPayment ||
                  inst.service == ShopService::kInventory);
    const metrics_pb::Metric* h = Find(r, "http.server.request.duration");
    if (server_spans[i] == 0) {
      EXPECT_EQ(h, nullptr);
      continue;
    }
    ASSERT_NE(h, nullptr);
    EXPECT_EQ(h->histogram().aggregation_temporality(),
              metrics_pb::AGGREGATION_TEMPORALITY_CUMULATIVE);
    uint64_t count = 0;
    for (const auto& p : h->histogram().data_points()) {
      EXPECT_EQ(p.start_time_unix_nano(), static_cast<uint64_t>(kStart));
      EXPECT_EQ(p.bucket_counts_size(), p.explicit_bounds_size() + 1);
      uint64_t buckets = 0;
      for (uint64_t c : p.bucket_counts()) buckets += c;
      EXPECT_EQ(buckets, p.count());
      count += p.count();
      EXPECT_FALSE(p.exemplars().empty());
      for (const auto& e : p.exemplars()) {
        EXPECT_TRUE(span_ids.contains(e.span_id()));
        EXPECT_EQ(e.trace_id().size(), 16u);
      }
    }
    EXPECT_EQ(count, server_spans[i]);
    if (const metrics_pb::Metric* o = Find(r, "shop.orders.placed")) {
      EXPECT_TRUE(o->sum().is_monotonic());
      for (const auto& p : o->sum().data_points()) orders += static_cast<uint64_t>(p.as_int());
    }
  }
  EXPECT_GT(orders, 0u);

  // Exemplars belong to one interval; counts stay cumulative.
  ExportMetricsServiceRequest again = metrics.Collect(0, kStart + 40 * kSec);
  const metrics_pb::Metric* h = Find(again, "http.server.request.duration");
  ASSERT_NE(h, nullptr);
  uint64_t count = 0;
  for (const auto& p : h->histogram().data_points()) {
    EXPECT_TRUE(p.exemplars().empty());
    count += p.count();
  }
  EXPECT_EQ(count, server_spans[0]);
}

TEST(ShopMetricsGeneratorTest, SameSeedSamePoints) {
  auto run = [](uint64_t seed) {
    ShopTraceGenerator traces(seed);
    ShopMetricsGenerator metrics(traces.topology(), seed, kStart);
    std::string out;
    for (int step = 1; step <= 3; ++step) {
      ShopBatch b = traces.Generate(50, kStart + step * 10 * kSec, 10 * kSec);
      for (const InstanceRequest& r : b.requests) metrics.Observe(r.instance, r.request);
      for (size_t i = 0; i < traces.topology().instances().size(); ++i) {
        out += metrics.Collect(i, kStart + step * 10 * kSec).SerializeAsString();
      }
    }
    return out;
  };
  EXPECT_EQ(run(9), run(9));
  EXPECT_NE(run(9), run(10));
}

}  // namespace
}  // namespace periscope::demo
