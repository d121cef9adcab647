#pragma once

#include <gtest/gtest.h>

#include <string>

#include "ingest/otlp/trace_encoder.h"
#include "model/span_batch.h"

namespace periscope::testing {

// Expects both batches to hold the same rows in the same order, each with an equal resource and
// scope (pool order may differ).
inline void ExpectSameRows(const SpanBatch& a, const SpanBatch& b) {
  ASSERT_TRUE(a.IsConsistent());
  ASSERT_TRUE(b.IsConsistent());
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE("row " + std::to_string(i));
    EXPECT_EQ(a.resource(i), b.resource(i));
    EXPECT_EQ(a.scope(i), b.scope(i));
    EXPECT_EQ(a.trace_id[i], b.trace_id[i]);
    EXPECT_EQ(a.span_id[i], b.span_id[i]);
    EXPECT_EQ(a.parent_span_id[i], b.parent_span_id[i]);
    EXPECT_EQ(a.trace_state[i], b.trace_state[i]);
    EXPECT_EQ(a.flags[i], b.flags[i]);
    EXPECT_EQ(a.name[i], b.name[i]);
    EXPECT_EQ(a.kind[i], b.kind[i]);
    EXPECT_EQ(a.start_ns[i], b.start_ns[i]);
    EXPECT_EQ(a.end_ns[i], b.end_ns[i]);
    EXPECT_EQ(a.attributes[i], b.attributes[i]);
    EXPECT_EQ(a.dropped_attributes_count[i], b.dropped_attributes_count[i]);
    EXPECT_EQ(a.events[i], b.events[i]);
    EXPECT_EQ(a.dropped_events_count[i], b.dropped_events_count[i]);
    EXPECT_EQ(a.links[i], b.links[i]);
    EXPECT_EQ(a.dropped_links_count[i], b.dropped_links_count[i]);
    EXPECT_EQ(a.status_code[i], b.status_code[i]);
    EXPECT_EQ(a.status_message[i], b.status_message[i]);
  }
}

// Expects the batches to be identical, pools and their order included.
inline void ExpectIdentical(const SpanBatch& a, const SpanBatch& b) {
  EXPECT_EQ(a.tenant, b.tenant);
  EXPECT_EQ(a.resources, b.resources);
  EXPECT_EQ(a.scopes, b.scopes);
  EXPECT_EQ(a.resource_index, b.resource_index);
  EXPECT_EQ(a.scope_index, b.scope_index);
  ExpectSameRows(a, b);
}

// The OTLP protobuf bytes of `batch`.
inline std::string EncodeToProtobuf(const SpanBatch& batch) {
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest req;
  EncodeSpanBatch(batch, &req);
  return req.SerializeAsString();
}

// One batch row with every field set, on resource/scope pools of its own.
inline SpanBatch MakeFullSpan() {
  SpanBatch b;
  Resource r;
  r.attributes = {{"service.name", AnyValue::String("svc")},
                  {"deployment.environment", AnyValue::String("legacy-env")},
                  {"k8s.pod.uid", AnyValue::Bytes(std::string("\x00\x01\xff", 3))}};
  r.dropped_attributes_count = 2;
  r.schema_url = "https://opentelemetry.io/schemas/1.26.0";
  r.tags = ExtractUnifiedTags(r.attributes);
  b.resources.push_back(r);
  b.scopes.push_back(
      Scope{"io.scope", "3.1", {{"scope.attr", AnyValue::Int(-7)}}, 4, "https://scope.schema"});
  size_t i = b.AddRow(0, 0);
  b.trace_id[i] = *TraceId::FromHex("0102030405060708090a0b0c0d0e0f10");
  b.span_id[i] = *SpanId::FromHex("1112131415161718");
  b.parent_span_id[i] = *SpanId::FromHex("2122232425262728");
  b.trace_state[i] = "vendor=value";
  b.flags[i] = 0x301;
  b.name[i] = "operation \"quoted\" \xc3\xa9";
  b.kind[i] = SpanKind::kProducer;
  b.start_ns[i] = 1'700'000'000'000'000'000;
  b.end_ns[i] = 1'700'000'000'123'456'789;
  b.attributes[i] = {{"s", AnyValue::String("v")},
                     {"b", AnyValue::Bool(true)},
                     {"neg", AnyValue::Int(-9'000'000'000'000'000'000)},
                     {"d", AnyValue::Double(-2.5e-300)},
                     {"raw", AnyValue::Bytes(std::string("\x00\x80", 2))},
                     {"empty", AnyValue{}}};
  b.dropped_attributes_count[i] = 3;
  b.events[i] = {SpanEvent{1'700'000'000'000'000'100, "ev", {{"e", AnyValue::Int(1)}}, 5},
                 SpanEvent{1'700'000'000'000'000'200, "ev2", {}, 0}};
  b.dropped_events_count[i] = 6;
  b.links[i] = {SpanLink{*TraceId::FromHex("ffeeddccbbaa99887766554433221100"),
                         *SpanId::FromHex("0011223344556677"),
                         "ls=1",
                         {{"la", AnyValue::String("x")}},
                         7,
                         0x100}};
  b.dropped_links_count[i] = 8;
  b.status_code[i] = StatusCodeValue::kError;
  b.status_message[i] = "failed";
  return b;
}

}  // namespace periscope::testing
