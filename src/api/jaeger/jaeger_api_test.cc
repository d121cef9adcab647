#include "api/jaeger/jaeger_api.h"

#include <gtest/gtest.h>

#include "model/span_batch_testing.h"

namespace periscope {
namespace {

TEST(JaegerApiTest, TraceJsonHasJaegerShapes) {
  SpanBatch trace = testing::MakeTestSpans(1, 3, 5);
  trace.status_code[1] = StatusCodeValue::kError;
  trace.status_message[1] = "db down";
  boost::json::object t = JaegerTraceJson(trace);
  EXPECT_EQ(t["traceID"].as_string(), trace.trace_id[0].Hex());
  auto& spans = t["spans"].as_array();
  ASSERT_EQ(spans.size(), 3u);
  auto& root = spans[0].as_object();
  EXPECT_EQ(root["spanID"].as_string(), trace.span_id[0].Hex());
  EXPECT_EQ(root["operationName"].as_string(), "GET /api/item/{id}");
  EXPECT_EQ(root["startTime"].as_int64(), trace.start_ns[0] / 1000);
  EXPECT_EQ(root["duration"].as_int64(), trace.duration_ns(0) / 1000);
  EXPECT_TRUE(root["references"].as_array().empty());
  auto& child = spans[1].as_object();
  auto& ref = child["references"].as_array()[0].as_object();
  EXPECT_EQ(ref["refType"].as_string(), "CHILD_OF");
  EXPECT_EQ(ref["spanID"].as_string(), trace.span_id[0].Hex());
  bool error_tag = false, int_tag = false, kind_tag = false;
  for (const auto& tag : child["tags"].as_array()) {
    const auto& o = tag.as_object();
    if (o.at("key") == "error") error_tag = o.at("value").as_bool();
    if (o.at("key") == "rows") int_tag = o.at("type") == "int64";
    if (o.at("key") == "span.kind") kind_tag = o.at("value") == "client";
  }
  EXPECT_TRUE(error_tag);
  EXPECT_TRUE(int_tag);
  EXPECT_TRUE(kind_tag);
  auto& span2 = spans[2].as_object();
  EXPECT_EQ(span2["references"].as_array().back().as_object()["refType"].as_string(),
            "FOLLOWS_FROM");
  const std::string pid(root["processID"].as_string());
  auto& process = t["processes"].as_object()[pid].as_object();
  EXPECT_EQ(process["serviceName"].as_string(), trace.tags(0).service);
  auto& logs = root["logs"].as_array();
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(logs[0].as_object()["fields"].as_array()[0].as_object()["value"].as_string(),
            "request.received");
}

}  // namespace
}  // namespace periscope
