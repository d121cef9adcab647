#include "ingest/otlp/otlp_json.h"

#include <gtest/gtest.h>

#include <cmath>

#include "ingest/otlp/trace_decoder.h"
#include "ingest/otlp/trace_test_util.h"
#include "model/span_batch_testing.h"

namespace periscope {
namespace {

namespace pb_collector = opentelemetry::proto::collector::trace::v1;
using testing::ExpectIdentical;
using testing::ExpectSameRows;

DecodedTraces MustDecodeJson(std::string_view body) {
  auto r = DecodeTracesJson(body, "t1");
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : DecodedTraces{};
}

std::string JsonOf(const SpanBatch& batch) {
  pb_collector::ExportTraceServiceRequest req;
  EncodeSpanBatch(batch, &req);
  auto json = EncodeTracesJson(req);
  EXPECT_TRUE(json.ok());
  return json.ok() ? *json : std::string();
}

// One span wrapped in a request; `span_fields` is the body of the span object.
std::string OneSpan(const std::string& span_fields) {
  return R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name",)"
         R"("value":{"stringValue":"s"}}]},"scopeSpans":[{"spans":[{)" +
         span_fields + "}]}]}]}";
}

constexpr const char* kIds =
    R"("traceId":"0102030405060708090A0B0C0D0E0F10","spanId":"1112131415161718")";

TEST(OtlpJsonTest, MatchesProtobufDecoding) {
  for (const SpanBatch& in : {testing::MakeTestSpans(25, 4), testing::MakeFullSpan()}) {
    const std::string json = JsonOf(in);
    EXPECT_NE(json.find("\"traceId\":\""), std::string::npos);
    DecodedTraces out = MustDecodeJson(json);
    EXPECT_EQ(out.rejected_spans, 0);
    ExpectSameRows(in, out.batch);
    auto again = DecodeTracesProtobuf(out.wal_payload, "t1");
    ASSERT_TRUE(again.ok());
    ExpectIdentical(out.batch, again->batch);
  }
}

TEST(OtlpJsonTest, EncodesIdsAsHexAndEnumsAsIntegers) {
  const std::string json = JsonOf(testing::MakeFullSpan());
  EXPECT_NE(json.find(R"("traceId":"0102030405060708090a0b0c0d0e0f10")"), std::string::npos);
  EXPECT_NE(json.find(R"("parentSpanId":"2122232425262728")"), std::string::npos);
  EXPECT_NE(json.find(R"("traceId":"ffeeddccbbaa99887766554433221100")"), std::string::npos);
  EXPECT_NE(json.find(R"("kind":4)"), std::string::npos) << json;
}

TEST(OtlpJsonTest, AcceptsSnakeCaseNamesEnumNamesAndIntegerForms) {
  const std::string body = R"({
    "resource_spans": [{
      "schema_url": "rs",
      "resource": {"attributes": [{"key": "service.name", "value": {"string_value": "snake"}}],
                   "dropped_attributes_count": "2"},
      "scope_spans": [{
        "scope": {"name": "lib", "version": "1"},
        "spans": [{
          "trace_id": "0102030405060708090a0b0c0d0e0f10",
          "span_id": "1112131415161718",
          "parent_span_id": "",
          "name": "a",
          "kind": "SPAN_KIND_SERVER",
          "start_time_unix_nano": "1700000000000000000",
          "end_time_unix_nano": 1700000000000000500,
          "dropped_attributes_count": 1.0,
          "attributes": [
            {"key": "i_str", "value": {"int_value": "-9223372036854775808"}},
            {"key": "i_num", "value": {"intValue": -5}},
            {"key": "nan", "value": {"doubleValue": "NaN"}},
            {"key": "d", "value": {"double_value": 3}},
            {"key": "b", "value": {"bool_value": true}},
            {"key": "bytes", "value": {"bytes_value": "AP8="}},
            {"key": "arr", "value": {"array_value": {"values": [
              {"stringValue": "a"}, {"intValue": "1"}, {"boolValue": true},
              {"arrayValue": {"values": [{"doubleValue": 1.5}, {}]}},
              {"kvlistValue": {"values": [{"key": "k", "value": {"stringValue": "v"}}]}}]}}},
            {"key": "kv", "value": {"kvlist_value": {"values": [
              {"key": "n", "value": {"int_value": -3}}]}}}
          ],
          "status": {"code": 2, "message": "m"}
        }, {
          "traceId": "0102030405060708090a0b0c0d0e0f10",
          "spanId": "2122232425262728",
          "parentSpanId": "1112131415161718",
          "kind": 3,
          "startTimeUnixNano": 5, "endTimeUnixNano": "6",
          "status": {"code": "STATUS_CODE_OK"},
          "events": [{"time_unix_nano": "7", "name": "e",
                      "attributes": [{"key": "x", "value": {"intValue": 1}}],
                      "dropped_attributes_count": 2}],
          "dropped_events_count": 3,
          "links": [{"trace_id": "ffeeddccbbaa99887766554433221100", "span_id": "0011223344556677",
                     "trace_state": "ts", "flags": 256, "dropped_attributes_count": "4"}],
          "dropped_links_count": 5,
          "flags": "1",
          "trace_state": "k=v"
        }]
      }]
    }]
  })";
  DecodedTraces out = MustDecodeJson(body);
  ASSERT_EQ(out.batch.size(), 2u) << out.error_message;
  const SpanBatch& b = out.batch;
  EXPECT_EQ(b.resource(0).schema_url, "rs");
  EXPECT_EQ(b.resource(0).dropped_attributes_count, 2u);
  EXPECT_EQ(b.tags(0).service, "snake");
  EXPECT_EQ(b.scope(0).name, "lib");
  EXPECT_EQ(b.trace_id[0].Hex(), "0102030405060708090a0b0c0d0e0f10");
  EXPECT_TRUE(b.parent_span_id[0].IsZero());
  EXPECT_EQ(b.kind[0], SpanKind::kServer);
  EXPECT_EQ(b.start_ns[0], 1700000000000000000);
  EXPECT_EQ(b.end_ns[0], 1700000000000000500);
  EXPECT_EQ(b.dropped_attributes_count[0], 1u);
  const Attributes& a = b.attributes[0];
  ASSERT_EQ(a.size(), 8u);
  EXPECT_EQ(a[0].value, AnyValue::Int(INT64_MIN));
  EXPECT_EQ(a[1].value, AnyValue::Int(-5));
  EXPECT_TRUE(std::isnan(a[2].value.double_value));
  EXPECT_EQ(a[3].value, AnyValue::Double(3));
  EXPECT_EQ(a[4].value, AnyValue::Bool(true));
  EXPECT_EQ(a[5].value, AnyValue::Bytes(std::string("\x00\xff", 2)));
  EXPECT_EQ(a[6].value.type, ValueType::kArray);
  EXPECT_EQ(a[6].value.str, R"(["a",1,true,[1.5,null],{"k":"v"}])");
  EXPECT_EQ(a[7].value.type, ValueType::kKvList);
  EXPECT_EQ(a[7].value.str, R"({"n":-3})");
  EXPECT_EQ(b.status_code[0], StatusCodeValue::kError);
  EXPECT_EQ(b.status_message[0], "m");

