#include "periscope/rpc/channel.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "rpc/block_cache.h"
#include "rpc/channel_backend.h"
#include "rpc/client_connection.h"
#include "rpc/strand.h"
#include "rpc/transport.h"

// GCC 12 reports a false -Wmismatched-new-delete on asio awaitable frames (GCC bug 109224).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace periscope::rpc {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using namespace asio::experimental::awaitable_operators;

awaitable<Result<Channel>> Channel::ConnectTcp(asio::any_io_executor executor, std::string host,
                                               uint16_t port, ChannelOptions options) {
  asio::ip::tcp::resolver resolver(executor);
  boost::system::error_code ec;
  auto endpoints = co_await resolver.async_resolve(host, std::to_string(port),
                                                   asio::redirect_error(use_awaitable, ec));
  if (ec) co_return UnavailableError("resolve " + host + ": " + ec.message());
  asio::ip::tcp::socket tcp(internal::MakeStrand(executor));
  asio::steady_timer timer(executor);
  timer.expires_after(options.connect_timeout);
  boost::system::error_code timer_ec;
  auto which =
      co_await (asio::async_connect(tcp, endpoints, asio::redirect_error(use_awaitable, ec)) ||
                timer.async_wait(asio::redirect_error(use_awaitable, timer_ec)));
  if (which.index() == 1) co_return UnavailableError("connect " + host + ": timed out");
  if (ec) {
    co_return UnavailableError("connect " + host + ":" + std::to_string(port) + ": " +
                               ec.message());
  }
  tcp.set_option(asio::ip::tcp::no_delay(true), ec);
  internal::Socket socket(std::move(tcp));
  std::shared_ptr<internal::Transport> transport = internal::MakeSocketTransport(std::move(socket));
  std::shared_ptr<internal::ChannelBackend> backend =
      internal::MakeClientConnection(transport, std::move(options), host, port);
  co_return internal::ChannelAccess::Make(backend);
}

awaitable<Result<Channel>> Channel::ConnectUnix(asio::any_io_executor executor, std::string path,
                                                ChannelOptions options) {
  asio::local::stream_protocol::socket unix_socket(internal::MakeStrand(executor));
  boost::system::error_code ec;
  co_await unix_socket.async_connect(asio::local::stream_protocol::endpoint(path),
                                     asio::redirect_error(use_awaitable, ec));
  if (ec) co_return UnavailableError("connect " + path + ": " + ec.message());
  internal::Socket socket(std::move(unix_socket));
  std::shared_ptr<internal::Transport> transport = internal::MakeSocketTransport(std::move(socket));
  std::shared_ptr<internal::ChannelBackend> backend =
      internal::MakeClientConnection(transport, std::move(options), path, 0);
  co_return internal::ChannelAccess::Make(backend);
}

namespace internal {

awaitable<Result<std::string>> CallRawImpl(std::shared_ptr<ChannelBackend> backend,
                                           std::shared_ptr<CallRequest> request) {
  RawReply reply = co_await backend->Call(std::move(request));
  if (!reply.status.ok()) co_return reply.status;
  co_return std::move(reply.payload);
}

awaitable<Result<std::string>> ChannelBackend::CallPayload(std::shared_ptr<ChannelBackend> self,
                                                           std::shared_ptr<CallRequest> request) {
  return CallRawImpl(std::move(self), std::move(request));
}

awaitable<RawStream> OpenStreamImpl(std::shared_ptr<ChannelBackend> backend,
                                    std::shared_ptr<CallRequest> request) {
  co_return co_await backend->OpenStream(std::move(request));
}

}  // namespace internal

namespace {

// A unary call's request; `names`: the typed method's, or null.
std::shared_ptr<internal::CallRequest> UnaryRequest(std::string_view service,
                                                    std::string_view method,
                                                    const internal::MethodNames* names,
                                                    std::string&& payload, CallOptions&& options) {
  auto request = std::allocate_shared<internal::CallRequest>(
      internal::CachedAllocator<internal::CallRequest>());
  request->service = std::string(service);
  request->method = std::string(method);
  request->names = names;
  request->payload = std::move(payload);
  request->options = std::move(options);
  return request;
}

}  // namespace

awaitable<Result<std::string>> Channel::CallRaw(std::string_view service, std::string_view method,
                                                std::string payload, CallOptions options) const {
  return impl_->CallPayload(
      impl_, UnaryRequest(service, method, nullptr, std::move(payload), std::move(options)));
}

awaitable<Result<std::string>> Channel::CallTyped(const internal::MethodNames& names,
                                                  std::string payload, CallOptions options) const {
  return impl_->CallPayload(impl_, UnaryRequest(names.service, names.method, &names,
                                                std::move(payload), std::move(options)));
}

awaitable<RawStream> Channel::OpenStream(std::string_view service, std::string_view method,
                                         CallKind kind, std::string payload,
                                         CallOptions options) const {
  auto request = std::make_shared<internal::CallRequest>();
  request->service = std::string(service);
  request->method = std::string(method);
  request->kind = kind;
  request->payload = std::move(payload);
  request->options = std::move(options);
  return internal::OpenStreamImpl(impl_, std::move(request));
}

void Channel::Close() const { impl_->Close(); }

bool Channel::is_open() const { return impl_->is_open(); }

}  // namespace periscope::rpc
