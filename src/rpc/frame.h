#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "periscope/rpc/call.h"
#include "periscope/rpc/serialize.h"
#include "periscope/rpc/status.h"

namespace periscope::rpc::internal {

using Socket = boost::asio::generic::stream_protocol::socket;

enum class FrameKind : uint8_t { kRequest = 1, kResponse = 2 };

// A call from client to server. Fields may only be added at the end (see serialize.h).
struct RequestFrame {
  uint64_t id = 0;  // non-zero, unique among the connection's calls in flight
  std::string service;
  std::string method;
  uint64_t deadline_unix_nanos = 0;  // 0: none
  Metadata metadata;
  std::string payload;
};

// The outcome of a call; id 0 reports a connection-level error before the peer closes.
struct ResponseFrame {
  uint64_t id = 0;
  int32_t code = 0;
  std::string message;
  std::string payload;
};

inline constexpr size_t kFrameHeaderSize = 4;

// The whole frame: length prefix, kind byte, encoded struct.
std::string EncodeFrame(const RequestFrame& frame);
std::string EncodeFrame(const ResponseFrame& frame);

// A decoded frame body of either kind.
struct FrameBody {
  FrameKind kind;
  std::string_view encoded;
};
// Splits a frame body (after the length prefix) into its kind and encoded struct;
// INVALID_ARGUMENT for an empty body or unknown kind.
Result<FrameBody> ParseFrameBody(std::string_view body);

// Reads one frame body. UNAVAILABLE when the peer closed or the socket failed (the message says
// which), RESOURCE_EXHAUSTED when the announced length is over max_frame_size, INVALID_ARGUMENT
// for a zero length.
boost::asio::awaitable<Result<std::string>> ReadFrame(Socket& socket, size_t max_frame_size);

// Serialises writes of whole frames to a socket. Must be used on the socket's strand only.
class FrameWriter {
 public:
  explicit FrameWriter(Socket& socket) : socket_(socket) {}
  // Queues a frame; owner keeps the connection alive until the write completes.
  void Send(std::string frame, std::shared_ptr<void> owner);
  // Closes the socket once every queued frame is written.
  void CloseAfterFlush(std::shared_ptr<void> owner);

 private:
  boost::asio::awaitable<void> WriteLoop(std::shared_ptr<void> owner);

  Socket& socket_;
  std::deque<std::string> queue_;
  bool writing_ = false;
  bool close_after_flush_ = false;
};

// Closes a socket, ignoring errors.
void CloseSocket(Socket& socket);

}  // namespace periscope::rpc::internal