  EXPECT_EQ(b.parent_span_id[1].Hex(), "1112131415161718");
  EXPECT_EQ(b.kind[1], SpanKind::kClient);
  EXPECT_EQ(b.status_code[1], StatusCodeValue::kOk);
  EXPECT_EQ(b.events[1], (std::vector<SpanEvent>{SpanEvent{7, "e", {{"x", AnyValue::Int(1)}}, 2}}));
  EXPECT_EQ(b.dropped_events_count[1], 3u);
  ASSERT_EQ(b.links[1].size(), 1u);
  EXPECT_EQ(b.links[1][0].trace_id.Hex(), "ffeeddccbbaa99887766554433221100");
  EXPECT_EQ(b.links[1][0].span_id.Hex(), "0011223344556677");
  EXPECT_EQ(b.links[1][0].trace_state, "ts");
  EXPECT_EQ(b.links[1][0].flags, 256u);
  EXPECT_EQ(b.links[1][0].dropped_attributes_count, 4u);
  EXPECT_EQ(b.dropped_links_count[1], 5u);
  EXPECT_EQ(b.flags[1], 1u);
  EXPECT_EQ(b.trace_state[1], "k=v");

  auto again = DecodeTracesProtobuf(out.wal_payload, "t1");
  ASSERT_TRUE(again.ok());
  ExpectIdentical(out.batch, again->batch);
}

TEST(OtlpJsonTest, IgnoresUnknownFieldsAndNulls) {
  DecodedTraces out = MustDecodeJson(
      R"({"future":{"x":[1,2]},"resourceSpans":[{"resource":null,"scopeSpans":[{"spans":[{)" +
      std::string(kIds) +
      R"(,"newField":"x","name":null,"events":null,)"
      R"("attributes":[{"key":"k","value":{"futureValue":1}}]}]}]}]})");
  ASSERT_EQ(out.batch.size(), 1u);
  EXPECT_EQ(out.batch.tags(0).service, "unknown_service");
  EXPECT_EQ(out.batch.attributes[0][0].value.type, ValueType::kEmpty);
}

