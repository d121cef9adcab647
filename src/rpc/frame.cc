#include "rpc/frame.h"

namespace periscope::rpc::internal {
namespace {

template <class T>
std::string Frame(FrameKind kind, const T& frame) {
  std::string out(kFrameHeaderSize, '\0');
  out.push_back(static_cast<char>(kind));
  EncodeTo(frame, out);
  uint32_t len = static_cast<uint32_t>(out.size() - kFrameHeaderSize);
  for (size_t i = 0; i < kFrameHeaderSize; ++i) out[i] = static_cast<char>(len >> (8 * i));
  return out;
}

void PutLength(std::string& out, size_t len) {
  for (size_t i = 0; i < kFrameHeaderSize; ++i) out[i] = static_cast<char>(len >> (8 * i));
}

// Appends field I of an aggregate the way the generic encoder does (tag, then value).
template <size_t I, class T>
void Field(serial::Writer& w, const T& value) {
  w.Varint((uint64_t{I} << 3) | static_cast<uint64_t>(serial::WireTypeOf<T>()));
  serial::EncodeValue(w, value);
}

// The head of a frame whose payload is field I, written last; the fields before it are written
// by `fields`.
template <size_t I, class F>
FramePieces Pieces(FrameKind kind, std::string&& payload, F fields) {
  // The struct is one length-delimited value: its length covers the fields and the payload.
  std::string body;
  serial::Writer b(body);
  fields(b);
  b.Varint((uint64_t{I} << 3) | static_cast<uint64_t>(WireType::kLengthDelimited));
  b.Varint(payload.size());
  FramePieces out;
  out.head.reserve(kFrameHeaderSize + 1 + 5 + body.size());
  out.head.assign(kFrameHeaderSize, '\0');
  out.head.push_back(static_cast<char>(kind));
  serial::Writer w(out.head);
  w.Varint(body.size() + payload.size());
  w.Bytes(body);
  PutLength(out.head, out.head.size() - kFrameHeaderSize + payload.size());
  out.payload = std::move(payload);
  return out;
}

// The pieces below list every field; a new field must be added to them too.
static_assert(boost::pfr::tuple_size_v<RequestFrame> == 12);
static_assert(boost::pfr::tuple_size_v<ResponseFrame> == 4);
static_assert(boost::pfr::tuple_size_v<MessageFrame> == 2);

}  // namespace

FramePieces EncodeFramePieces(RequestFrame&& f) {
  return Pieces<5>(FrameKind::kRequest, std::move(f.payload), [&f](serial::Writer& w) {
    Field<0>(w, f.id);
    Field<1>(w, f.service);
    Field<2>(w, f.method);
    Field<3>(w, f.deadline_unix_nanos);
    if (!f.metadata.empty()) Field<4>(w, f.metadata);
    Field<6>(w, f.call_kind);
    Field<7>(w, f.window);
    // Absent fields decode to their zero defaults.
    if (f.parent_span_id != 0 || f.trace_id_low != 0 || f.trace_id_high != 0) {
      Field<8>(w, f.trace_id_low);
      Field<9>(w, f.trace_id_high);
      Field<10>(w, f.parent_span_id);
      Field<11>(w, f.trace_flags);
    }
  });
}

FramePieces EncodeFramePieces(ResponseFrame&& f) {
  return Pieces<3>(FrameKind::kResponse, std::move(f.payload), [&f](serial::Writer& w) {
    Field<0>(w, f.id);
    Field<1>(w, f.code);
    Field<2>(w, f.message);
  });
}

FramePieces EncodeFramePieces(MessageFrame&& f) {
  return Pieces<1>(FrameKind::kMessage, std::move(f.payload),
                   [&f](serial::Writer& w) { Field<0>(w, f.id); });
}

std::string EncodeFrame(const RequestFrame& frame) { return Frame(FrameKind::kRequest, frame); }
std::string EncodeFrame(const ResponseFrame& frame) { return Frame(FrameKind::kResponse, frame); }
std::string EncodeFrame(const MessageFrame& frame) { return Frame(FrameKind::kMessage, frame); }
std::string EncodeControlFrame(FrameKind kind, uint64_t id, uint64_t value) {
  ControlFrame frame{id, value};
  return Frame(kind, frame);
}

Result<FrameBody> ParseFrameBody(std::string_view body) {
  if (body.empty()) return InvalidArgumentError("empty frame");
  auto kind = static_cast<uint8_t>(body[0]);
  if (kind < static_cast<uint8_t>(FrameKind::kRequest) ||
      kind > static_cast<uint8_t>(FrameKind::kCancel)) {
    return InvalidArgumentError("unknown frame kind " + std::to_string(kind));
  }
  return FrameBody{static_cast<FrameKind>(kind), body.substr(1)};
}

Status CheckFrameLength(uint32_t len, size_t max_frame_size) {
  if (len == 0) return InvalidArgumentError("frame of length 0");
  if (len > max_frame_size) {
    return ResourceExhaustedError("frame of " + std::to_string(len) +
                                  " bytes exceeds the limit of " + std::to_string(max_frame_size));
  }
  return Status::Ok();
}

}  // namespace periscope::rpc::internal
