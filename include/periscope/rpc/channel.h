#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "periscope/rpc/call.h"
#include "periscope/rpc/serialize.h"
#include "periscope/rpc/service.h"
#include "periscope/rpc/status.h"
#include "periscope/rpc/stream.h"
#include "periscope/trace/tracer.h"

namespace periscope::rpc {

struct ChannelOptions {
  // Creates a CLIENT span per call when set; tracing off otherwise (the caller's trace context
  // is still propagated).
  std::optional<trace::Tracer> tracer;
  size_t max_frame_size = 64 << 20;
  DecodeLimits decode_limits;
  std::chrono::milliseconds connect_timeout{10000};
  // Messages of a stream this side buffers before the sender must wait for credit.
  uint32_t stream_window = 16;
  // Hooks around every call, in order (after hooks in reverse order).
  std::vector<ClientInterceptor> interceptors;
};

namespace internal {
class ChannelBackend;
struct ChannelAccess;

// The names of a typed method in static storage, one instance per method (kMethodNames): a
// typed call's request points at it, so that caches tell methods apart by its address.
struct MethodNames {
  std::string_view service;
  std::string_view method;
};
template <class S, class M>
inline constexpr MethodNames kMethodNames{S::kName, M::kName};

// One client call's arguments. Handed to coroutines by shared_ptr: GCC 12 destroys by-value
// aggregate temporaries in coroutine bodies twice (see rpc.h).
struct CallRequest {
  std::string service;
  std::string method;
  const MethodNames* names = nullptr;  // a typed call's, naming the same service and method
  CallKind kind = CallKind::kUnary;
  std::string payload;
  CallOptions options;
};

boost::asio::awaitable<Result<std::string>> CallRawImpl(std::shared_ptr<ChannelBackend> backend,
                                                        std::shared_ptr<CallRequest> request);
boost::asio::awaitable<RawStream> OpenStreamImpl(std::shared_ptr<ChannelBackend> backend,
                                                 std::shared_ptr<CallRequest> request);

// Decodes the reply of a unary call; INTERNAL when it does not decode.
template <class Reply>
boost::asio::awaitable<Result<Reply>> TypedReply(boost::asio::awaitable<Result<std::string>> call,
                                                 std::string_view service,
                                                 std::string_view method) {
  Result<std::string> raw = co_await std::move(call);
  if (!raw.ok()) co_return raw.status();
  Result<Reply> reply = Decode<Reply>(*raw);
  if (!reply.ok()) {
    co_return Status(StatusCode::kInternal, "reply of " + std::string(service) + "/" +
                                                std::string(method) +
                                                " does not decode: " + reply.status().message());
  }
  co_return std::move(reply).value();
}

// Wraps an opened RawStream in the typed stream class T.
template <class T>
boost::asio::awaitable<T> TypedStream(boost::asio::awaitable<RawStream> open) {
  RawStream stream = co_await std::move(open);
  co_return T(std::move(stream));
}
}  // namespace internal

// A client connection to a server (or a pool of them, see pool.h) over which concurrent calls
// are multiplexed. A cheap, copyable handle; thread-safe (calls hop onto the connection's
// strand). When a single connection fails, pending and later calls return UNAVAILABLE; a
// ChannelPool reconnects.
class Channel {
 public:
  // Connects over TCP; UNAVAILABLE when the address does not resolve or refuses.
  static boost::asio::awaitable<Result<Channel>> ConnectTcp(boost::asio::any_io_executor executor,
                                                            std::string host, uint16_t port,
                                                            ChannelOptions options = {});
  // Connects to a Unix domain stream socket.
  static boost::asio::awaitable<Result<Channel>> ConnectUnix(boost::asio::any_io_executor executor,
                                                             std::string path,
                                                             ChannelOptions options = {});

  // Sends one call with an encoded request and returns the encoded reply, or the call's error:
  // the server's status, DEADLINE_EXCEEDED, UNAVAILABLE when the connection is lost.
  boost::asio::awaitable<Result<std::string>> CallRaw(std::string_view service,
                                                      std::string_view method, std::string payload,
                                                      CallOptions options = {}) const;
  // Opens a streaming call of the given kind; `payload` is the request of a server stream.
  // Errors (including a failed start) come back from the stream's first Read, Write or Finish.
  boost::asio::awaitable<RawStream> OpenStream(std::string_view service, std::string_view method,
                                               CallKind kind, std::string payload,
                                               CallOptions options = {}) const;
  // Closes the connection; pending calls fail with UNAVAILABLE.
  void Close() const;
  bool is_open() const;

