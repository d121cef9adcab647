#include "periscope/rpc/server.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "periscope/trace/propagation.h"
#include "rpc/frame.h"
#include "rpc/span_util.h"

// GCC 12 reports a false -Wmismatched-new-delete on asio awaitable frames (GCC bug 109224).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace periscope::rpc {
namespace internal {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using Acceptor = asio::basic_socket_acceptor<asio::generic::stream_protocol>;

class ServerConnection;

// State shared by a Server, its listeners and its connections. Thread-safe: handlers and
// options are fixed once listening starts; the connection list is guarded by mu_.
class ServerImpl : public std::enable_shared_from_this<ServerImpl> {
 public:
  ServerImpl(asio::any_io_executor executor, ServerOptions options)
      : executor_(std::move(executor)), options_(std::move(options)) {}

  const RawHandler* FindHandler(const std::string& service, const std::string& method) const {
    auto it = handlers_.find(service + "/" + method);
    return it == handlers_.end() ? nullptr : &it->second;
  }

  asio::any_io_executor executor_;
  ServerOptions options_;
  std::unordered_map<std::string, RawHandler> handlers_;

  std::mutex mu_;
  std::vector<std::shared_ptr<Acceptor>> acceptors_;
  std::vector<std::weak_ptr<ServerConnection>> connections_;
  bool shut_down_ = false;

  std::atomic<uint64_t> connections_accepted_{0};
  std::atomic<uint64_t> connections_closed_malformed_{0};
  std::atomic<uint64_t> connections_closed_idle_{0};
  std::atomic<uint64_t> calls_{0};
  std::atomic<uint64_t> calls_failed_{0};
};

namespace {

std::string PeerName(const Socket& socket) {
  boost::system::error_code ec;
  auto ep = socket.remote_endpoint(ec);
  if (ec) return {};
  if (ep.protocol().family() == AF_INET || ep.protocol().family() == AF_INET6) {
    asio::ip::tcp::endpoint tcp;
    if (ep.size() > tcp.capacity()) return {};
    std::memcpy(tcp.data(), ep.data(), ep.size());
    tcp.resize(ep.size());
    return tcp.address().to_string() + ":" + std::to_string(tcp.port());
  }
  return "unix";
}

}  // namespace

// One accepted connection: reads request frames, runs each call as its own coroutine and
// writes responses as they complete. Every member is touched on the connection's strand only.
class ServerConnection : public std::enable_shared_from_this<ServerConnection> {
 public:
  ServerConnection(std::shared_ptr<ServerImpl> server, Socket socket)
      : server_(std::move(server)),
        socket_(std::move(socket)),
        writer_(socket_),
        idle_timer_(socket_.get_executor()),
        peer_(PeerName(socket_)),
        last_activity_(std::chrono::steady_clock::now()) {}

  void Start() {
    auto self = shared_from_this();
    asio::co_spawn(socket_.get_executor(), ReadLoop(self), asio::detached);
    asio::co_spawn(socket_.get_executor(), Watchdog(self), asio::detached);
  }

  asio::any_io_executor executor() { return socket_.get_executor(); }

  // Closes the socket and cancels every handler in flight.
  void Close() {
    if (!open_) return;
    open_ = false;
    CloseSocket(socket_);
    idle_timer_.cancel();
    for (auto& [id, call] : calls_) call->signal.emit(asio::cancellation_type::all);
  }

 private:
  struct CallState {
    explicit CallState(const asio::any_io_executor& ex) : timer(ex) {}
    asio::steady_timer timer;
    asio::cancellation_signal signal;
    bool done = false;
    std::optional<Result<std::string>> result;
  };

