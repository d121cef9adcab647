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

TEST(FramePiecesTest, EmptyPayload) {
  FramePieces pieces = EncodeFramePieces(ResponseFrame{.id = 1});
  EXPECT_TRUE(pieces.payload.empty());
  ResponseFrame back = DecodeBody<ResponseFrame>(pieces.head, FrameKind::kResponse);
  EXPECT_EQ(back.id, 1u);
  EXPECT_TRUE(back.payload.empty());
}

}  // namespace
}  // namespace periscope::rpc::internal