TEST(OtlpJsonTest, InvalidHexIdRejectsOnlyThatSpan) {
  const std::string body = R"({"resourceSpans":[{"scopeSpans":[
    {"spans":[{)" + std::string(kIds) +
                           R"(,"name":"ok0"}]},
    {"spans":[{)" + std::string(kIds) +
                           R"(,"name":"ok1"},
              {"traceId":"0102","spanId":"1112131415161718","name":"short"},
              {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"zz12131415161718"},
              {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"1112131415161718",
               "links":[{"traceId":"nothex","spanId":"1112131415161718"}]},
              {)" + std::string(kIds) +
                           R"(,"name":"ok2","endTimeUnixNano":1,"startTimeUnixNano":2},
              {)" + std::string(kIds) +
                           R"(,"name":"ok3"}]}]}]})";
  DecodedTraces out = MustDecodeJson(body);
  EXPECT_EQ(out.rejected_spans, 4);
  EXPECT_NE(out.error_message.find("resourceSpans[0].scopeSpans[1].spans[1].traceId: not 32 hex "
                                   "digits"),
            std::string::npos)
      << out.error_message;
  EXPECT_NE(out.error_message.find("resourceSpans[0].scopeSpans[1].spans[2].spanId: not 16 hex"),
            std::string::npos);
  EXPECT_NE(out.error_message.find("spans[3].links[0].traceId: not 32 hex"), std::string::npos);
  ASSERT_EQ(out.batch.size(), 3u);
  EXPECT_EQ(out.batch.name, (std::vector<std::string>{"ok0", "ok1", "ok3"}));

  auto again = DecodeTracesProtobuf(out.wal_payload, "t1");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->rejected_spans, 0);
  ExpectIdentical(out.batch, again->batch);
}

TEST(OtlpJsonTest, InvalidSyntaxIsInvalidArgumentWithPosition) {
  auto r = DecodeTracesJson("{\n\"resourceSpans\": [\n  {\"scopeSpans\": [}\n]}", "t");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("invalid JSON at line 3 column"), std::string::npos)
      << r.status().message();
  for (const char* bad : {"", "{", "nul", "{\"resourceSpans\":[]} trailing", "\xff"}) {
    auto s = DecodeTracesJson(bad, "t");
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(OtlpJsonTest, WrongTypesNameTheirPath) {
  struct Case {
    std::string body;
    const char* want;
  };
  const Case cases[] = {
      {"[]", "body: expected a JSON object"},
      {R"({"resourceSpans":{}})", "resourceSpans: expected an array, got an object"},
      {OneSpan(std::string(kIds) + R"(,"name":5)"),
       "resourceSpans[0].scopeSpans[0].spans[0].name: expected a string, got a number"},
      {OneSpan(std::string(kIds) + R"(,"kind":"SPAN_KIND_BOGUS")"),
       "spans[0].kind: unknown SpanKind name \"SPAN_KIND_BOGUS\""},
      {OneSpan(std::string(kIds) + R"(,"startTimeUnixNano":-1)"),
       "spans[0].startTimeUnixNano: -1 is out of range"},
      {OneSpan(std::string(kIds) + R"(,"startTimeUnixNano":"12x")"),
       "spans[0].startTimeUnixNano: \"12x\" is not an integer"},
      {OneSpan(std::string(kIds) + R"(,"droppedAttributesCount":4294967296)"),
       "spans[0].droppedAttributesCount: 4294967296 is out of range"},
      {OneSpan(std::string(kIds) + R"(,"flags":1.5)"),
       "spans[0].flags: 1.5 is not an integer in range"},
      {OneSpan(std::string(kIds) + R"(,"trace_id":7)"),
       "spans[0].trace_id: expected a hex string, got a number"},
      {OneSpan(std::string(kIds) +
               R"(,"attributes":[{"key":"k","value":{"intValue":"9223372036854775808"}}])"),
       "spans[0].attributes[0].value.intValue: \"9223372036854775808\" is not an integer"},
      {OneSpan(std::string(kIds) + R"(,"attributes":[{"key":"k","value":{"bytesValue":"!!"}}])"),
       "spans[0].attributes[0].value.bytesValue: not base64"},
      {OneSpan(std::string(kIds) + R"(,"events":[{"name":["x"]}])"),
       "spans[0].events[0].name: expected a string, got an array"},
      {OneSpan(std::string(kIds) + R"(,"status":{"code":true})"),
       "spans[0].status.code: expected an integer, got a bool"},
  };
  for (const auto& c : cases) {
    auto r = DecodeTracesJson(c.body, "t");
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.want), std::string::npos)
        << "got: " << r.status().message() << "\nwant: " << c.want;
  }
}

TEST(OtlpJsonTest, RejectsTooDeepNesting) {
  std::string value = R"({"stringValue":"x"})";
  for (int i = 0; i < 40; ++i) value = R"({"arrayValue":{"values":[)" + value + "]}}";
  auto r = DecodeTracesJson(
      OneSpan(std::string(kIds) + R"(,"attributes":[{"key":"k","value":)" + value + "}]"), "t");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(OtlpJsonTest, Base64DecodesStandardAndUrlSafe) {
  EXPECT_EQ(Base64Decode("aGk="), "hi");
  EXPECT_EQ(Base64Decode("aGk"), "hi");
  EXPECT_EQ(Base64Decode("-_8="), std::string("\xfb\xff", 2));
  EXPECT_EQ(Base64Decode("+/8="), std::string("\xfb\xff", 2));
  EXPECT_EQ(Base64Decode(""), "");
  EXPECT_EQ(Base64Decode("a"), std::nullopt);
  EXPECT_EQ(Base64Decode("a b="), std::nullopt);
  EXPECT_EQ(Base64Decode(Base64Encode(std::string("\x00\x01\x02\x03\xff", 5))),
            std::string("\x00\x01\x02\x03\xff", 5));
}

}  // namespace
}  // namespace periscope
