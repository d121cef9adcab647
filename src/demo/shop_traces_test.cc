#include "demo/shop_traces.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <set>
#include <string>

namespace periscope::demo {
namespace {

namespace otlp = ::opentelemetry::proto::trace::v1;
using ::opentelemetry::proto::common::v1::KeyValue;

constexpr int64_t kNow = 1'795'000'000'000'000'000;
constexpr int64_t kSecond = 1'000'000'000;

std::string Attr(const google::protobuf::RepeatedPtrField<KeyValue>& attrs,
                 const std::string& key) {
  for (const auto& kv : attrs) {
    if (kv.key() != key) continue;
    if (kv.value().has_int_value()) return std::to_string(kv.value().int_value());
    return kv.value().string_value();
  }
  return "";
}

struct SpanRef {
  const otlp::Span* span;
  std::string service;
};

// All spans of a batch, after a wire round trip, keyed by span id.
struct Parsed {
  std::vector<ExportTraceServiceRequest> requests;
  std::map<std::string, SpanRef> by_id;
  std::set<std::string> services, envs, versions, hosts;
};

Parsed RoundTrip(const ShopBatch& batch) {
  Parsed p;
  for (const auto& r : batch.requests) {
    ExportTraceServiceRequest parsed;
    EXPECT_TRUE(parsed.ParseFromString(r.request.SerializeAsString()));
    p.requests.push_back(std::move(parsed));
  }
  for (const auto& req : p.requests) {
    EXPECT_EQ(req.resource_spans_size(), 1);
    const auto& rs = req.resource_spans(0);
    const auto& res = rs.resource().attributes();
    std::string service = Attr(res, "service.name");
    p.services.insert(service);
    p.envs.insert(Attr(res, "deployment.environment.name"));
    p.versions.insert(service + "@" + Attr(res, "service.version"));
    p.hosts.insert(Attr(res, "k8s.pod.name"));
    for (const char* key : {"service.namespace", "host.name", "telemetry.sdk.name",
                            "telemetry.sdk.language", "telemetry.sdk.version"}) {
      EXPECT_FALSE(Attr(res, key).empty()) << key;
    }
    for (const auto& ss : rs.scope_spans()) {
      for (const auto& s : ss.spans()) {
        EXPECT_EQ(s.trace_id().size(), 16u);
        EXPECT_EQ(s.span_id().size(), 8u);
        EXPECT_TRUE(s.parent_span_id().empty() || s.parent_span_id().size() == 8u);
        EXPECT_TRUE(p.by_id.emplace(s.span_id(), SpanRef{&s, service}).second) << "dup span id";
      }
    }
  }
  return p;
}

TEST(ShopTraceGeneratorTest, ProducesWellFormedLinkedTraces) {
  ShopTraceGenerator gen(42);
  ShopBatch batch = gen.Generate(2000, kNow, kSecond);
  ASSERT_EQ(batch.trace_instances.size(), 2000u);
  Parsed p = RoundTrip(batch);
  EXPECT_EQ(p.services,
            (std::set<std::string>{"frontend", "checkout", "cart", "payment", "inventory"}));
  EXPECT_EQ(p.envs, (std::set<std::string>{"prod", "staging"}));
  EXPECT_TRUE(p.versions.count("checkout@1.8.3") && p.versions.count("checkout@1.9.0"));
  EXPECT_GE(p.hosts.size(), 12u);

  std::map<std::string, int> roots_per_trace;
  std::set<std::string> routes, db_systems, event_names;
  int errors = 0, roots = 0, root_errors = 0, slow_db = 0;
  std::map<std::string, int> kinds;
  std::set<std::string> error_traces;
  for (const auto& [id, ref] : p.by_id) {
    const otlp::Span& s = *ref.span;
    EXPECT_LT(s.start_time_unix_nano(), s.end_time_unix_nano()) << s.name();
    EXPECT_LE(s.end_time_unix_nano(), static_cast<uint64_t>(kNow));
    EXPECT_GT(s.start_time_unix_nano(), static_cast<uint64_t>(kNow - 5 * kSecond));
    kinds[otlp::Span::SpanKind_Name(s.kind())]++;
    if (s.status().code() == otlp::Status::STATUS_CODE_ERROR) {
      ++errors;
      error_traces.insert(s.trace_id());
    }
    for (const auto& e : s.events()) {
      event_names.insert(e.name());
      if (e.name() == "exception") {
        EXPECT_FALSE(Attr(e.attributes(), "exception.type").empty());
        EXPECT_FALSE(Attr(e.attributes(), "exception.message").empty());
        EXPECT_FALSE(Attr(e.attributes(), "exception.stacktrace").empty());
      }
    }
    std::string db = Attr(s.attributes(), "db.system");
    if (!db.empty()) {
      db_systems.insert(db);
      EXPECT_EQ(s.kind(), otlp::Span::SPAN_KIND_CLIENT);
      EXPECT_FALSE(Attr(s.attributes(), "db.operation.name").empty());
      std::string query = Attr(s.attributes(), "db.query.text");
      EXPECT_EQ(query.find('\''), std::string::npos) << query;
      if (db == "postgresql") {
        EXPECT_NE(query.find('?'), std::string::npos) << query;  // parameters elided
        EXPECT_FALSE(Attr(s.attributes(), "db.collection.name").empty());
        if (s.end_time_unix_nano() - s.start_time_unix_nano() > 500'000'000) ++slow_db;
      }
    }
    if (s.parent_span_id().empty()) {
      ++roots;
      roots_per_trace[s.trace_id()]++;
      EXPECT_EQ(ref.service, "frontend");
      EXPECT_EQ(s.kind(), otlp::Span::SPAN_KIND_SERVER);
      routes.insert(Attr(s.attributes(), "http.route"));
      for (const char* key : {"http.request.method", "url.path", "http.response.status_code",
                              "server.address", "user_agent.original", "client.address"}) {
        EXPECT_FALSE(Attr(s.attributes(), key).empty()) << key;
      }
      if (s.status().code() == otlp::Status::STATUS_CODE_ERROR) ++root_errors;
      continue;
    }
    auto parent = p.by_id.find(s.parent_span_id());
    ASSERT_NE(parent, p.by_id.end()) << "dangling parent of " << s.name();
    const otlp::Span& ps = *parent->second.span;
    EXPECT_EQ(ps.trace_id(), s.trace_id());
    EXPECT_GE(s.start_time_unix_nano(), ps.start_time_unix_nano()) << s.name();
    EXPECT_LE(s.end_time_unix_nano(), ps.end_time_unix_nano()) << s.name();
    if (s.kind() == otlp::Span::SPAN_KIND_SERVER) {  // the callee side of an RPC
      EXPECT_EQ(ps.kind(), otlp::Span::SPAN_KIND_CLIENT);
      EXPECT_EQ(Attr(ps.attributes(), "rpc.system"), "grpc");
      EXPECT_EQ(Attr(ps.attributes(), "peer.service"), ref.service);
      EXPECT_EQ(Attr(s.attributes(), "rpc.method"), Attr(ps.attributes(), "rpc.method"));
    }
  }
  EXPECT_EQ(roots, 2000);
  EXPECT_EQ(roots_per_trace.size(), 2000u);
  EXPECT_EQ(routes, (std::set<std::string>{"/", "/product/{id}", "/cart", "/checkout"}));
  EXPECT_EQ(db_systems, (std::set<std::string>{"postgresql", "redis"}));
  EXPECT_TRUE(event_names.count("exception"));
  EXPECT_GT(kinds["SPAN_KIND_INTERNAL"], 0);
  EXPECT_GT(kinds["SPAN_KIND_CLIENT"], 0);
  double root_error_rate = static_cast<double>(root_errors) / roots;
  double error_trace_rate = static_cast<double>(error_traces.size()) / roots;
  std::printf(
      "2000 traces: %zu spans in %zu requests, %d error spans, %.1f%% traces with an "
      "error, %.1f%% 5xx roots, %d slow db calls\n",
      p.by_id.size(), p.requests.size(), errors, 100 * error_trace_rate, 100 * root_error_rate,
      slow_db);
  EXPECT_GT(error_trace_rate, 0.015);
  EXPECT_LT(error_trace_rate, 0.06);
  EXPECT_GT(errors, 0);
  EXPECT_GT(root_error_rate, 0.002);
  EXPECT_LT(root_error_rate, 0.05);
  EXPECT_GT(slow_db, 5);
  EXPECT_LT(slow_db, 50);
}

TEST(ShopTraceGeneratorTest, HttpStatusesCoverSuccessClientAndServerErrors) {
  ShopTraceGenerator gen(7);
  ShopBatch batch = gen.Generate(3000, kNow, kSecond);
  std::map<std::string, int> statuses;
  for (const auto& r : batch.requests) {
    for (const auto& s : r.request.resource_spans(0).scope_spans(0).spans()) {
      if (s.parent_span_id().empty()) {
        statuses[Attr(s.attributes(), "http.response.status_code")]++;
      }
    }
  }
  for (const char* code : {"200", "402", "404", "409", "500"}) {
    EXPECT_GT(statuses[code], 0) << code;
  }
  EXPECT_GT(statuses["200"], 2700);
}

TEST(ShopTraceGeneratorTest, CanaryIsSlowerThanStableCheckout) {
  ShopTraceGenerator gen(3);
  ShopBatch batch = gen.Generate(6000, kNow, kSecond);
  const auto& instances = gen.topology().instances();
  double total[2] = {0, 0};
  int count[2] = {0, 0};
  for (const auto& r : batch.requests) {
    const ServiceInstance& inst = instances[r.instance];
    if (inst.service != ShopService::kCheckout || inst.env != "prod") continue;
    for (const auto& s : r.request.resource_spans(0).scope_spans(0).spans()) {
      if (s.kind() != otlp::Span::SPAN_KIND_SERVER) continue;
      total[inst.canary] += static_cast<double>(s.end_time_unix_nano() - s.start_time_unix_nano());
      count[inst.canary]++;
    }
  }
  ASSERT_GT(count[0], 50);
  ASSERT_GT(count[1], 10);
  EXPECT_GT(total[1] / count[1], 1.3 * total[0] / count[0]);
}

TEST(ShopTraceGeneratorTest, IsDeterministicForASeed) {
  ShopTraceGenerator a(5), b(5), c(6);
  ShopBatch ba = a.Generate(50, kNow, kSecond), bb = b.Generate(50, kNow, kSecond),
            bc = c.Generate(50, kNow, kSecond);
  ASSERT_EQ(ba.requests.size(), bb.requests.size());
  for (size_t i = 0; i < ba.requests.size(); ++i) {
    EXPECT_EQ(ba.requests[i].request.SerializeAsString(),
              bb.requests[i].request.SerializeAsString());
  }
  EXPECT_NE(ba.requests[0].request.SerializeAsString(), bc.requests[0].request.SerializeAsString());
}

TEST(ShopTraceGeneratorTest, TopologyFitsTheInstanceMask) {
  ShopTopology topology;
  EXPECT_LT(topology.instances().size(), 64u);
  for (int s = 0; s < kShopServiceCount; ++s) {
    EXPECT_GE(topology.Pods(static_cast<ShopService>(s), false, false).size(), 2u);
    EXPECT_EQ(topology.Pods(static_cast<ShopService>(s), true, false).size(), 1u);
  }
  EXPECT_EQ(topology.Pods(ShopService::kCheckout, false, true).size(), 1u);
}

TEST(ShopTraceGeneratorTest, ZeroTracesGiveNoRequests) {
  ShopTraceGenerator gen(1);
  ShopBatch batch = gen.Generate(0, kNow, kSecond);
  EXPECT_TRUE(batch.requests.empty());
  EXPECT_TRUE(batch.trace_instances.empty());
}

}  // namespace
}  // namespace periscope::demo
