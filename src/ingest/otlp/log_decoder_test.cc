#include "ingest/otlp/log_decoder.h"

#include <gtest/gtest.h>

namespace periscope {
namespace {

namespace pb = opentelemetry::proto::collector::logs::v1;

constexpr int64_t kNow = 1'700'000'000'000'000'000;

pb::ExportLogsServiceRequest SampleRequest() {
  pb::ExportLogsServiceRequest req;
  auto* rl = req.add_resource_logs();
  auto* attr = rl->mutable_resource()->add_attributes();
  attr->set_key("service.name");
  attr->mutable_value()->set_string_value("checkout");
  auto* env = rl->mutable_resource()->add_attributes();
  env->set_key("deployment.environment.name");
  env->mutable_value()->set_string_value("prod");
  auto* sl = rl->add_scope_logs();
  sl->mutable_scope()->set_name("app");
  for (int i = 0; i < 3; ++i) {
    auto* rec = sl->add_log_records();
    rec->set_time_unix_nano(1000 + i);
    rec->set_observed_time_unix_nano(2000 + i);
    rec->set_severity_number(opentelemetry::proto::logs::v1::SEVERITY_NUMBER_ERROR);
    rec->set_severity_text("ERROR");
    rec->mutable_body()->set_string_value("payment failed for order " + std::to_string(i));
    rec->set_trace_id(std::string(16, static_cast<char>(i + 1)));
    rec->set_span_id(std::string(8, static_cast<char>(i + 1)));
    auto* a = rec->add_attributes();
    a->set_key("http.status_code");
    a->mutable_value()->set_int_value(500);
  }
  return req;
}

TEST(LogDecoderTest, DecodesProtobufColumns) {
  const std::string body = SampleRequest().SerializeAsString();
  auto decoded = DecodeLogsProtobuf(body, "t1", kNow);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  const LogBatch& b = decoded->batch;
  ASSERT_EQ(b.size(), 3u);
  EXPECT_TRUE(b.IsConsistent());
  EXPECT_EQ(b.tenant, "t1");
  EXPECT_EQ(b.tags(0).service, "checkout");
  EXPECT_EQ(b.tags(0).env, "prod");
  EXPECT_EQ(b.time_ns[2], 1002);
  EXPECT_EQ(b.observed_time_ns[2], 2002);
  EXPECT_EQ(b.body[1].str, "payment failed for order 1");
  EXPECT_EQ(b.severity_class(0), SeverityClass::kError);
  EXPECT_EQ(b.trace_id[0].Hex(), "01010101010101010101010101010101");
  EXPECT_EQ(b.attributes[0][0].value.int_value, 500);
  EXPECT_EQ(decoded->rejected_records, 0);
  EXPECT_EQ(decoded->wal_payload, body);
}

TEST(LogDecoderTest, RejectsBadIdsWithPartialSuccess) {
  auto req = SampleRequest();
  req.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records(1)->set_trace_id("abc");
  auto decoded = DecodeLogsProtobuf(req.SerializeAsString(), "", kNow);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->batch.size(), 2u);
  EXPECT_EQ(decoded->batch.tenant, "default");
  EXPECT_EQ(decoded->rejected_records, 1);
  EXPECT_NE(decoded->error_message.find("logRecords[1]: traceId is 3 bytes"), std::string::npos)
      << decoded->error_message;
  auto again = DecodeLogsProtobuf(decoded->wal_payload, "", kNow);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->batch.body, decoded->batch.body);
  EXPECT_EQ(again->rejected_records, 0);
}

TEST(LogDecoderTest, StampsRecordsWithoutTimeAndReplaysDeterministically) {
  auto req = SampleRequest();
  auto* rec = req.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records(0);
  rec->clear_time_unix_nano();
  rec->clear_observed_time_unix_nano();
  auto decoded = DecodeLogsProtobuf(req.SerializeAsString(), "", kNow);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->batch.time_ns[0], kNow);
  auto replay = DecodeLogsProtobuf(decoded->wal_payload, "", kNow + 5);
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->batch.time_ns[0], kNow);
}

