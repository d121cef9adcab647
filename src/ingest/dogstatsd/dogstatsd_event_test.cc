#include "ingest/dogstatsd/dogstatsd_event.h"

#include <gtest/gtest.h>

namespace periscope {
namespace {

std::string Attr(const opentelemetry::proto::logs::v1::LogRecord& r, const std::string& key) {
  for (const auto& kv : r.attributes()) {
    if (kv.key() == key) return kv.value().string_value();
  }
  return "<none>";
}

TEST(DogStatsdEventTest, ParsesEveryEventField) {
  auto e = ParseDogStatsdEvent(
      "_e{14,22}:Deploy started|v1.4 to prod\\nby alice|d:1795661040|h:web-1|k:deploy-42|"
      "p:low|s:jenkins|t:warning|#service:checkout,env:prod,team:pay,canary");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->title, "Deploy started");
  EXPECT_EQ(e->text, "v1.4 to prod\nby alice");
  EXPECT_EQ(e->timestamp_s, 1795661040);
  EXPECT_EQ(e->hostname, "web-1");
  EXPECT_EQ(e->aggregation_key, "deploy-42");
  EXPECT_EQ(e->priority, "low");
  EXPECT_EQ(e->source_type, "jenkins");
  EXPECT_EQ(e->alert_type, "warning");
  EXPECT_EQ(e->tags,
            (std::vector<std::string>{"service:checkout", "env:prod", "team:pay", "canary"}));
}

TEST(DogStatsdEventTest, RejectsMalformedEvents) {
  EXPECT_FALSE(ParseDogStatsdEvent("_e{5,3}:abc|def").ok());         // too short
  EXPECT_FALSE(ParseDogStatsdEvent("_e{3,3}:abc|defg").ok());        // text longer
  EXPECT_FALSE(ParseDogStatsdEvent("_e{x,3}:abc|def").ok());         // lengths
  EXPECT_FALSE(ParseDogStatsdEvent("_e{3,3}:abc|def|d:soon").ok());  // timestamp
  EXPECT_TRUE(ParseDogStatsdEvent("_e{3,0}:abc||#a:b").ok());        // empty text is fine
}

TEST(DogStatsdEventTest, ParsesServiceChecksWithAMessageContainingBars) {
  auto c = ParseDogStatsdServiceCheck(
      "_sc|db.can_connect|2|d:1795661040|h:db-1|#env:prod,service:"
      "orders|m:timeout | after 5s");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->name, "db.can_connect");
  EXPECT_EQ(c->status, 2);
  EXPECT_EQ(c->timestamp_s, 1795661040);
  EXPECT_EQ(c->hostname, "db-1");
  EXPECT_EQ(c->message, "timeout | after 5s");
  EXPECT_EQ(c->tags.size(), 2u);
  EXPECT_FALSE(ParseDogStatsdServiceCheck("_sc|x|4").ok());
  EXPECT_FALSE(ParseDogStatsdServiceCheck("_sc||0").ok());
}

TEST(DogStatsdEventTest, EncodesAsOtlpLogsWithUnifiedTagsAndSeverity) {
  auto e = ParseDogStatsdEvent(
      "_e{4,4}:Boom|oops|t:error|h:web-1|#service:checkout,env:prod,version:2,team:pay");
  auto c = ParseDogStatsdServiceCheck("_sc|db.ok|0|#service:orders");
  ASSERT_TRUE(e.ok() && c.ok());
  const int64_t now = 1795661040000000000;
  auto req = DogStatsdToOtlpLogs({*e}, {*c}, now);
  ASSERT_EQ(req.resource_logs_size(), 2);
  int seen = 0;
  for (const auto& rl : req.resource_logs()) {
    std::map<std::string, std::string> res;
    for (const auto& kv : rl.resource().attributes()) res[kv.key()] = kv.value().string_value();
    const auto& r = rl.scope_logs(0).log_records(0);
    EXPECT_EQ(r.time_unix_nano(), static_cast<uint64_t>(now));
    if (res["service.name"] == "checkout") {
      ++seen;
      EXPECT_EQ(res["deployment.environment.name"], "prod");
      EXPECT_EQ(res["service.version"], "2");
      EXPECT_EQ(res["host.name"], "web-1");
      EXPECT_EQ(r.severity_number(), opentelemetry::proto::logs::v1::SEVERITY_NUMBER_ERROR);
      EXPECT_EQ(r.body().string_value(), "Boom\noops");
      EXPECT_EQ(Attr(r, "event.kind"), "datadog.event");
      EXPECT_EQ(Attr(r, "team"), "pay");
    } else {
      ++seen;
      EXPECT_EQ(res["service.name"], "orders");
      EXPECT_EQ(r.body().string_value(), "db.ok OK");
      EXPECT_EQ(Attr(r, "event.kind"), "datadog.service_check");
      EXPECT_EQ(Attr(r, "check.status"), "OK");
    }
  }
  EXPECT_EQ(seen, 2);
}

}  // namespace
}  // namespace periscope
