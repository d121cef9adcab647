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

}  // namespace

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