  awaitable<void> ReadLoop(std::shared_ptr<ServerConnection> self) {
    const ServerOptions& options = server_->options_;
    while (open_) {
      Result<std::string> body = co_await ReadFrame(socket_, options.max_frame_size);
      if (!open_) break;
      if (!body.ok()) {
        if (body.status().code() == StatusCode::kUnavailable) {
          Close();
        } else {
          ConnectionError(self, body.status());
        }
        break;
      }
      last_activity_ = std::chrono::steady_clock::now();
      Result<FrameBody> parsed = ParseFrameBody(*body);
      if (!parsed.ok()) {
        ConnectionError(self, parsed.status());
        break;
      }
      if (parsed->kind != FrameKind::kRequest) {
        ConnectionError(self, InvalidArgumentError("a client may only send request frames"));
        break;
      }
      Result<RequestFrame> request = Decode<RequestFrame>(parsed->encoded, options.decode_limits);
      if (!request.ok()) {
        ConnectionError(
            self, InvalidArgumentError("undecodable request frame: " + request.status().message()));
        break;
      }
      if (request->id == 0) {
        ConnectionError(self, InvalidArgumentError("request id 0 is reserved"));
        break;
      }
      asio::co_spawn(socket_.get_executor(), HandleRequest(self, std::move(*request)),
                     asio::detached);
    }
  }

  // Reports a connection-level error to the peer (response id 0), then closes.
  void ConnectionError(const std::shared_ptr<ServerConnection>& self, const Status& status) {
    server_->connections_closed_malformed_++;
    ResponseFrame frame;
    frame.code = static_cast<int32_t>(status.code());
    frame.message = status.message();
    writer_.Send(EncodeFrame(frame), self);
    writer_.CloseAfterFlush(self);
    open_ = false;
    idle_timer_.cancel();
    for (auto& [id, call] : calls_) call->signal.emit(asio::cancellation_type::all);
  }

  awaitable<void> Watchdog(std::shared_ptr<ServerConnection> self) {
    (void)self;  // keeps the connection alive while watching
    auto idle = server_->options_.idle_timeout;
    auto tick = std::clamp<std::chrono::milliseconds>(idle / 4, std::chrono::milliseconds(5),
                                                      std::chrono::milliseconds(1000));
    while (open_) {
      idle_timer_.expires_after(tick);
      boost::system::error_code ec;
      co_await idle_timer_.async_wait(asio::redirect_error(use_awaitable, ec));
      if (!open_) break;
      if (in_flight_ == 0 && std::chrono::steady_clock::now() - last_activity_ >= idle) {
        server_->connections_closed_idle_++;
        Close();
        break;
      }
    }
  }

  static awaitable<void> RunHandler(RawHandler handler, std::string payload,
                                    std::shared_ptr<const CallContext> ctx,
                                    std::shared_ptr<CallState> state) {
    Result<std::string> result = InternalError("handler produced no result");
    try {
      result = co_await handler(std::move(payload), ctx);
    } catch (const boost::system::system_error& e) {
      result = e.code() == asio::error::operation_aborted
                   ? Status(StatusCode::kCancelled, "handler cancelled")
                   : InternalError(std::string("handler threw: ") + e.what());
    } catch (const std::exception& e) {
      result = InternalError(std::string("handler threw: ") + e.what());
    } catch (...) {
      result = InternalError("handler threw a non-standard exception");
    }
    if (!state->done) {
      state->done = true;
      state->result = std::move(result);
      state->timer.cancel();
    }
  }

