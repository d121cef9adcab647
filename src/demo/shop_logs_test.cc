#include "demo/shop_logs.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "demo/shop_traces.h"

namespace periscope::demo {
namespace {

namespace logs_pb = ::opentelemetry::proto::logs::v1;
namespace trace_pb = ::opentelemetry::proto::trace::v1;

constexpr int64_t kNow = 1'795'000'000'000'000'000LL;

std::string Resource(const ::opentelemetry::proto::resource::v1::Resource& r,
                     const std::string& key) {
  for (const auto& kv : r.attributes()) {
    if (kv.key() == key) return kv.value().string_value();
  }
  return {};
}

std::string Attr(const logs_pb::LogRecord& r, const std::string& key) {
  for (const auto& kv : r.attributes()) {
    if (kv.key() == key) return kv.value().string_value();
  }
  return {};
}

// All log requests for `traces` user requests of a generator seeded with `seed`.
std::vector<ExportLogsServiceRequest> Logs(uint64_t seed, int traces, ShopBatch* batch_out) {
  ShopTraceGenerator gen(seed);
  ShopBatch batch = gen.Generate(traces, kNow, 60'000'000'000LL);
  ShopLogGenerator logs(seed);
  std::vector<ExportLogsServiceRequest> out;
  for (const InstanceRequest& r : batch.requests) {
    out.push_back(logs.ForSpans(gen.topology().instances()[r.instance], r.request));
  }
  if (batch_out) *batch_out = std::move(batch);
  return out;
}

TEST(ShopLogGeneratorTest, SameSeedSameLogs) {
  auto a = Logs(7, 300, nullptr);
  auto b = Logs(7, 300, nullptr);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].SerializeAsString(), b[i].SerializeAsString()) << i;
  }
  auto c = Logs(8, 300, nullptr);
  std::string all_a, all_c;
  for (const auto& r : a) all_a += r.SerializeAsString();
  for (const auto& r : c) all_c += r.SerializeAsString();
  EXPECT_NE(all_a, all_c);
}

TEST(ShopLogGeneratorTest, RecordsCarryTheirSpansContextAndResource) {
  ShopBatch batch;
  auto logs = Logs(42, 500, &batch);
  ASSERT_EQ(logs.size(), batch.requests.size());
  std::map<std::string, const trace_pb::Span*> spans;  // span id -> span
  for (const InstanceRequest& r : batch.requests) {
    for (const auto& s : r.request.resource_spans(0).scope_spans(0).spans()) {
      spans[s.span_id()] = &s;
    }
  }
  std::map<std::string, int> by_severity;
  std::set<std::string> routes;
  int kvlist = 0, with_exception = 0, order_ids = 0;
  for (size_t i = 0; i < logs.size(); ++i) {
    for (const auto& rl : logs[i].resource_logs()) {
      const auto& span_resource = batch.requests[i].request.resource_spans(0).resource();
      EXPECT_EQ(Resource(rl.resource(), "service.name"), Resource(span_resource, "service.name"));
      EXPECT_EQ(Resource(rl.resource(), "host.name"), Resource(span_resource, "host.name"));
      EXPECT_FALSE(Resource(rl.resource(), "deployment.environment.name").empty());
      for (const auto& r : rl.scope_logs(0).log_records()) {
        auto it = spans.find(r.span_id());
        ASSERT_NE(it, spans.end()) << "log without a span of the batch: " << r.DebugString();
        EXPECT_EQ(r.trace_id(), it->second->trace_id());
        EXPECT_GE(r.time_unix_nano(), it->second->start_time_unix_nano());
        ++by_severity[r.severity_text()];
        if (r.body().has_kvlist_value()) ++kvlist;
        if (!Attr(r, "exception.type").empty()) ++with_exception;
        if (!Attr(r, "order.id").empty()) ++order_ids;
        if (!Attr(r, "http.route").empty()) routes.insert(Attr(r, "http.route"));
        if (r.severity_text() == "ERROR") {
          EXPECT_EQ(it->second->status().code(), trace_pb::Status::STATUS_CODE_ERROR)
              << r.DebugString();
        }
      }
    }
  }
  EXPECT_GT(by_severity["INFO"], 300);
  EXPECT_GT(by_severity["DEBUG"], 50);
  EXPECT_GT(by_severity["ERROR"], 0);
  EXPECT_GT(by_severity["WARN"], 0);
  EXPECT_GT(kvlist, 10);
  EXPECT_GT(with_exception, 0);
  EXPECT_GT(order_ids, 10);
  EXPECT_EQ(routes, (std::set<std::string>{"/", "/product/{id}", "/cart", "/checkout"}));
}

TEST(ShopLogGeneratorTest, ErrorSpansGiveErrorLogsWithExceptions) {
  ShopBatch batch;
  auto logs = Logs(3, 2000, &batch);
  // Every failed frontend request has an ERROR access line naming its exception.
  std::set<std::string> failed_roots, logged_roots;
  for (const InstanceRequest& r : batch.requests) {
    for (const auto& s : r.request.resource_spans(0).scope_spans(0).spans()) {
      if (s.parent_span_id().empty() && s.status().code() == trace_pb::Status::STATUS_CODE_ERROR) {
        failed_roots.insert(s.span_id());
      }
    }
  }
  for (const auto& req : logs) {
    for (const auto& rl : req.resource_logs()) {
      for (const auto& r : rl.scope_logs(0).log_records()) {
        if (failed_roots.contains(r.span_id())) {
          EXPECT_EQ(r.severity_number(), logs_pb::SEVERITY_NUMBER_ERROR);
          EXPECT_FALSE(Attr(r, "exception.stacktrace").empty());
          logged_roots.insert(r.span_id());
        }
      }
    }
  }
  EXPECT_FALSE(failed_roots.empty());
  EXPECT_EQ(logged_roots, failed_roots);
}

TEST(ShopLogGeneratorTest, StartupLinesHaveNoTraceContext) {
  ShopTopology topology;
  ShopLogGenerator logs(1);
  for (const ServiceInstance& inst : topology.instances()) {
    ExportLogsServiceRequest r = logs.Startup(inst, kNow);
    ASSERT_EQ(r.resource_logs_size(), 1);
    EXPECT_EQ(Resource(r.resource_logs(0).resource(), "service.version"), inst.version);
    const auto& records = r.resource_logs(0).scope_logs(0).log_records();
    ASSERT_GE(records.size(), 3);
    for (const auto& rec : records) {
      EXPECT_TRUE(rec.trace_id().empty());
      EXPECT_GT(rec.time_unix_nano(), static_cast<uint64_t>(kNow));
    }
    EXPECT_NE(records[records.size() - 2].body().string_value().find("listening on"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace periscope::demo
