#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "periscope/rpc/status.h"

namespace periscope::rpc::internal {

using Socket = boost::asio::generic::stream_protocol::socket;

// A connection that carries whole frames: a socket, or one end of an in-memory pair. Every method
// must be called on executor() (a strand); the object lives in a shared_ptr.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual boost::asio::any_io_executor executor() = 0;
  // The body (after the length prefix) of a frame already received, without waiting, or nullopt
  // when WaitForFrame must run first. The view stays valid until the next NextFrame or
  // WaitForFrame. A socket transport reads in big chunks, so one read serves many small frames
  // and a frame costs no coroutine frame of its own. RESOURCE_EXHAUSTED over max_frame_size
  // (checked before the body arrives), INVALID_ARGUMENT for length 0.
  virtual Result<std::optional<std::string_view>> NextFrame(size_t max_frame_size) = 0;
  // Waits until NextFrame has a frame or an error to return. UNAVAILABLE when the peer closed
  // (after every frame it sent was returned) or the connection failed.
  virtual boost::asio::awaitable<Status> WaitForFrame(size_t max_frame_size) = 0;
  // A string to decode a large payload of up to `bytes` bytes into, so that it needs no
  // allocation: the payload of a frame this transport wrote earlier, kept for its capacity
  // (at least `bytes`, at most twice that), or an empty string.
  virtual std::string TakeSpareString(size_t bytes) {
    (void)bytes;
    return std::string();
  }
  // Queues a whole frame (with its length prefix); dropped once the transport is closed.
  void Send(std::string frame) { Send(std::move(frame), std::string()); }
  // Queues a frame written as `head` then `payload` (see FramePieces): a big payload is written
  // from where it is, not copied.
  virtual void Send(std::string head, std::string payload) = 0;
  // Closes once every queued frame is written; later Sends are dropped.
  virtual void CloseAfterFlush() = 0;
  // Closes now; a pending WaitForFrame returns UNAVAILABLE.
  virtual void Close() = 0;
  // "ip:port", "unix" or "in-memory".
  virtual std::string peer() const = 0;
};

// A Transport over a stream socket whose executor is a strand.
std::shared_ptr<Transport> MakeSocketTransport(Socket socket);

// Two connected in-memory transports (no sockets): frames written to one are read from the
// other. Each end runs on its own strand of the given executors.
std::pair<std::shared_ptr<Transport>, std::shared_ptr<Transport>> MakeInMemoryPair(
    boost::asio::any_io_executor a, boost::asio::any_io_executor b);

}  // namespace periscope::rpc::internal
