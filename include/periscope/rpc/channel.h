#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "periscope/rpc/call.h"
#include "periscope/rpc/serialize.h"
#include "periscope/rpc/service.h"
#include "periscope/rpc/status.h"
#include "periscope/trace/tracer.h"

namespace periscope::rpc {

struct ChannelOptions {
  // Creates a CLIENT span per call when set; tracing off otherwise (the caller's trace context
  // is still propagated).
  std::optional<trace::Tracer> tracer;
  size_t max_frame_size = 64 << 20;
  DecodeLimits decode_limits;
  std::chrono::milliseconds connect_timeout{10000};
};

namespace internal {
class ChannelImpl;
}

// One client connection to a server, over which concurrent calls are multiplexed. A cheap,
// copyable handle; thread-safe (calls hop onto the connection's strand). When the connection
// fails, pending and later calls return UNAVAILABLE; reconnecting is the caller's job for now.
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
  // Closes the connection; pending calls fail with UNAVAILABLE.
  void Close() const;
  bool is_open() const;

 private:
  explicit Channel(std::shared_ptr<internal::ChannelImpl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<internal::ChannelImpl> impl_;
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
                                                             CallOptions options = {}) const {
    static_assert(HasMethod<S, M>(), "periscope::rpc: this method is not declared by the service");
    Channel channel = channel_;  // the coroutine must not depend on *this
    Result<std::string> raw =
        co_await channel.CallRaw(S::kName, M::kName, Encode(request), std::move(options));
    if (!raw.ok()) co_return raw.status();
    Result<typename M::ReplyType> reply = Decode<typename M::ReplyType>(*raw);
    if (!reply.ok()) {
      co_return Status(StatusCode::kInternal, "reply of " + std::string(S::kName) + "/" +
                                                  std::string(M::kName) +
                                                  " does not decode: " + reply.status().message());
    }
    co_return std::move(reply).value();
  }

  const Channel& channel() const { return channel_; }

 private:
  Channel channel_;
};

}  // namespace periscope::rpc
