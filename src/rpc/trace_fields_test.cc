#include <gtest/gtest.h>

#include <string>

#include "periscope/trace/context.h"
#include "periscope/trace/propagation.h"
#include "periscope/trace/span.h"
#include "rpc/frame.h"
#include "rpc/span_util.h"

namespace periscope::rpc::internal {
namespace {

trace::SpanContext SampleContext() {
  trace::SpanContext sc;
  sc.trace_id = *trace::TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e4736");
  sc.span_id = *trace::SpanId::FromHex("00f067aa0ba902b7");
  sc.flags.value = trace::TraceFlags::kSampled;
  return sc;
}

// Encodes a request as the client sends it and decodes it as the server reads it.
Result<RequestFrame> OverTheWire(RequestFrame frame) {
  FramePieces pieces = EncodeFramePieces(std::move(frame));
  std::string body = pieces.head.substr(kFrameHeaderSize) + pieces.payload;
  Result<FrameBody> parsed = ParseFrameBody(body);
  if (!parsed.ok()) return parsed.status();
  return Decode<RequestFrame>(parsed->encoded);
}

TEST(TraceFieldsTest, SpanContextRoundTripsThroughTheRequestFrame) {
  RequestFrame frame{.id = 1, .service = "svc", .method = "M"};
  SetTraceFields(SampleContext(), frame);
  Result<RequestFrame> back = OverTheWire(std::move(frame));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(back->metadata.empty());
  RemoteParent remote = ExtractRemoteParent(*back, back->metadata);
  ASSERT_TRUE(remote.span_context.IsValid());
  EXPECT_EQ(remote.span_context.trace_id, SampleContext().trace_id);
  EXPECT_EQ(remote.span_context.span_id, SampleContext().span_id);
  EXPECT_TRUE(remote.span_context.sampled());
  EXPECT_TRUE(remote.span_context.is_remote);
}

TEST(TraceFieldsTest, UnsampledFlagsSurvive) {
  trace::SpanContext sc = SampleContext();
  sc.flags.value = 0;
  RequestFrame frame;
  SetTraceFields(sc, frame);
  Result<RequestFrame> back = OverTheWire(std::move(frame));
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(ExtractRemoteParent(*back, back->metadata).span_context.sampled());
}

TEST(TraceFieldsTest, InjectWritesNoMetadataWithoutStateOrBaggage) {
  trace::Context context = trace::Context().WithRemoteSpanContext(SampleContext());
  RequestFrame frame;
  InjectContext(context, frame);
  EXPECT_TRUE(frame.metadata.empty());
  EXPECT_TRUE(HasTraceFields(frame));
  EXPECT_EQ(TraceFieldsContext(frame).span_id, SampleContext().span_id);
}

TEST(TraceFieldsTest, TraceStateAndBaggageTravelInTheMetadata) {
  trace::SpanContext sc = SampleContext();
  sc.trace_state = *trace::TraceState::Parse("vendor=value");
  trace::Context context =
      trace::Context().WithRemoteSpanContext(sc).WithBaggage(trace::Baggage().Set("user", "alice"));
  RequestFrame frame;
  InjectContext(context, frame);
  EXPECT_EQ(frame.metadata.count("traceparent"), 0u);
  Result<RequestFrame> back = OverTheWire(std::move(frame));
  ASSERT_TRUE(back.ok());
  RemoteParent remote = ExtractRemoteParent(*back, back->metadata);
  EXPECT_EQ(remote.span_context.trace_state.Get("vendor"), "value");
  EXPECT_EQ(remote.baggage.Get("user"), "alice");
  EXPECT_EQ(remote.span_context.span_id, sc.span_id);
}

// A call injects its CLIENT span's ids with its parent's baggage and tracestate rules, as if the
// parent context had that span; without a client span, the parent's span.
TEST(TraceFieldsTest, CallContextCarriesTheClientSpanAndTheParentsBaggage) {
  trace::SpanContext client_sc = SampleContext();
  client_sc.span_id = *trace::SpanId::FromHex("1111111111111111");
  client_sc.trace_state = *trace::TraceState::Parse("vendor=client");
  std::shared_ptr<trace::Span> client_span = trace::Span::NonRecording(client_sc);
  const trace::Context parent = trace::Context()
                                    .WithRemoteSpanContext(SampleContext())
                                    .WithBaggage(trace::Baggage().Set("user", "bob"));
  RequestFrame with_span;
  InjectCallContext(parent, &client_sc, with_span);
  RequestFrame expected;
  InjectContext(parent.WithSpan(client_span), expected);
  EXPECT_EQ(Encode(with_span), Encode(expected));
  EXPECT_EQ(TraceFieldsContext(with_span).span_id, client_sc.span_id);
  EXPECT_EQ(with_span.metadata.at("tracestate"), "vendor=client");
  EXPECT_EQ(trace::Baggage::Parse(with_span.metadata.at("baggage")).Get("user"), "bob");

  RequestFrame without_span;
  InjectCallContext(parent, nullptr, without_span);
  EXPECT_EQ(TraceFieldsContext(without_span).span_id, SampleContext().span_id);
  EXPECT_EQ(without_span.metadata.count("tracestate"), 0u);
}

TEST(TraceFieldsTest, TextTraceparentFromAnOlderPeerIsStillAccepted) {
  RequestFrame frame{.id = 1, .service = "svc", .method = "M"};
  frame.metadata["traceparent"] = trace::FormatTraceparent(SampleContext());
  Result<RequestFrame> back = OverTheWire(std::move(frame));
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(HasTraceFields(*back));
  RemoteParent remote = ExtractRemoteParent(*back, back->metadata);
  EXPECT_EQ(remote.span_context.trace_id, SampleContext().trace_id);
  EXPECT_EQ(remote.span_context.span_id, SampleContext().span_id);
}

TEST(TraceFieldsTest, BinaryFieldsWinOverTextTraceparent) {
  RequestFrame frame;
  trace::SpanContext other = SampleContext();
  other.span_id = *trace::SpanId::FromHex("1111111111111111");
  frame.metadata["traceparent"] = trace::FormatTraceparent(other);
  SetTraceFields(SampleContext(), frame);
  EXPECT_EQ(ExtractRemoteParent(frame, frame.metadata).span_context.span_id,
            SampleContext().span_id);
}

TEST(TraceFieldsTest, InvalidBinaryContextIsIgnored) {
  RequestFrame frame;
  frame.parent_span_id.value = 42;  // a span id without a trace id
  frame.trace_flags = 1;
  EXPECT_TRUE(HasTraceFields(frame));
  RemoteParent remote = ExtractRemoteParent(frame, frame.metadata);
  EXPECT_FALSE(remote.span_context.IsValid());
  frame.parent_span_id.value = 0;
  frame.trace_id_low.value = 7;  // a trace id without a span id
  EXPECT_FALSE(ExtractRemoteParent(frame, frame.metadata).span_context.IsValid());
}

// Field 11 (trace_flags) with the wrong wire type or an out-of-range value, and a truncated field
// 8: the frame does not decode (the server then closes the connection with INVALID_ARGUMENT).
TEST(TraceFieldsTest, MalformedFieldsFailToDecode) {
  RequestFrame frame{.id = 1, .service = "svc", .method = "M"};
  FramePieces pieces = EncodeFramePieces(std::move(frame));
  std::string body = pieces.head.substr(kFrameHeaderSize + 1) + pieces.payload;
  // body = varint struct length, then fields. Rebuild it with one extra field.
  auto with_field = [&](std::string_view extra) {
    serial::Reader r(body, DecodeLimits{});
    uint64_t len = 0;
    EXPECT_TRUE(r.Varint(len).ok());
    std::string fields = body.substr(body.size() - len);
    fields.append(extra);
    std::string out;
    serial::Writer w(out);
    w.Varint(fields.size());
    w.Bytes(fields);
    return out;
  };
  const std::string wrong_type = with_field(std::string("\x5a\x01x", 3));  // 11 << 3 | 2
  EXPECT_FALSE(Decode<RequestFrame>(wrong_type).ok());
  const std::string out_of_range = with_field(std::string("\x58\xac\x02", 3));  // 300
  Result<RequestFrame> r = Decode<RequestFrame>(out_of_range);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  const std::string truncated = with_field(std::string("\x40\xff\xff", 3));  // field 8
  EXPECT_FALSE(Decode<RequestFrame>(truncated).ok());
  const std::string short_fixed = with_field(std::string("\x41\x01\x02\x03", 4));  // 3 of 8
  EXPECT_FALSE(Decode<RequestFrame>(short_fixed).ok());
  const std::string as_bytes = with_field(std::string("\x42\x01x", 3));  // field 8, bytes
  EXPECT_FALSE(Decode<RequestFrame>(as_bytes).ok());
}

// The ids travel as fixed 8-byte fields (9 bytes each with the tag, not 11 as varints); an older
// peer's varints still give the same context.
TEST(TraceFieldsTest, IdsAreFixedWidthAndOlderPeersVarintsAreAccepted) {
  RequestFrame traced{.id = 1, .service = "svc", .method = "M"};
  SetTraceFields(SampleContext(), traced);
  RequestFrame plain{.id = 1, .service = "svc", .method = "M"};
  RequestFrame traced_copy = traced;
  const size_t traced_size = EncodeFramePieces(std::move(traced_copy)).head.size();
  EXPECT_EQ(traced_size - EncodeFramePieces(std::move(plain)).head.size(), 3 * 9 + 2u);  // + flags

  std::string fields;
  serial::Writer w(fields);
  w.Varint(0 << 3);
  w.Varint(1);
  w.Varint(1 << 3 | 2);
  w.Varint(3);
  w.Bytes("svc");
  for (uint64_t index : {8, 9, 10}) {
    w.Varint(index << 3);  // varint, as session-5 peers wrote them
    w.Varint(index == 8   ? traced.trace_id_low.value
             : index == 9 ? traced.trace_id_high.value
                          : traced.parent_span_id.value);
  }
  w.Varint(11 << 3);
  w.Varint(traced.trace_flags);
  std::string body;
  serial::Writer b(body);
  b.Varint(fields.size());
  b.Bytes(fields);
  Result<RequestFrame> old_peer = Decode<RequestFrame>(body);
  ASSERT_TRUE(old_peer.ok()) << old_peer.status().ToString();
  RequestFrame fast;
  ASSERT_TRUE(DecodeRequestFrame(body, DecodeLimits{}, fast).ok());
  for (const RequestFrame* frame : {&*old_peer, &fast}) {
    const trace::SpanContext sc = ExtractRemoteParent(*frame, frame->metadata).span_context;
    EXPECT_EQ(sc.trace_id, SampleContext().trace_id);
    EXPECT_EQ(sc.span_id, SampleContext().span_id);
    EXPECT_TRUE(sc.sampled());
  }
}

}  // namespace
}  // namespace periscope::rpc::internal
