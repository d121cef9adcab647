#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "periscope/rpc/call.h"
#include "periscope/rpc/channel.h"
#include "periscope/rpc/serialize.h"
#include "periscope/rpc/service.h"
#include "periscope/rpc/status.h"
#include "periscope/rpc/stream.h"
#include "periscope/trace/tracer.h"

namespace periscope::rpc {

struct ServerOptions {
  // Creates a SERVER span per call when set, child of the caller's span from the metadata.
  std::optional<trace::Tracer> tracer;
  // A frame over this closes the connection (after an error frame naming the limit).
  size_t max_frame_size = 64 << 20;
  // Calls over this on one connection fail with RESOURCE_EXHAUSTED.
  size_t max_concurrent_calls = 1000;
  // A connection with no call or stream in flight and no frame for this long is closed.
  std::chrono::milliseconds idle_timeout{300000};
  DecodeLimits decode_limits;
  // Messages of a client stream the server buffers per call before the client must wait.
  uint32_t stream_window = 16;
  // Hooks around every call, in order (after hooks in reverse order); see ServerMiddleware.
  std::vector<ServerMiddleware> middleware;
};

// Counters of a server, for tests and self-metrics.
struct ServerStats {
  uint64_t connections_accepted = 0;
  uint64_t connections_closed_malformed = 0;  // bad length, oversized or undecodable frames
  uint64_t connections_closed_idle = 0;
  uint64_t calls = 0;
  uint64_t calls_failed = 0;
  uint64_t calls_cancelled = 0;  // by a CANCEL frame from the client
};

// A request handler over encoded bytes; Register builds these from typed implementations.
using RawHandler = std::function<boost::asio::awaitable<Result<std::string>>(
    std::string payload, std::shared_ptr<const CallContext> context)>;
// A streaming handler: `payload` is the request of a server stream (empty otherwise); the
// returned bytes are the reply of a client stream (ignored otherwise).
using RawStreamHandler = std::function<boost::asio::awaitable<Result<std::string>>(
    std::string payload, RawStream stream, std::shared_ptr<const CallContext> context)>;

namespace internal {
class ServerImpl;

template <class M, class Impl>
boost::asio::awaitable<Result<std::string>> RunTyped(Impl* impl, DecodeLimits limits,
                                                     std::string payload,
                                                     std::shared_ptr<const CallContext> ctx) {
  Result<typename M::RequestType> request = Decode<typename M::RequestType>(payload, limits);
  if (!request.ok()) {
    co_return InvalidArgumentError("arguments of " + ctx->service + "/" + ctx->method +
                                   " do not decode: " + request.status().message());
  }
  Result<typename M::ReplyType> reply = co_await M::Invoke(*impl, std::move(*request), *ctx);
  if (!reply.ok()) co_return reply.status();
  co_return Encode(*reply);
}

template <class M, class Impl>
boost::asio::awaitable<Result<std::string>> RunTypedStream(Impl* impl, DecodeLimits limits,
                                                           std::string payload, RawStream stream,
                                                           std::shared_ptr<const CallContext> ctx) {
  using Request = typename M::RequestType;
  using Reply = typename M::ReplyType;
  if constexpr (M::kKind == CallKind::kServerStream) {
    Result<Request> request = Decode<Request>(payload, limits);
    if (!request.ok()) {
      co_return InvalidArgumentError("arguments of " + ctx->service + "/" + ctx->method +
                                     " do not decode: " + request.status().message());
    }
    ServerWriter<Reply> writer(std::move(stream), *ctx);
    Status st = co_await M::InvokeStream(*impl, std::move(*request), writer);
    if (!st.ok()) co_return st;
    co_return std::string();
  } else if constexpr (M::kKind == CallKind::kClientStream) {
    ServerReader<Request> reader(std::move(stream), *ctx);
    Result<Reply> reply = co_await M::InvokeStream(*impl, reader);
    if (!reply.ok()) co_return reply.status();
    co_return Encode(*reply);
  } else {
    ServerReaderWriter<Request, Reply> rw(std::move(stream), *ctx);
    Status st = co_await M::InvokeStream(*impl, rw);
    if (!st.ok()) co_return st;
    co_return std::string();
  }
}

template <class M, class Impl>
constexpr void CheckHandler() {
  static_assert(HandlerFor<M, Impl>,
                "periscope::rpc: the implementation has no member function "
                "`awaitable<Result<Reply>> Name(Request)` or `Name(Request, const CallContext&)` "
                "(streams: `awaitable<Status> Name(Request, ServerWriter<Reply>&)`, "
                "`awaitable<Result<Reply>> Name(ServerReader<Request>&)`, "
                "`awaitable<Status> Name(ServerReaderWriter<Request, Reply>&)`) "
                "matching a method declared by the service (see the instantiation of "
                "CheckHandler<Method, Impl> below)");
}
}  // namespace internal

// Serves registered services on TCP and Unix listeners. Connections and their calls run on
// per-connection strands of the given executor; handlers of one connection interleave at their
// co_await points. Register before listening; other methods are thread-safe. Handlers may run
// until the executor stops: keep implementations alive as long as the io_context runs.
class Server {
 public:
  Server(boost::asio::any_io_executor executor, ServerOptions options = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Registers every method of service S, served by impl (not owned). ALREADY_EXISTS when a
  // method is registered twice. A signature mismatch is a compile error (see service.h).
  template <Service S, class Impl>
  Status Register(Impl& impl) {
    return [&]<int... I>(std::integer_sequence<int, I...>) {
      (internal::CheckHandler<MethodAt<S, I>, Impl>(), ...);
      Status st;
      ((st.ok() ? (st = AddMethod<MethodAt<S, I>>(S::kName, impl), 0) : 0), ...);
      return st;
    }
    (std::make_integer_sequence<int, kMethodCount<S>>());
  }

  // Adds a handler for service/method; ALREADY_EXISTS when taken.
  Status AddHandler(std::string_view service, std::string_view method, RawHandler handler);
  // Adds a streaming handler of the given kind; ALREADY_EXISTS when taken.
  Status AddStreamHandler(std::string_view service, std::string_view method, CallKind kind,
                          RawStreamHandler handler);

  // A channel to this server through an in-memory transport (no sockets): the client end runs
  // on client_executor. Counts as an accepted connection; UNAVAILABLE after Shutdown.
  Result<Channel> ConnectInMemory(boost::asio::any_io_executor client_executor,
                                  ChannelOptions options = {});

  // Listens on host:port (port 0: any free port); returns the bound port. UNAVAILABLE on failure.
  Result<uint16_t> ListenTcp(const std::string& host, uint16_t port);
  // Listens on a Unix domain socket path (an existing socket file is replaced).
  Status ListenUnix(const std::string& path);
  // Stops listening, closes every connection and cancels handlers in flight. Does not wait: a
  // handler may still run on the io threads afterwards, so registered service objects must live
  // until those threads stop.
  void Shutdown();
  // Graceful shutdown (a rolling deploy, SIGTERM): stops listening and taking calls (a new call
  // fails with UNAVAILABLE "server is shutting down", which a client may retry on another
  // server), lets the calls in flight finish for up to `grace`, then answers those left with
  // UNAVAILABLE and cancels their handlers. Each connection closes once it has answered its
  // last call. Returns at once; WaitForConnectionsClosed waits for the end.
  void Shutdown(std::chrono::milliseconds grace);
  // Blocks until every connection this server accepted has closed and its handlers have
  // returned, for at most `timeout`; whether they have. The server's executor must keep running
  // meanwhile on other threads: never call this on one of them with a non-zero timeout (a zero
  // timeout only checks, anywhere).
  bool WaitForConnectionsClosed(std::chrono::milliseconds timeout);
  // The same for a coroutine, which may run on the server's executor (a single-threaded
  // io_context): completes once every connection has closed (true) or after `timeout` (false).
  boost::asio::awaitable<bool> ConnectionsClosed(std::chrono::milliseconds timeout);
  ServerStats stats() const;

 private:
  // Shutdown's work: a drain until the deadline, or (none) closing at once.
  void StopServing(std::optional<std::chrono::steady_clock::time_point> drain_deadline);
  template <class M, class Impl>
  Status AddMethod(std::string_view service, Impl& impl) {
    Impl* p = &impl;
    DecodeLimits limits = decode_limits_;
    if constexpr (M::kKind == CallKind::kUnary) {
      return AddHandler(service, M::kName,
                        [p, limits](std::string payload, std::shared_ptr<const CallContext> ctx) {
                          return internal::RunTyped<M, Impl>(p, limits, std::move(payload),
                                                             std::move(ctx));
                        });
    } else {
      return AddStreamHandler(service, M::kName, M::kKind,
                              [p, limits](std::string payload, RawStream stream,
                                          std::shared_ptr<const CallContext> ctx) {
                                return internal::RunTypedStream<M, Impl>(
                                    p, limits, std::move(payload), std::move(stream),
                                    std::move(ctx));
                              });
    }
  }

  DecodeLimits decode_limits_;
  std::shared_ptr<internal::ServerImpl> impl_;
};

}  // namespace periscope::rpc
