#include "rpc/frame.h"

#include <gtest/gtest.h>

#include <string>

namespace periscope::rpc::internal {
namespace {

// The body of a whole frame after its length prefix, checking that the prefix matches.
std::string BodyOf(const std::string& frame) {
  uint32_t len = 0;
  for (size_t i = 0; i < kFrameHeaderSize; ++i) {
    len |= static_cast<uint32_t>(static_cast<uint8_t>(frame[i])) << (8 * i);
  }
  EXPECT_EQ(len, frame.size() - kFrameHeaderSize);
  return frame.substr(kFrameHeaderSize);
}

template <class T>
T DecodeBody(const std::string& frame, FrameKind kind) {
  const std::string bytes = BodyOf(frame);
  Result<FrameBody> body = ParseFrameBody(bytes);
  EXPECT_TRUE(body.ok());
  EXPECT_EQ(body->kind, kind);
  Result<T> decoded = Decode<T>(body->encoded);
  EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
  return decoded.ok() ? *decoded : T{};
}

TEST(FramePiecesTest, RequestRoundTripsWithThePayloadLast) {
  RequestFrame frame{.id = 42,
                     .service = "svc",
                     .method = "M",
                     .deadline_unix_nanos = 123456789,
                     .metadata = {{"traceparent", "tp"}, {"k", "v"}},
                     .payload = std::string(100000, 'p'),
                     .call_kind = 3,
                     .window = 16};
  RequestFrame copy = frame;
  FramePieces pieces = EncodeFramePieces(std::move(copy));
  EXPECT_TRUE(pieces.payload == frame.payload) << pieces.payload.size();
  RequestFrame back = DecodeBody<RequestFrame>(pieces.head + pieces.payload, FrameKind::kRequest);
  EXPECT_EQ(back.id, 42u);
  EXPECT_EQ(back.service, "svc");
  EXPECT_EQ(back.method, "M");
  EXPECT_EQ(back.deadline_unix_nanos, 123456789u);
  EXPECT_EQ(back.metadata, frame.metadata);
  EXPECT_TRUE(back.payload == frame.payload);
  EXPECT_EQ(back.call_kind, 3);
  EXPECT_EQ(back.window, 16u);
}

TEST(FramePiecesTest, ResponseAndMessageMatchTheWholeFrameEncoding) {
  ResponseFrame response{.id = 7, .code = 5, .message = "not found", .payload = "reply"};
  ResponseFrame response_copy = response;
  FramePieces r = EncodeFramePieces(std::move(response_copy));
  // The payload is the last field of these structs: the pieces are byte for byte EncodeFrame.
  EXPECT_EQ(r.head + r.payload, EncodeFrame(response));
  MessageFrame message{.id = 9, .payload = std::string(5000, 'm')};
  MessageFrame message_copy = message;
  FramePieces m = EncodeFramePieces(std::move(message_copy));
  EXPECT_EQ(m.head + m.payload, EncodeFrame(message));
}

TEST(FramePiecesTest, SmallPayloadIsWrittenIntoTheHead) {
  ResponseFrame response{.id = 3, .code = 0, .message = "", .payload = std::string(100, 'r')};
  ResponseFrame copy = response;
  FramePieces small = EncodeFramePieces(std::move(copy));
  EXPECT_TRUE(small.payload.empty());
  EXPECT_EQ(small.head, EncodeFrame(response));
  RequestFrame request{.id = 5,
                       .service = "a.service.name.longer.than.sso",
                       .method = "Method",
                       .payload = std::string(kSeparatePayloadBytes - 1, 'q')};
  RequestFrame request_copy = request;
  FramePieces pieces = EncodeFramePieces(std::move(request_copy));
  EXPECT_TRUE(pieces.payload.empty());
  RequestFrame back = DecodeBody<RequestFrame>(pieces.head, FrameKind::kRequest);
  EXPECT_EQ(back.service, request.service);
  EXPECT_EQ(back.method, "Method");
  EXPECT_TRUE(back.payload == request.payload);
  // From the threshold on, the payload is a piece of its own.
  ResponseFrame big{.id = 4, .payload = std::string(kSeparatePayloadBytes, 'b')};
  ResponseFrame big_copy = big;
  FramePieces separate = EncodeFramePieces(std::move(big_copy));
  EXPECT_EQ(separate.payload.size(), kSeparatePayloadBytes);
  EXPECT_EQ(separate.head + separate.payload, EncodeFrame(big));
}

// The trace fields are written as one block; every flags value must decode, through the fast
// path (flags < 0x80) or field by field, to what the generic decoder reads.
TEST(FramePiecesTest, TraceFieldsRoundTripForEveryFlagsValue) {
  for (int flags : {0, 1, 0x7f, 0x80, 0xff}) {
    RequestFrame frame{.id = 11,
                       .service = "svc",
                       .method = "M",
                       .payload = "p",
                       .trace_id_low = {0x0102030405060708ull},
                       .trace_id_high = {~0ull},
                       .parent_span_id = {0x8000000000000001ull},
                       .trace_flags = static_cast<uint8_t>(flags)};
    RequestFrame copy = frame;
    FramePieces pieces = EncodeFramePieces(std::move(copy));
    const std::string body = BodyOf(pieces.head + pieces.payload);
    Result<FrameBody> parsed = ParseFrameBody(body);
    ASSERT_TRUE(parsed.ok());
    Result<RequestFrame> generic = Decode<RequestFrame>(parsed->encoded);
    ASSERT_TRUE(generic.ok()) << generic.status().ToString();
    EXPECT_EQ(Encode(*generic), Encode(frame)) << flags;
    RequestFrame fast;
    ASSERT_TRUE(DecodeRequestFrame(parsed->encoded, DecodeLimits{}, fast).ok()) << flags;
    EXPECT_EQ(Encode(fast), Encode(frame)) << flags;
  }
}

TEST(FramePiecesTest, EmptyPayload) {
  FramePieces pieces = EncodeFramePieces(ResponseFrame{.id = 1});
  EXPECT_TRUE(pieces.payload.empty());
  ResponseFrame back = DecodeBody<ResponseFrame>(pieces.head, FrameKind::kResponse);
  EXPECT_EQ(back.id, 1u);
  EXPECT_TRUE(back.payload.empty());
}

// A struct's encoding from raw field bytes: its length, then the bytes.
std::string Struct(const std::string& fields) {
  std::string out;
  serial::Writer w(out);
  w.Varint(fields.size());
  w.Bytes(fields);
  return out;
}

// Field bytes written by hand: tag, then a varint or a length-prefixed string.
std::string VarintField(uint64_t index, uint64_t value) {
  std::string out;
  serial::Writer w(out);
  w.Varint(index << 3);
  w.Varint(value);
  return out;
}
std::string Fixed64Field(uint64_t index, uint64_t value) {
  std::string out;
  serial::Writer w(out);
  w.Varint((index << 3) | 1);
  w.Fixed64(value);
  return out;
}
std::string BytesField(uint64_t index, std::string_view value) {
  std::string out;
  serial::Writer w(out);
  w.Varint((index << 3) | 2);
  w.Varint(value.size());
  w.Bytes(value);
  return out;
}

void ExpectSameAsGeneric(const std::string& encoded, const std::string& what) {
  RequestFrame fast;
  Status st = DecodeRequestFrame(encoded, DecodeLimits{}, fast);
  Result<RequestFrame> generic = Decode<RequestFrame>(encoded);
  ASSERT_EQ(st.ok(), generic.ok()) << what << ": " << st.ToString();
  if (!st.ok()) {
    EXPECT_EQ(st, generic.status()) << what;
    return;
  }
  EXPECT_EQ(Encode(fast), Encode(*generic)) << what;
}

TEST(FrameDecodeTest, RequestFastPathMatchesTheGenericDecoder) {
  RequestFrame full{.id = 1ull << 40,
                    .service = "periscope.bench.Bench",
                    .method = "Echo",
                    .deadline_unix_nanos = 1234567890123456789ull,
                    .metadata = {{"tracestate", "a=b"}, {"baggage", "k=v"}},
                    .payload = std::string(300, 'p'),
                    .call_kind = 3,
                    .window = 64,
                    .trace_id_low = {~0ull},
                    .trace_id_high = {7},
                    .parent_span_id = {1ull << 63},
                    .trace_flags = 1};
  const std::string whole = EncodeFrame(full);
  const std::string encoded = whole.substr(kFrameHeaderSize + 1);
  RequestFrame fast;
  ASSERT_TRUE(DecodeRequestFrame(encoded, DecodeLimits{}, fast).ok());
  EXPECT_EQ(Encode(fast), Encode(full));
  const std::string base = VarintField(0, 9) + BytesField(1, "svc") + BytesField(2, "M");
  const struct {
    std::string what;
    std::string encoded;
  } cases[] = {
      {"all fields", encoded},
      {"only an id", Struct(VarintField(0, 5))},
      {"a field from a newer peer", Struct(base + VarintField(12, 3) + BytesField(13, "x"))},
      {"a field twice", Struct(base + BytesField(1, "again"))},
      {"service as a varint", Struct(VarintField(0, 9) + VarintField(1, 4))},
      {"call kind out of range", Struct(base + VarintField(6, 300))},
      {"trace flags out of range", Struct(base + VarintField(11, 256))},
      {"trace ids as fixed64",
       Struct(base + Fixed64Field(8, ~0ull) + Fixed64Field(9, 7) + Fixed64Field(10, 1ull << 63))},
      {"trace fields in another order", Struct(base + Fixed64Field(8, 5) + Fixed64Field(10, 6) +
                                               Fixed64Field(9, 7) + VarintField(11, 1))},
      {"trace block cut short", Struct(base + Fixed64Field(8, 5) + Fixed64Field(9, 7))},
      {"trace block with a two-byte flags varint",
       Struct(base + Fixed64Field(8, 5) + Fixed64Field(9, 7) + Fixed64Field(10, 6) +
              VarintField(11, 0x81))},
      {"trace block with a field from a newer peer after it",
       Struct(base + Fixed64Field(8, 5) + Fixed64Field(9, 7) + Fixed64Field(10, 6) +
              VarintField(11, 1) + VarintField(12, 3))},
      {"trace ids as varints (an older peer)",
       Struct(base + VarintField(8, ~0ull) + VarintField(9, 7) + VarintField(10, 1ull << 63))},
      {"trace id as bytes", Struct(base + BytesField(8, "12345678"))},
      {"truncated fixed64 trace id", Struct(base + std::string("\x41\x01\x02", 3))},
      {"window out of range", Struct(base + VarintField(7, 1ull << 33))},
      {"string longer than the struct", Struct(VarintField(0, 9) + "\x0a\x10" + "ab")},
      {"truncated varint", Struct(std::string("\x00\xff", 2))},
      {"bad metadata", Struct(base + BytesField(4, "\x05"))},
      {"trailing bytes", Struct(base) + "z"},
      {"length past the end", "\x7f" + base},
      {"empty", ""},
  };
  for (const auto& c : cases) ExpectSameAsGeneric(c.encoded, c.what);
}

TEST(FrameDecodeTest, ResponseFastPathMatchesTheGenericDecoder) {
  const struct {
    std::string what;
    std::string encoded;
  } cases[] = {
      {"all fields",
       EncodeFrame(ResponseFrame{.id = 3, .code = 14, .message = "gone", .payload = "p"})
           .substr(kFrameHeaderSize + 1)},
      {"negative code", Struct(VarintField(0, 1) + VarintField(1, 5))},
      {"code out of int32", Struct(VarintField(0, 1) + VarintField(1, 1ull << 40))},
      {"message as a varint", Struct(VarintField(0, 1) + VarintField(2, 1))},
      {"unknown field", Struct(VarintField(0, 1) + BytesField(9, "later"))},
      {"trailing bytes", Struct(VarintField(0, 1)) + "!"},
  };
  for (const auto& c : cases) {
    ResponseFrame fast;
    Status st = DecodeResponseFrame(c.encoded, DecodeLimits{}, fast);
    Result<ResponseFrame> generic = Decode<ResponseFrame>(c.encoded);
    ASSERT_EQ(st.ok(), generic.ok()) << c.what << ": " << st.ToString();
    if (st.ok()) {
      EXPECT_EQ(Encode(fast), Encode(*generic)) << c.what;
    } else {
      EXPECT_EQ(st, generic.status()) << c.what;
    }
  }
  ResponseFrame negative;
  ASSERT_TRUE(
      DecodeResponseFrame(Struct(VarintField(0, 1) + VarintField(1, 5)), DecodeLimits{}, negative)
          .ok());
  EXPECT_EQ(negative.code, -3);
}

}  // namespace
}  // namespace periscope::rpc::internal