  awaitable<void> HandleRequest(std::shared_ptr<ServerConnection> self, RequestFrame request) {
    ServerImpl& server = *server_;
    server.calls_++;
    auto ctx = std::make_shared<CallContext>();
    ctx->service = std::move(request.service);
    ctx->method = std::move(request.method);
    ctx->metadata = std::move(request.metadata);
    ctx->peer = peer_;
    if (request.deadline_unix_nanos != 0) {
      ctx->deadline = trace::Timestamp(std::chrono::duration_cast<trace::Clock::duration>(
          std::chrono::nanoseconds(request.deadline_unix_nanos)));
    }
    trace::Context remote = ExtractContext(ctx->metadata);
    std::shared_ptr<trace::Span> span;
    if (server.options_.tracer) {
      span = StartServerSpan(*server.options_.tracer, remote, *ctx);
      ctx->trace_context = remote.WithSpan(span);
    } else {
      ctx->trace_context = remote;
    }

    const RawHandler* handler = server.FindHandler(ctx->service, ctx->method);
    Status early;
    if (handler == nullptr) {
      early = UnimplementedError("unknown method " + ctx->service + "/" + ctx->method);
    } else if (in_flight_ >= server.options_.max_concurrent_calls) {
      early = ResourceExhaustedError("too many concurrent calls on this connection (limit " +
                                     std::to_string(server.options_.max_concurrent_calls) + ")");
    } else if (calls_.contains(request.id)) {
      early = InvalidArgumentError("request id " + std::to_string(request.id) +
                                   " is already in flight");
    } else if (ctx->deadline && *ctx->deadline <= trace::Clock::now()) {
      early = DeadlineExceededError("deadline passed before " + ctx->service + "/" + ctx->method +
                                    " started");
    }
    if (!early.ok()) {
      Respond(self, request.id, early);
      FinishSpan(span, early);
      co_return;
    }

    auto state = std::make_shared<CallState>(socket_.get_executor());
    uint64_t id = request.id;
    calls_.emplace(id, state);
    ++in_flight_;
    asio::co_spawn(
        socket_.get_executor(), RunHandler(*handler, std::move(request.payload), ctx, state),
        asio::bind_cancellation_slot(state->signal.slot(), [self, id](std::exception_ptr) {
          --self->in_flight_;
          self->calls_.erase(id);
          self->last_activity_ = std::chrono::steady_clock::now();
        }));
    if (!state->done) {
      if (ctx->deadline) {
        state->timer.expires_after(std::chrono::duration_cast<std::chrono::nanoseconds>(
            *ctx->deadline - trace::Clock::now()));
      } else {
        state->timer.expires_at(asio::steady_timer::time_point::max());
      }
      boost::system::error_code ec;
      co_await state->timer.async_wait(asio::redirect_error(use_awaitable, ec));
    }
    Result<std::string> result = InternalError("unreachable");
    if (state->done) {
      result = std::move(*state->result);
    } else {
      state->done = true;
      state->signal.emit(asio::cancellation_type::all);
      result = DeadlineExceededError("deadline exceeded while handling " + ctx->service + "/" +
                                     ctx->method + "; handler cancelled");
    }
    Status status = result.status();
    Respond(self, id, status, result.ok() ? std::move(result).value() : std::string());
    FinishSpan(span, status);
  }

  void Respond(const std::shared_ptr<ServerConnection>& self, uint64_t id, const Status& status,
               std::string payload = {}) {
    if (!status.ok()) server_->calls_failed_++;
    if (!open_) return;
    ResponseFrame frame;
    frame.id = id;
    frame.code = static_cast<int32_t>(status.code());
    frame.message = status.message();
    frame.payload = std::move(payload);
    writer_.Send(EncodeFrame(frame), self);
    last_activity_ = std::chrono::steady_clock::now();
  }

  std::shared_ptr<ServerImpl> server_;
  Socket socket_;
  FrameWriter writer_;
  asio::steady_timer idle_timer_;
  std::string peer_;
  bool open_ = true;
  size_t in_flight_ = 0;
  std::chrono::steady_clock::time_point last_activity_;
  std::unordered_map<uint64_t, std::shared_ptr<CallState>> calls_;
};

namespace {

awaitable<void> AcceptLoop(std::shared_ptr<ServerImpl> server, std::shared_ptr<Acceptor> acceptor) {
  for (;;) {
    boost::system::error_code ec;
    Socket socket =
        co_await acceptor->async_accept(asio::any_io_executor(asio::make_strand(server->executor_)),
                                        asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) co_return;
      continue;  // e.g. EMFILE; keep serving the connections we have
    }
    if (socket.local_endpoint(ec).protocol().family() != AF_UNIX) {
      socket.set_option(asio::ip::tcp::no_delay(true), ec);
    }
    auto conn = std::make_shared<ServerConnection>(server, std::move(socket));
    {
      std::lock_guard lock(server->mu_);
      if (server->shut_down_) co_return;
      std::erase_if(server->connections_, [](const auto& w) { return w.expired(); });
      server->connections_.push_back(conn);
    }
    server->connections_accepted_++;
    conn->Start();
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
  if (!impl_->handlers_.emplace(key, std::move(handler)).second) {
    return Status(StatusCode::kAlreadyExists, key + " is already registered");
  }
  return Status::Ok();
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

void Server::Shutdown() {
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
      asio::dispatch(conn->executor(), [conn] { conn->Close(); });
    }
  }
}

ServerStats Server::stats() const {
  return ServerStats{
      impl_->connections_accepted_.load(), impl_->connections_closed_malformed_.load(),
      impl_->connections_closed_idle_.load(), impl_->calls_.load(), impl_->calls_failed_.load()};
}

}  // namespace periscope::rpc
