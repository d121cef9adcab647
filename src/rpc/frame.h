#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "periscope/rpc/call.h"
#include "periscope/rpc/serialize.h"
#include "periscope/rpc/status.h"

namespace periscope::rpc::internal {

// Kinds of frames. Requests, stream messages, half-closes and cancels flow client to server;
// responses flow server to client; messages and credits flow both ways.
enum class FrameKind : uint8_t {
  kRequest = 1,
  kResponse = 2,
  kMessage = 3,    // MessageFrame: one message of a stream
  kHalfClose = 4,  // ControlFrame: the client sends no more messages on this stream
  kCredit = 5,     // ControlFrame: the sender may send `value` more messages on this stream
  kCancel = 6,     // ControlFrame: the client gave up the call; the server cancels its handler
};

// A call from client to server. Fields may only be added at the end (see serialize.h).
struct RequestFrame {
  uint64_t id = 0;  // non-zero, unique among the connection's calls in flight
  std::string service;
  std::string method;
  uint64_t deadline_unix_nanos = 0;  // 0: none
  Metadata metadata;
  std::string payload;    // the request (unary and server streams); empty otherwise
  uint8_t call_kind = 0;  // CallKind
  uint32_t window = 0;    // stream messages the client accepts before it grants more credit
  // The caller's span context in binary (TraceContextFields in span_util.h), instead of a text
  // `traceparent` in the metadata: trace id as two little-endian halves, span id (fixed 8-byte
  // fields; varints from older peers are accepted), W3C flags. All zero: none. tracestate and
  // baggage stay in the metadata (only when non-empty).
  Fixed64 trace_id_low;
  Fixed64 trace_id_high;
  Fixed64 parent_span_id;
  uint8_t trace_flags = 0;
};

// The outcome of a call (ends it); id 0 reports a connection-level error before the peer closes.
struct ResponseFrame {
  uint64_t id = 0;
  int32_t code = 0;
  std::string message;
  std::string payload;
};

// One message of a stream, in either direction.
struct MessageFrame {
  uint64_t id = 0;
  std::string payload;
};

// Half-close, credit and cancel frames.
struct ControlFrame {
  uint64_t id = 0;
  uint64_t value = 0;
};

inline constexpr size_t kFrameHeaderSize = 4;
// Frames longer than this are large: a socket transport reads them into its reusable
// large-frame buffer, and the connections decode their payloads into its spare string.
inline constexpr size_t kLargeFrameBytes = 32 << 10;

// The whole frame: length prefix, kind byte, encoded struct.
std::string EncodeFrame(const RequestFrame& frame);
std::string EncodeFrame(const ResponseFrame& frame);
std::string EncodeFrame(const MessageFrame& frame);
std::string EncodeControlFrame(FrameKind kind, uint64_t id, uint64_t value = 0);

// A frame to write as two pieces, so that a big payload is never copied into the frame: `head`
// (length prefix, kind and every field but the payload, then the payload's tag and length) and
// the payload bytes, which come last on the wire. A payload shorter than kSeparatePayloadBytes
// is written into `head` instead (one string, allocated once at its final size) and `payload`
// is empty. Decodes to the same struct as EncodeFrame (fields are identified by their tags, not
// their order).
struct FramePieces {
  std::string head;
  std::string payload;
};
// Payloads shorter than this are copied into their frame's head: a copy costs less than a
// buffer of their own in the gather write.
inline constexpr size_t kSeparatePayloadBytes = 4096;
FramePieces EncodeFramePieces(RequestFrame&& frame);
// As above, taking only the frame's payload: its other fields are left as they were.
FramePieces EncodeRequestPieces(RequestFrame& frame);
FramePieces EncodeFramePieces(ResponseFrame&& frame);
FramePieces EncodeFramePieces(MessageFrame&& frame);

// A decoded frame body of either kind.
struct FrameBody {
  FrameKind kind;
  std::string_view encoded;
};
// Splits a frame body (after the length prefix) into its kind and encoded struct;
// INVALID_ARGUMENT for an empty body or unknown kind.
Result<FrameBody> ParseFrameBody(std::string_view body);

// Decode<RequestFrame> / Decode<ResponseFrame> of a frame's encoded struct (FrameBody::encoded)
// into `out`, with a fast path for the fields and wire types this version writes: bytes it does
// not take (unknown fields from newer peers, malformed input) go through the generic decoder,
// so the outcome and error messages are the same. INVALID_ARGUMENT when malformed.
Status DecodeRequestFrame(std::string_view encoded, const DecodeLimits& limits, RequestFrame& out);
Status DecodeResponseFrame(std::string_view encoded, const DecodeLimits& limits,
                           ResponseFrame& out);

// Checks a frame's announced length: INVALID_ARGUMENT for 0, RESOURCE_EXHAUSTED over the limit.
Status CheckFrameLength(uint32_t len, size_t max_frame_size);

// The length of length-delimited field `field` of an encoded struct (FrameBody::encoded), found
// by skipping the fields before it (cheap when it comes last, as this version writes payloads);
// 0 when absent or malformed. Sizes the string a large payload is decoded into.
size_t EncodedFieldLength(std::string_view encoded, uint64_t field);

}  // namespace periscope::rpc::internal
