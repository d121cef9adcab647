#include "ingest/otlp/trace_decoder.h"

#include <gtest/gtest.h>

#include <random>

#include "ingest/otlp/trace_test_util.h"
#include "model/span_batch_testing.h"

namespace periscope {
namespace {

namespace pb_collector = opentelemetry::proto::collector::trace::v1;
namespace pb_trace = opentelemetry::proto::trace::v1;
namespace pb_common = opentelemetry::proto::common::v1;
using testing::EncodeToProtobuf;
using testing::ExpectIdentical;
using testing::ExpectSameRows;

DecodedTraces MustDecode(std::string_view body, std::string_view tenant = "t1") {
  auto r = DecodeTracesProtobuf(body, tenant);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : DecodedTraces{};
}

pb_trace::Span* AddValidSpan(pb_trace::ScopeSpans* ss, uint8_t seed) {
  auto* span = ss->add_spans();
  span->set_trace_id(std::string(16, static_cast<char>(seed)));
  span->set_span_id(std::string(8, static_cast<char>(seed)));
  span->set_name("span" + std::to_string(seed));
  span->set_start_time_unix_nano(1000);
  span->set_end_time_unix_nano(2000);
  return span;
}

pb_common::KeyValue* AddAttr(google::protobuf::RepeatedPtrField<pb_common::KeyValue>* attrs,
                             const std::string& key) {
  auto* kv = attrs->Add();
  kv->set_key(key);
  return kv;
}

TEST(TraceDecoderTest, RoundTripsEveryField) {
  SpanBatch in = testing::MakeFullSpan();
  const std::string body = EncodeToProtobuf(in);
  DecodedTraces out = MustDecode(body);
  EXPECT_EQ(out.rejected_spans, 0);
  EXPECT_EQ(out.error_message, "");
  EXPECT_EQ(out.batch.tenant, "t1");
  ExpectSameRows(in, out.batch);
  EXPECT_EQ(out.wal_payload, body);
}

TEST(TraceDecoderTest, RoundTripsTestWorkload) {
  SpanBatch in = testing::MakeTestSpans(50, 4);
  DecodedTraces out = MustDecode(EncodeToProtobuf(in));
  EXPECT_EQ(out.rejected_spans, 0);
  ExpectSameRows(in, out.batch);
  EXPECT_EQ(out.batch.resources.size(), 4u);
  EXPECT_EQ(out.batch.scopes.size(), 1u);
}

TEST(TraceDecoderTest, EmptyTenantBecomesDefault) {
  DecodedTraces out = MustDecode(EncodeToProtobuf(testing::MakeFullSpan()), "");
  EXPECT_EQ(out.batch.tenant, "default");
}

TEST(TraceDecoderTest, EmptyBodyIsAnEmptyRequest) {
  DecodedTraces out = MustDecode("");
  EXPECT_TRUE(out.batch.empty());
  EXPECT_EQ(out.rejected_spans, 0);
}

TEST(TraceDecoderTest, ConvertsEveryAnyValueType) {
  pb_collector::ExportTraceServiceRequest req;
  auto* span = AddValidSpan(req.add_resource_spans()->add_scope_spans(), 1);
  auto* attrs = span->mutable_attributes();
  AddAttr(attrs, "str")->mutable_value()->set_string_value("a\"b");
  AddAttr(attrs, "bool")->mutable_value()->set_bool_value(false);
  AddAttr(attrs, "int")->mutable_value()->set_int_value(-42);
  AddAttr(attrs, "double")->mutable_value()->set_double_value(0.5);
  AddAttr(attrs, "bytes")->mutable_value()->set_bytes_value(std::string("\x00\xfe", 2));
  AddAttr(attrs, "unset");
  auto* arr = AddAttr(attrs, "array")->mutable_value()->mutable_array_value();
  arr->add_values()->set_string_value("a");
  arr->add_values()->set_int_value(1);
  arr->add_values()->set_bool_value(true);
  auto* inner = arr->add_values()->mutable_array_value();
  inner->add_values()->set_double_value(1.5);
  inner->add_values();
  auto* kv_in_arr = arr->add_values()->mutable_kvlist_value()->add_values();
  kv_in_arr->set_key("k");
  kv_in_arr->mutable_value()->set_string_value("v");
  arr->add_values()->set_bytes_value("hi");
  auto* list = AddAttr(attrs, "kvlist")->mutable_value()->mutable_kvlist_value();
  auto* a = list->add_values();
  a->set_key("n");
  a->mutable_value()->set_int_value(-3);
  auto* nested = list->add_values();
  nested->set_key("nested");
  auto* nested_list = nested->mutable_value()->mutable_kvlist_value()->add_values();
  nested_list->set_key("deep");
  nested_list->mutable_value()->mutable_array_value()->add_values()->set_double_value(
      std::numeric_limits<double>::infinity());

  DecodedTraces out = MustDecode(req.SerializeAsString());
  ASSERT_EQ(out.batch.size(), 1u);
  const Attributes& got = out.batch.attributes[0];
  ASSERT_EQ(got.size(), 8u);
  EXPECT_EQ(got[0], (KeyValue{"str", AnyValue::String("a\"b")}));
  EXPECT_EQ(got[1], (KeyValue{"bool", AnyValue::Bool(false)}));
  EXPECT_EQ(got[2], (KeyValue{"int", AnyValue::Int(-42)}));
  EXPECT_EQ(got[3], (KeyValue{"double", AnyValue::Double(0.5)}));
  EXPECT_EQ(got[4], (KeyValue{"bytes", AnyValue::Bytes(std::string("\x00\xfe", 2))}));
  EXPECT_EQ(got[5].value.type, ValueType::kEmpty);
  EXPECT_EQ(got[6].value.type, ValueType::kArray);
  EXPECT_EQ(got[6].value.str, R"(["a",1,true,[1.5,null],{"k":"v"},"aGk="])");
  EXPECT_EQ(got[7].value.type, ValueType::kKvList);
  EXPECT_EQ(got[7].value.str, R"({"n":-3,"nested":{"deep":["Infinity"]}})");
}

TEST(TraceDecoderTest, ExtractsUnifiedTags) {
  struct Case {
    std::vector<std::pair<std::string, std::string>> attrs;
    UnifiedTags want;
  };
  const Case cases[] = {
      {{{"service.name", "api"},
        {"deployment.environment", "old"},
        {"deployment.environment.name", "prod"},
        {"service.version", "1.0"},
        {"host.name", "h1"}},
       {"api", "prod", "1.0", "h1"}},
      {{{"service.name", "api"}, {"deployment.environment", "old"}}, {"api", "old", "", ""}},
      {{{"host.name", "h2"}}, {"unknown_service", "", "", "h2"}},
      {{}, {"unknown_service", "", "", ""}},
  };
  for (const auto& c : cases) {
    pb_collector::ExportTraceServiceRequest req;
    auto* rs = req.add_resource_spans();
    for (const auto& [k, v] : c.attrs) {
      AddAttr(rs->mutable_resource()->mutable_attributes(), k)
          ->mutable_value()
          ->set_string_value(v);
    }
    AddValidSpan(rs->add_scope_spans(), 1);
    DecodedTraces out = MustDecode(req.SerializeAsString());
    ASSERT_EQ(out.batch.size(), 1u);
    EXPECT_EQ(out.batch.tags(0), c.want) << c.want.service << " " << c.want.env;
  }
}

TEST(TraceDecoderTest, KeepsResourceAndScopeDetails) {
  pb_collector::ExportTraceServiceRequest req;
  auto* rs = req.add_resource_spans();
  rs->set_schema_url("rs-schema");
  rs->mutable_resource()->set_dropped_attributes_count(9);
  auto* ss = rs->add_scope_spans();
  ss->set_schema_url("ss-schema");
  ss->mutable_scope()->set_name("lib");
  ss->mutable_scope()->set_version("2");
  ss->mutable_scope()->set_dropped_attributes_count(1);
  AddAttr(ss->mutable_scope()->mutable_attributes(), "x")->mutable_value()->set_int_value(1);
  AddValidSpan(ss, 1);
  DecodedTraces out = MustDecode(req.SerializeAsString());
  ASSERT_EQ(out.batch.size(), 1u);
  EXPECT_EQ(out.batch.resource(0).schema_url, "rs-schema");
  EXPECT_EQ(out.batch.resource(0).dropped_attributes_count, 9u);
  EXPECT_EQ(out.batch.scope(0), (Scope{"lib", "2", {{"x", AnyValue::Int(1)}}, 1, "ss-schema"}));
}

TEST(TraceDecoderTest, DeduplicatesIdenticalResourcesAndScopes) {
  pb_collector::ExportTraceServiceRequest req;
  for (int i = 0; i < 3; ++i) {
    auto* rs = req.add_resource_spans();
    AddAttr(rs->mutable_resource()->mutable_attributes(), "service.name")
        ->mutable_value()
        ->set_string_value(i == 2 ? "other" : "same");
    for (int s = 0; s < 2; ++s) {
      auto* ss = rs->add_scope_spans();
      ss->mutable_scope()->set_name("scope");
      AddValidSpan(ss, static_cast<uint8_t>(1 + i * 2 + s));
    }
  }
  DecodedTraces out = MustDecode(req.SerializeAsString());
  ASSERT_EQ(out.batch.size(), 6u);
  EXPECT_EQ(out.batch.resources.size(), 2u);
  EXPECT_EQ(out.batch.scopes.size(), 1u);
  EXPECT_EQ(out.batch.resource_index, (std::vector<uint32_t>{0, 0, 0, 0, 1, 1}));
  EXPECT_EQ(out.batch.tags(5).service, "other");
}

TEST(TraceDecoderTest, MapsUnknownEnumValuesToUnspecified) {
  pb_collector::ExportTraceServiceRequest req;
  auto* span = AddValidSpan(req.add_resource_spans()->add_scope_spans(), 1);
  span->set_kind(static_cast<pb_trace::Span_SpanKind>(77));
  span->mutable_status()->set_code(static_cast<pb_trace::Status_StatusCode>(9));
  DecodedTraces out = MustDecode(req.SerializeAsString());
  ASSERT_EQ(out.batch.size(), 1u);
  EXPECT_EQ(out.batch.kind[0], SpanKind::kUnspecified);
  EXPECT_EQ(out.batch.status_code[0], StatusCodeValue::kUnset);
}

TEST(TraceDecoderTest, RejectsInvalidSpans) {
  struct Case {
    const char* name;
    void (*mutate)(pb_trace::Span*);
    const char* reason;
  };
  const Case cases[] = {
      {"short trace id", [](pb_trace::Span* s) { s->set_trace_id("abc"); }, "traceId is 3 bytes"},
      {"no trace id", [](pb_trace::Span* s) { s->clear_trace_id(); }, "traceId is 0 bytes"},
      {"zero trace id", [](pb_trace::Span* s) { s->set_trace_id(std::string(16, '\0')); },
       "traceId is all zero"},
      {"long span id", [](pb_trace::Span* s) { s->set_span_id(std::string(9, 'x')); },
       "spanId is 9 bytes"},
      {"zero span id", [](pb_trace::Span* s) { s->set_span_id(std::string(8, '\0')); },
       "spanId is all zero"},
      {"bad parent", [](pb_trace::Span* s) { s->set_parent_span_id("1234"); },
       "parentSpanId is 4 bytes"},
      {"end before start", [](pb_trace::Span* s) { s->set_end_time_unix_nano(999); },
       "endTimeUnixNano 999 is before startTimeUnixNano 1000"},
      {"time overflow", [](pb_trace::Span* s) { s->set_end_time_unix_nano(uint64_t{1} << 63); },
       "beyond the int64"},
      {"bad link", [](pb_trace::Span* s) { s->add_links()->set_trace_id("short"); },
       "links[0] ids are 5 and 0 bytes"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    pb_collector::ExportTraceServiceRequest req;
    auto* ss = req.add_resource_spans()->add_scope_spans();
    AddValidSpan(ss, 1);
    c.mutate(AddValidSpan(ss, 2));
    AddValidSpan(ss, 3);
    DecodedTraces out = MustDecode(req.SerializeAsString());
    EXPECT_EQ(out.rejected_spans, 1);
    EXPECT_NE(out.error_message.find("resourceSpans[0].scopeSpans[0].spans[1]: "),
              std::string::npos)
        << out.error_message;
    EXPECT_NE(out.error_message.find(c.reason), std::string::npos) << out.error_message;
    ASSERT_EQ(out.batch.size(), 2u);
    EXPECT_EQ(out.batch.name[0], "span1");
    EXPECT_EQ(out.batch.name[1], "span3");
  }
}

TEST(TraceDecoderTest, AcceptsEmptyOrZeroParentAndEqualTimes) {
  pb_collector::ExportTraceServiceRequest req;
  auto* ss = req.add_resource_spans()->add_scope_spans();
  AddValidSpan(ss, 1)->set_parent_span_id(std::string(8, '\0'));
  AddValidSpan(ss, 2)->set_end_time_unix_nano(1000);
  DecodedTraces out = MustDecode(req.SerializeAsString());
  EXPECT_EQ(out.rejected_spans, 0);
  ASSERT_EQ(out.batch.size(), 2u);
  EXPECT_TRUE(out.batch.parent_span_id[0].IsZero());
  EXPECT_EQ(out.batch.duration_ns(1), 0);
}

TEST(TraceDecoderTest, PartialRejectionWalPayloadRedecodesToSameBatch) {
  pb_collector::ExportTraceServiceRequest req;
  EncodeSpanBatch(testing::MakeTestSpans(20, 4), &req);
  // A resource whose only span is bad, and a scope of all bad spans inside a good resource.
  auto* bad_rs = req.add_resource_spans();
  AddAttr(bad_rs->mutable_resource()->mutable_attributes(), "service.name")
      ->mutable_value()
      ->set_string_value("all-bad");
  AddValidSpan(bad_rs->add_scope_spans(), 9)->clear_span_id();
  auto* bad_ss = req.mutable_resource_spans(0)->add_scope_spans();
  bad_ss->mutable_scope()->set_name("bad-scope");
  AddValidSpan(bad_ss, 7)->set_trace_id("x");
  AddValidSpan(bad_ss, 8)->set_trace_id("y");
  req.mutable_resource_spans(1)->mutable_scope_spans(0)->mutable_spans(0)->set_end_time_unix_nano(
      1);
  const std::string body = req.SerializeAsString();

  DecodedTraces out = MustDecode(body);
  EXPECT_EQ(out.rejected_spans, 4);
  EXPECT_NE(out.error_message.find("(and 1 more)"), std::string::npos) << out.error_message;
  EXPECT_EQ(out.batch.size(), 79u);
  for (const auto& s : out.batch.scopes) EXPECT_NE(s.name, "bad-scope");
  for (const auto& r : out.batch.resources) EXPECT_NE(r.tags.service, "all-bad");
  EXPECT_NE(out.wal_payload, body);

  pb_collector::ExportTraceServiceRequest wal;
  ASSERT_TRUE(wal.ParseFromString(out.wal_payload));
  for (const auto& rs : wal.resource_spans()) {
    ASSERT_GT(rs.scope_spans_size(), 0);
    for (const auto& ss : rs.scope_spans()) EXPECT_GT(ss.spans_size(), 0);
  }
  DecodedTraces again = MustDecode(out.wal_payload);
  EXPECT_EQ(again.rejected_spans, 0);
  EXPECT_EQ(again.wal_payload, out.wal_payload);
  ExpectIdentical(out.batch, again.batch);
}

TEST(TraceDecoderTest, DecodingIsDeterministic) {
  const std::string body = EncodeToProtobuf(testing::MakeTestSpans(30, 4, 7));
  DecodedTraces a = MustDecode(body);
  DecodedTraces b = MustDecode(a.wal_payload);
  ExpectIdentical(a.batch, b.batch);
}

TEST(TraceDecoderTest, AllRejectedGivesEmptyBatchAndPayload) {
  pb_collector::ExportTraceServiceRequest req;
  AddValidSpan(req.add_resource_spans()->add_scope_spans(), 1)->clear_trace_id();
  DecodedTraces out = MustDecode(req.SerializeAsString());
  EXPECT_EQ(out.rejected_spans, 1);
  EXPECT_TRUE(out.batch.empty());
  EXPECT_TRUE(out.batch.resources.empty());
  EXPECT_EQ(out.wal_payload, "");
}

TEST(TraceDecoderTest, DecodeTracesMessageRemovesRejectedSpans) {
  pb_collector::ExportTraceServiceRequest req;
  auto* ss = req.add_resource_spans()->add_scope_spans();
  AddValidSpan(ss, 1);
  AddValidSpan(ss, 2)->set_span_id("");
  DecodedTraces out = DecodeTracesMessage(req, "grpc");
  EXPECT_EQ(out.rejected_spans, 1);
  EXPECT_EQ(out.batch.tenant, "grpc");
  ASSERT_EQ(req.resource_spans(0).scope_spans(0).spans_size(), 1);
  EXPECT_EQ(out.wal_payload, req.SerializeAsString());
  ExpectIdentical(out.batch, MustDecode(out.wal_payload, "grpc").batch);
}

TEST(TraceDecoderTest, TruncatedProtobufIsInvalidArgument) {
  const std::string body = EncodeToProtobuf(testing::MakeTestSpans(3, 4));
  for (size_t cut : {body.size() - 1, body.size() - 10, body.size() / 2, size_t{1}}) {
    auto r = DecodeTracesProtobuf(std::string_view(body).substr(0, cut), "t");
    ASSERT_FALSE(r.ok()) << cut;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("invalid ExportTraceServiceRequest"), std::string::npos);
  }
  auto r = DecodeTracesProtobuf(std::string_view(body).substr(0, body.size() - 1), "t");
  EXPECT_NE(r.status().message().find("resourceSpans["), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("declares"), std::string::npos) << r.status().message();
}

TEST(TraceDecoderTest, GarbageProtobufIsInvalidArgument) {
  const std::string inputs[] = {
      std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 11),
      std::string("\x0f", 1),                      // wire type 7
      std::string("\x0a\x05\x12\x03\x0a\x01", 6),  // nested length runs past its parent
      "{\"resourceSpans\":[]}",
  };
  for (const auto& in : inputs) {
    auto r = DecodeTracesProtobuf(in, "t");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
  std::mt19937 rng(3);
  for (int i = 0; i < 200; ++i) {
    std::string junk(static_cast<size_t>(rng() % 300), '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    auto r = DecodeTracesProtobuf(junk, "t");  // must not crash; either outcome is fine
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    }
  }
}

TEST(TraceDecoderTest, NamesTheMalformedSpan) {
  pb_collector::ExportTraceServiceRequest req;
  auto* ss = req.add_resource_spans()->add_scope_spans();
  AddValidSpan(ss, 1);
  AddValidSpan(ss, 2)->set_name("\xff\xfe bad utf8");
  // Serializing invalid UTF-8 only logs; the bytes go out as they are.
  const std::string body = req.SerializeAsString();
  auto r = DecodeTracesProtobuf(body, "t");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(
      r.status().message().find("resourceSpans[0].scopeSpans[0].spans[1].name: invalid UTF-8"),
      std::string::npos)
      << r.status().message();
}

TEST(TraceDecoderTest, EncodesResponses) {
  pb_collector::ExportTraceServiceResponse resp;
  ASSERT_TRUE(resp.ParseFromString(EncodeTraceResponse(0, "", false)));
  EXPECT_FALSE(resp.has_partial_success());
  ASSERT_TRUE(resp.ParseFromString(EncodeTraceResponse(3, "bad \"ids\"", false)));
  EXPECT_EQ(resp.partial_success().rejected_spans(), 3);
  EXPECT_EQ(resp.partial_success().error_message(), "bad \"ids\"");
  EXPECT_EQ(EncodeTraceResponse(0, "", true), "{}");
  EXPECT_EQ(EncodeTraceResponse(3, "bad \"ids\"", true),
            R"({"partialSuccess":{"rejectedSpans":"3","errorMessage":"bad \"ids\""}})");
}

}  // namespace
}  // namespace periscope
