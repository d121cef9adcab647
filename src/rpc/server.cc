#include "periscope/rpc/server.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstring>
#include <utility>
#include <vector>

#include "rpc/client_connection.h"
#include "rpc/server_impl.h"
#include "rpc/strand.h"

// GCC 12 reports a false -Wmismatched-new-delete on asio awaitable frames (GCC bug 109224).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace periscope::rpc {
namespace internal {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;

bool ServerImpl::Adopt(std::shared_ptr<Transport> transport) {
  std::lock_guard lock(mu_);
  if (shut_down_) {
    asio::dispatch(transport->executor(), [transport] { transport->Close(); });
    return false;
  }
  std::erase_if(connections_, [](const auto& w) { return w.expired(); });
  // Counted before the connection starts: it may serve calls on another thread at once.
  connections_accepted_++;
  {
    std::lock_guard live_lock(live_mu_);
    ++live_connections_;
  }
  connections_.push_back(StartServerConnection(shared_from_this(), std::move(transport)));
  return true;
}

void ServerImpl::ConnectionEnded() {
  std::lock_guard lock(live_mu_);
  if (--live_connections_ == 0) connections_ended_.notify_all();
}

namespace {

awaitable<void> AcceptLoop(std::shared_ptr<ServerImpl> server, std::shared_ptr<Acceptor> acceptor) {
  for (;;) {
    boost::system::error_code ec;
    asio::any_io_executor strand = MakeStrand(server->executor_);
    Socket socket =
        co_await acceptor->async_accept(strand, asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) co_return;
      continue;  // e.g. EMFILE; keep serving the connections we have
    }
    if (socket.local_endpoint(ec).protocol().family() != AF_UNIX) {
      socket.set_option(asio::ip::tcp::no_delay(true), ec);
    }
    if (!server->Adopt(MakeSocketTransport(std::move(socket)))) co_return;
  }
}

}  // namespace
}  // namespace internal

namespace asio = boost::asio;

Server::Server(asio::any_io_executor executor, ServerOptions options)
    : decode_limits_(options.decode_limits),
      impl_(std::make_shared<internal::ServerImpl>(std::move(executor), std::move(options))) {}

Server::~Server() { Shutdown(); }

Status Server::AddHandler(std::string_view service, std::string_view method, RawHandler handler) {
  std::string key = std::string(service) + "/" + std::string(method);
  internal::HandlerEntry entry{CallKind::kUnary, std::move(handler), nullptr};
  if (!impl_->handlers_.emplace(key, std::move(entry)).second) {
    return Status(StatusCode::kAlreadyExists, key + " is already registered");
  }
  return Status::Ok();
}

Status Server::AddStreamHandler(std::string_view service, std::string_view method, CallKind kind,
                                RawStreamHandler handler) {
  if (kind == CallKind::kUnary) return InvalidArgumentError("AddStreamHandler needs a stream kind");
  std::string key = std::string(service) + "/" + std::string(method);
  internal::HandlerEntry entry{kind, nullptr, std::move(handler)};
  if (!impl_->handlers_.emplace(key, std::move(entry)).second) {
    return Status(StatusCode::kAlreadyExists, key + " is already registered");
  }
  return Status::Ok();
}

Result<Channel> Server::ConnectInMemory(asio::any_io_executor client_executor,
                                        ChannelOptions options) {
  auto [client_end, server_end] =
      internal::MakeInMemoryPair(std::move(client_executor), impl_->executor_);
  if (!impl_->Adopt(server_end)) return UnavailableError("server is shut down");
  return internal::ChannelAccess::Make(
      internal::MakeClientConnection(std::move(client_end), std::move(options), "in-memory", 0));
}

Result<uint16_t> Server::ListenTcp(const std::string& host, uint16_t port) {
  boost::system::error_code ec;
  asio::ip::address address = asio::ip::make_address(host, ec);
  if (ec) return UnavailableError("bad listen address " + host + ": " + ec.message());
  asio::generic::stream_protocol::endpoint endpoint(asio::ip::tcp::endpoint(address, port));
  auto acceptor = std::make_shared<internal::Acceptor>(asio::make_strand(impl_->executor_));
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return UnavailableError("listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
  }
  auto local = acceptor->local_endpoint(ec);
  asio::ip::tcp::endpoint tcp;
  std::memcpy(tcp.data(), local.data(), std::min(local.size(), tcp.capacity()));
  {
    std::lock_guard lock(impl_->mu_);
    impl_->acceptors_.push_back(acceptor);
  }
  asio::co_spawn(acceptor->get_executor(), internal::AcceptLoop(impl_, acceptor), asio::detached);
  return tcp.port();
}

Status Server::ListenUnix(const std::string& path) {
  ::unlink(path.c_str());
  boost::system::error_code ec;
  asio::generic::stream_protocol::endpoint endpoint(asio::local::stream_protocol::endpoint{path});
  auto acceptor = std::make_shared<internal::Acceptor>(asio::make_strand(impl_->executor_));
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return UnavailableError("listen on " + path + ": " + ec.message());
  {
    std::lock_guard lock(impl_->mu_);
    impl_->acceptors_.push_back(acceptor);
  }
  asio::co_spawn(acceptor->get_executor(), internal::AcceptLoop(impl_, acceptor), asio::detached);
  return Status::Ok();
}

void Server::Shutdown() { StopServing(std::nullopt); }

void Server::Shutdown(std::chrono::milliseconds grace) {
  StopServing(std::chrono::steady_clock::now() + grace);
}

void Server::StopServing(std::optional<std::chrono::steady_clock::time_point> drain_deadline) {
  std::vector<std::shared_ptr<internal::Acceptor>> acceptors;
  std::vector<std::weak_ptr<internal::ServerConnection>> connections;
  {
    std::lock_guard lock(impl_->mu_);
    impl_->shut_down_ = true;
    acceptors.swap(impl_->acceptors_);
    connections.swap(impl_->connections_);
  }
  for (auto& acceptor : acceptors) {
    asio::dispatch(acceptor->get_executor(), [acceptor] {
      boost::system::error_code ec;
      acceptor->close(ec);
    });
  }
  for (auto& weak : connections) {
    if (auto conn = weak.lock()) {
      if (drain_deadline) {
        asio::dispatch(conn->executor(),
                       [conn, deadline = *drain_deadline] { conn->Drain(deadline); });
      } else {
        asio::dispatch(conn->executor(), [conn] { conn->Close(); });
      }
    }
  }
}

asio::awaitable<bool> Server::ConnectionsClosed(std::chrono::milliseconds timeout) {
  // Polled: a few checks per drain, and no waiter for the connections to wake across threads.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    if (WaitForConnectionsClosed(std::chrono::milliseconds(0))) co_return true;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) co_return false;
    timer.expires_at(std::min(deadline, now + std::chrono::milliseconds(10)));
    co_await timer.async_wait(asio::use_awaitable);
  }
}

bool Server::WaitForConnectionsClosed(std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->live_mu_);
  return impl_->connections_ended_.wait_for(lock, timeout,
                                            [this] { return impl_->live_connections_ == 0; });
}

ServerStats Server::stats() const {
  return ServerStats{impl_->connections_accepted_.load(),
                     impl_->connections_closed_malformed_.load(),
                     impl_->connections_closed_idle_.load(),
                     impl_->calls_.load(),
                     impl_->calls_failed_.load(),
                     impl_->calls_cancelled_.load()};
}

}  // namespace periscope::rpc