TEST(LogDecoderTest, RejectsGarbageProtobuf) {
  auto decoded = DecodeLogsProtobuf("\x0a\xff\xff", "", kNow);
  EXPECT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
}

TEST(LogDecoderTest, DecodesJsonWithHexIdsAndStructuredBody) {
  const std::string json = R"({"resource_logs":[{"resource":{"attributes":[
      {"key":"service.name","value":{"stringValue":"cart"}}]},
    "scopeLogs":[{"scope":{"name":"s"},"logRecords":[
      {"timeUnixNano":"1700000000000000001","severityNumber":"SEVERITY_NUMBER_WARN",
       "severityText":"WARN","traceId":"0102030405060708090a0b0c0d0e0f10",
       "spanId":"0102030405060708","eventName":"cart.add",
       "body":{"kvlistValue":{"values":[{"key":"msg","value":{"stringValue":"hi"}}]}},
       "unknownField":1},
      {"time_unix_nano":5,"severity_number":17,"traceId":"zz","body":{"stringValue":"x"}},
      {"timeUnixNano":6,"body":{"stringValue":"plain"}}]}]}]})";
  auto decoded = DecodeLogsJson(json, "", kNow);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  const LogBatch& b = decoded->batch;
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b.tags(0).service, "cart");
  EXPECT_EQ(b.time_ns[0], 1700000000000000001);
  EXPECT_EQ(b.severity_number[0], 13);
  EXPECT_EQ(b.trace_id[0].Hex(), "0102030405060708090a0b0c0d0e0f10");
  EXPECT_EQ(b.span_id[0].Hex(), "0102030405060708");
  EXPECT_EQ(b.event_name[0], "cart.add");
  EXPECT_EQ(b.body[0].type, ValueType::kKvList);
  EXPECT_EQ(b.body[0].str, R"({"msg":"hi"})");
  EXPECT_EQ(b.body[1].str, "plain");
  EXPECT_EQ(decoded->rejected_records, 1);
  EXPECT_NE(decoded->error_message.find("logRecords[1].traceId"), std::string::npos);
}

TEST(LogDecoderTest, JsonErrorsAreInvalidArgument) {
  for (const char* bad : {"{", "[]", R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[
                                         {"body":"not an AnyValue"}]}]}]})",
                          R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[
                                         {"timeUnixNano":"abc"}]}]}]})"}) {
    auto decoded = DecodeLogsJson(bad, "", kNow);
    EXPECT_FALSE(decoded.ok()) << bad;
    EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(LogDecoderTest, MessagePathRemovesRejected) {
  auto req = SampleRequest();
  req.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records(2)->set_span_id("x");
  DecodedLogs decoded = DecodeLogsMessage(req, "t", kNow);
  EXPECT_EQ(decoded.batch.size(), 2u);
  EXPECT_EQ(req.resource_logs(0).scope_logs(0).log_records_size(), 2);
  EXPECT_EQ(decoded.rejected_records, 1);
}

TEST(LogDecoderTest, EncodesResponses) {
  EXPECT_EQ(EncodeLogsResponse(0, "", true), "{}");
  EXPECT_EQ(EncodeLogsResponse(2, "bad", true),
            R"({"partialSuccess":{"rejectedLogRecords":"2","errorMessage":"bad"}})");
  pb::ExportLogsServiceResponse r;
  ASSERT_TRUE(r.ParseFromString(EncodeLogsResponse(3, "why", false)));
  EXPECT_EQ(r.partial_success().rejected_log_records(), 3);
  EXPECT_EQ(r.partial_success().error_message(), "why");
  EXPECT_TRUE(EncodeLogsResponse(0, "", false).empty());
}

}  // namespace
}  // namespace periscope
