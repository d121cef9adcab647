#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "periscope/rpc/call.h"
#include "periscope/rpc/serialize.h"
#include "periscope/rpc/status.h"

// Streams of messages of a streaming call, untyped (RawStream) and typed (the wrappers below).
//
// Flow control: the receiver of a stream grants credit for a window of messages
// (ChannelOptions::stream_window, ServerOptions::stream_window) and grants more as the
// application reads; Write suspends while the sender has no credit, so a slow reader never makes
// a writer buffer more than a window. One coroutine may read and another write the same stream
// at the same time; two concurrent Reads (or Writes) on one stream are not allowed.

namespace periscope::rpc {
namespace internal {
class StreamCore;
}

// One end of a streaming call, over encoded messages. A cheap copyable handle; every method is
// thread-safe (hops onto the connection's strand).
class RawStream {
 public:
  RawStream() = default;
  explicit RawStream(std::shared_ptr<internal::StreamCore> core) : core_(std::move(core)) {}

  // The next message; nullopt at a clean end of stream; the call's status when it failed
  // (messages received before the failure are returned first).
  boost::asio::awaitable<Result<std::optional<std::string>>> Read() const;
  // Sends one message, waiting for credit. Fails with the call's status when it is over.
  boost::asio::awaitable<Status> Write(std::string payload) const;
  // Client: no more messages will be written (half-close). No-op on the server side.
  boost::asio::awaitable<Status> CloseSend() const;
  // Client: half-closes if not done yet and waits for the call's final status and reply payload.
  boost::asio::awaitable<Result<std::string>> Finish() const;
  // Gives up the call: pending and later operations fail with CANCELLED and the peer is told
  // (the server cancels the handler). Safe to call from any thread, at any time.
  void Cancel() const;

 private:
  std::shared_ptr<internal::StreamCore> core_;
};

namespace internal {
// Decodes one stream message; `what` names the side for the error message.
template <class T>
Result<std::optional<T>> DecodeStreamMessage(Result<std::optional<std::string>> raw,
                                             StatusCode error_code) {
  if (!raw.ok()) return raw.status();
  if (!raw->has_value()) return std::optional<T>();
  Result<T> message = Decode<T>(**raw);
  if (!message.ok()) {
    return Status(error_code, "stream message does not decode: " + message.status().message());
  }
  return std::optional<T>(std::move(message).value());
}
}  // namespace internal

// Client end of a server-streaming call: reads replies.
template <class Reply>
class ClientReader {
 public:
  explicit ClientReader(RawStream stream) : stream_(std::move(stream)) {}
  // The next reply; nullopt at the end; the call's status on failure.
  boost::asio::awaitable<Result<std::optional<Reply>>> Read() {
    RawStream s = stream_;
    Result<std::optional<std::string>> raw = co_await s.Read();
    co_return internal::DecodeStreamMessage<Reply>(std::move(raw), StatusCode::kInternal);
  }
  void Cancel() { stream_.Cancel(); }
  const RawStream& raw() const { return stream_; }

 private:
  RawStream stream_;
};

// Client end of a client-streaming call: writes requests, then Finish() returns the reply.
template <class Request, class Reply>
class ClientWriter {
 public:
  explicit ClientWriter(RawStream stream) : stream_(std::move(stream)) {}
  boost::asio::awaitable<Status> Write(const Request& request) {
    RawStream s = stream_;
    co_return co_await s.Write(Encode(request));
  }
  // Half-closes and waits for the reply.
  boost::asio::awaitable<Result<Reply>> Finish() {
    RawStream s = stream_;
    Result<std::string> raw = co_await s.Finish();
    if (!raw.ok()) co_return raw.status();
    Result<Reply> reply = Decode<Reply>(*raw);
    if (!reply.ok()) {
      co_return InternalError("reply does not decode: " + reply.status().message());
    }
    co_return std::move(reply).value();
  }
  void Cancel() { stream_.Cancel(); }
  const RawStream& raw() const { return stream_; }

 private:
  RawStream stream_;
};

// Client end of a bidirectional call.
template <class Request, class Reply>
class ClientReaderWriter {
 public:
  explicit ClientReaderWriter(RawStream stream) : stream_(std::move(stream)) {}
  boost::asio::awaitable<Status> Write(const Request& request) {
    RawStream s = stream_;
    co_return co_await s.Write(Encode(request));
  }
  boost::asio::awaitable<Status> CloseSend() {
    RawStream s = stream_;
    co_return co_await s.CloseSend();
  }
  boost::asio::awaitable<Result<std::optional<Reply>>> Read() {
    RawStream s = stream_;
    Result<std::optional<std::string>> raw = co_await s.Read();
    co_return internal::DecodeStreamMessage<Reply>(std::move(raw), StatusCode::kInternal);
  }
  void Cancel() { stream_.Cancel(); }
  const RawStream& raw() const { return stream_; }

 private:
  RawStream stream_;
};

// Server end of a client-streaming or bidirectional call: reads requests.
template <class Request>
class ServerReader {
 public:
  ServerReader(RawStream stream, const CallContext& context)
      : stream_(std::move(stream)), context_(&context) {}
  // The next request; nullopt when the client half-closed; CANCELLED / DEADLINE_EXCEEDED when
  // the call is over; INVALID_ARGUMENT when a message does not decode.
  boost::asio::awaitable<Result<std::optional<Request>>> Read() {
    RawStream s = stream_;
    Result<std::optional<std::string>> raw = co_await s.Read();
    co_return internal::DecodeStreamMessage<Request>(std::move(raw), StatusCode::kInvalidArgument);
  }
  const CallContext& context() const { return *context_; }

 protected:
  RawStream stream_;
  const CallContext* context_;
};

// Server end of a server-streaming call: writes replies; the handler's returned status ends it.
template <class Reply>
class ServerWriter {
 public:
  ServerWriter(RawStream stream, const CallContext& context)
      : stream_(std::move(stream)), context_(&context) {}
  // Sends one reply, waiting while the client has granted no credit; fails when the call is
  // over (client cancelled, deadline passed, connection lost).
  boost::asio::awaitable<Status> Write(const Reply& reply) {
    RawStream s = stream_;
    co_return co_await s.Write(Encode(reply));
  }
  const CallContext& context() const { return *context_; }

 private:
  RawStream stream_;
  const CallContext* context_;
};

// Server end of a bidirectional call.
template <class Request, class Reply>
class ServerReaderWriter : public ServerReader<Request> {
 public:
  using ServerReader<Request>::ServerReader;
  boost::asio::awaitable<Status> Write(const Reply& reply) {
    RawStream s = this->stream_;
    co_return co_await s.Write(Encode(reply));
  }
};

}  // namespace periscope::rpc
