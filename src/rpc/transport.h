#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <memory>
#include <string>
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
  // Reads one frame body (after the length prefix). A socket transport reads in big chunks and
  // returns the frames already buffered without touching the socket. UNAVAILABLE when the peer
  // closed or the connection failed, RESOURCE_EXHAUSTED over max_frame_size, INVALID_ARGUMENT for
  // length 0.
  virtual boost::asio::awaitable<Result<std::string>> ReadFrame(size_t max_frame_size) = 0;
  // Queues a whole frame (with its length prefix); dropped once the transport is closed.
  void Send(std::string frame) { Send(std::move(frame), std::string()); }
  // Queues a frame written as `head` then `payload` (see FramePieces): a big payload is written
  // from where it is, not copied.
  virtual void Send(std::string head, std::string payload) = 0;
  // Closes once every queued frame is written; later Sends are dropped.
  virtual void CloseAfterFlush() = 0;
  // Closes now; a pending ReadFrame returns UNAVAILABLE.
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
