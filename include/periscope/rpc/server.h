#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "periscope/rpc/call.h"
#include "periscope/rpc/serialize.h"
#include "periscope/rpc/service.h"
#include "periscope/rpc/status.h"
#include "periscope/trace/tracer.h"

namespace periscope::rpc {

struct ServerOptions {
  // Creates a SERVER span per call when set, child of the caller's span from the metadata.
  std::optional<trace::Tracer> tracer;
  // A frame over this closes the connection (after an error frame naming the limit).
  size_t max_frame_size = 64 << 20;
  // Calls over this on one connection fail with RESOURCE_EXHAUSTED.
  size_t max_concurrent_calls = 1000;
  // A connection with no call in flight and no frame for this long is closed.
  std::chrono::milliseconds idle_timeout{300000};
  DecodeLimits decode_limits;
};

// Counters of a server, for tests and self-metrics.
struct ServerStats {
  uint64_t connections_accepted = 0;
  uint64_t connections_closed_malformed = 0;  // bad length, oversized or undecodable frames
  uint64_t connections_closed_idle = 0;
  uint64_t calls = 0;
  uint64_t calls_failed = 0;
};

// A request handler over encoded bytes; Register builds these from typed implementations.
using RawHandler = std::function<boost::asio::awaitable<Result<std::string>>(
    std::string payload, std::shared_ptr<const CallContext> context)>;

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
constexpr void CheckHandler() {
  static_assert(HandlerFor<M, Impl>,
                "periscope::rpc: the implementation has no member function "
                "`awaitable<Result<Reply>> Name(Request)` or `Name(Request, const CallContext&)` "
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
      ((st.ok()
            ? (st = AddHandler(S::kName, MethodAt<S, I>::kName, MakeHandler<MethodAt<S, I>>(impl)),
               0)
            : 0),
       ...);
      return st;
    }
    (std::make_integer_sequence<int, kMethodCount<S>>());
  }

  // Adds a handler for service/method; ALREADY_EXISTS when taken.
  Status AddHandler(std::string_view service, std::string_view method, RawHandler handler);

  // Listens on host:port (port 0: any free port); returns the bound port. UNAVAILABLE on failure.
  Result<uint16_t> ListenTcp(const std::string& host, uint16_t port);
  // Listens on a Unix domain socket path (an existing socket file is replaced).
  Status ListenUnix(const std::string& path);
  // Stops listening, closes every connection and cancels handlers in flight.
  void Shutdown();
  ServerStats stats() const;

 private:
  template <class M, class Impl>
  RawHandler MakeHandler(Impl& impl) {
    Impl* p = &impl;
    DecodeLimits limits = decode_limits_;
    return [p, limits](std::string payload, std::shared_ptr<const CallContext> ctx) {
      return internal::RunTyped<M, Impl>(p, limits, std::move(payload), std::move(ctx));
    };
  }

  DecodeLimits decode_limits_;
  std::shared_ptr<internal::ServerImpl> impl_;
};

}  // namespace periscope::rpc