 private:
  friend struct internal::ChannelAccess;
  template <Service S>
  friend class Client;
  // CallRaw of a typed method, named by its static names.
  boost::asio::awaitable<Result<std::string>> CallTyped(const internal::MethodNames& names,
                                                        std::string payload,
                                                        CallOptions options) const;
  explicit Channel(std::shared_ptr<internal::ChannelBackend> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<internal::ChannelBackend> impl_;
};

// The typed client stub of service S. A copyable handle over a Channel; thread-safe.
template <Service S>
class Client {
 public:
  explicit Client(Channel channel) : channel_(std::move(channel)) {}

  // Calls method M (e.g. Echo::Say). Errors: the server's status, or as Channel::CallRaw; a
  // reply that does not decode is INTERNAL.
  template <class M>
  boost::asio::awaitable<Result<typename M::ReplyType>> Call(typename M::RequestType request,
                                                             CallOptions options) const {
    static_assert(HasMethod<S, M>(), "periscope::rpc: this method is not declared by the service");
    static_assert(M::kKind == CallKind::kUnary,
                  "periscope::rpc: Call is for unary methods; use ServerStream, ClientStream or "
                  "BidiStream");
    if constexpr (M::kIdempotent) options.idempotent = true;
    return internal::TypedReply<typename M::ReplyType>(
        channel_.CallTyped(internal::kMethodNames<S, M>, Encode(request), std::move(options)),
        S::kName, M::kName);
  }

  // The overloads without CallOptions spare callers an aggregate default argument inside their
  // co_await expression (GCC 12, see rpc.h).
  template <class M>
  boost::asio::awaitable<Result<typename M::ReplyType>> Call(
      typename M::RequestType request) const {
    CallOptions options;
    return Call<M>(std::move(request), std::move(options));
  }
  template <class M>
  boost::asio::awaitable<ClientReader<typename M::ReplyType>> ServerStream(
      typename M::RequestType request) const {
    CallOptions options;
    return ServerStream<M>(std::move(request), std::move(options));
  }
  template <class M>
  boost::asio::awaitable<ClientWriter<typename M::RequestType, typename M::ReplyType>>
  ClientStream() const {
    CallOptions options;
    return ClientStream<M>(std::move(options));
  }
  template <class M>
  boost::asio::awaitable<ClientReaderWriter<typename M::RequestType, typename M::ReplyType>>
  BidiStream() const {
    CallOptions options;
    return BidiStream<M>(std::move(options));
  }

  // Starts server-streaming method M; read the replies from the returned reader.
  template <class M>
  boost::asio::awaitable<ClientReader<typename M::ReplyType>> ServerStream(
      typename M::RequestType request, CallOptions options) const {
    static_assert(HasMethod<S, M>(), "periscope::rpc: this method is not declared by the service");
    static_assert(M::kKind == CallKind::kServerStream, "periscope::rpc: not a server stream");
    return internal::TypedStream<ClientReader<typename M::ReplyType>>(
        channel_.OpenStream(S::kName, M::kName, M::kKind, Encode(request), std::move(options)));
  }

  // Starts client-streaming method M: write requests, then Finish() for the reply.
  template <class M>
  boost::asio::awaitable<ClientWriter<typename M::RequestType, typename M::ReplyType>> ClientStream(
      CallOptions options) const {
    static_assert(HasMethod<S, M>(), "periscope::rpc: this method is not declared by the service");
    static_assert(M::kKind == CallKind::kClientStream, "periscope::rpc: not a client stream");
    return internal::TypedStream<ClientWriter<typename M::RequestType, typename M::ReplyType>>(
        channel_.OpenStream(S::kName, M::kName, M::kKind, std::string(), std::move(options)));
  }

  // Starts bidirectional method M.
  template <class M>
  boost::asio::awaitable<ClientReaderWriter<typename M::RequestType, typename M::ReplyType>>
  BidiStream(CallOptions options) const {
    static_assert(HasMethod<S, M>(), "periscope::rpc: this method is not declared by the service");
    static_assert(M::kKind == CallKind::kBidiStream, "periscope::rpc: not a bidi stream");
    return internal::TypedStream<
        ClientReaderWriter<typename M::RequestType, typename M::ReplyType>>(
        channel_.OpenStream(S::kName, M::kName, M::kKind, std::string(), std::move(options)));
  }

  const Channel& channel() const { return channel_; }

 private:
  Channel channel_;
};

}  // namespace periscope::rpc
