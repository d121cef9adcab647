#include "periscope/rpc/channel.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <unordered_map>

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

// Outcome of one call as handed from the connection's strand back to the caller.
struct RawReply {
  Status status;
  std::string payload;
};

// The connection behind a Channel: a socket on a strand, the table of calls in flight and the
// reader that completes them. All members are touched on the strand only.
class ChannelImpl : public std::enable_shared_from_this<ChannelImpl> {
 public:
  ChannelImpl(Socket socket, ChannelOptions options, std::string address, uint16_t port)
      : socket_(std::move(socket)),
        writer_(socket_),
        options_(std::move(options)),
        address_(std::move(address)),
        port_(port) {}

  void Start() {
    asio::co_spawn(socket_.get_executor(), ReadLoop(shared_from_this()), asio::detached);
  }

  awaitable<RawReply> DoCall(RequestFrame frame, std::optional<trace::Timestamp> deadline) {
    auto self = shared_from_this();
    if (!open_) co_return RawReply{UnavailableError("connection closed: " + close_reason_), {}};
    auto call = std::make_shared<Pending>(socket_.get_executor());
    frame.id = next_id_++;
    uint64_t id = frame.id;
    pending_.emplace(id, call);
    writer_.Send(EncodeFrame(frame), self);
    if (deadline) {
      // A grace period lets the server's own DEADLINE_EXCEEDED (and its span) arrive first.
      auto left = *deadline - trace::Clock::now() + kDeadlineGrace;
      call->timer.expires_after(std::chrono::duration_cast<std::chrono::nanoseconds>(left));
    } else {
      call->timer.expires_at(asio::steady_timer::time_point::max());
    }
    if (!call->done) {
      boost::system::error_code ec;
      co_await call->timer.async_wait(asio::redirect_error(use_awaitable, ec));
    }
    pending_.erase(id);
    if (!call->done) {
      co_return RawReply{DeadlineExceededError("deadline exceeded waiting for " + frame.service +
                                               "/" + frame.method),
                         {}};
    }
    co_return std::move(call->reply);
  }

  void Close(const std::string& reason) {
    if (!open_) return;
    open_ = false;
    close_reason_ = reason;
    CloseSocket(socket_);
    for (auto& [id, call] : pending_) {
      call->Complete(RawReply{UnavailableError("connection closed: " + reason), {}});
    }
  }

  const std::string& address() const { return address_; }
  uint16_t port() const { return port_; }
  const ChannelOptions& options() const { return options_; }
  asio::any_io_executor executor() { return socket_.get_executor(); }
  bool open() const { return open_; }

 private:
  static constexpr std::chrono::milliseconds kDeadlineGrace{50};

  struct Pending {
    explicit Pending(const asio::any_io_executor& ex) : timer(ex) {}
    void Complete(RawReply r) {
      if (done) return;
      done = true;
      reply = std::move(r);
      timer.cancel();
    }
    asio::steady_timer timer;
    bool done = false;
    RawReply reply;
  };

  awaitable<void> ReadLoop(std::shared_ptr<ChannelImpl> self) {
    (void)self;  // keeps the connection alive while reading
    while (open_) {
      Result<std::string> body = co_await ReadFrame(socket_, options_.max_frame_size);
      if (!body.ok()) {
        Close(body.status().message());
        break;
      }
      Result<FrameBody> parsed = ParseFrameBody(*body);
      if (!parsed.ok() || parsed->kind != FrameKind::kResponse) {
        Close("malformed frame from server");
        break;
      }
      Result<ResponseFrame> response =
          Decode<ResponseFrame>(parsed->encoded, options_.decode_limits);
      if (!response.ok()) {
        Close("undecodable response: " + response.status().message());
        break;
      }
      if (response->id == 0) {
        Close("server error: " +
              Status(StatusCodeFromInt(response->code), response->message).ToString());
        break;
      }
      auto it = pending_.find(response->id);
      if (it == pending_.end()) continue;  // the caller gave up (deadline)
      Status st = response->code == 0
                      ? Status()
                      : Status(StatusCodeFromInt(response->code), std::move(response->message));
      it->second->Complete(RawReply{std::move(st), std::move(response->payload)});
    }
  }

  Socket socket_;
  FrameWriter writer_;
  ChannelOptions options_;
  std::string address_;
  uint16_t port_;
  std::atomic<bool> open_{true};
  std::string close_reason_;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, std::shared_ptr<Pending>> pending_;
};

}  // namespace internal

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
  asio::ip::tcp::socket tcp(asio::make_strand(executor));
  asio::steady_timer timer(executor);
  timer.expires_after(options.connect_timeout);
  boost::system::error_code timer_ec;
  auto which =
      co_await (asio::async_connect(tcp, endpoints, asio::redirect_error(use_awaitable, ec)) ||
                timer.async_wait(asio::redirect_error(use_awaitable, timer_ec)));
  if (which.index() == 1) co_return UnavailableError("connect " + host + ": timed out");
  if (ec)
    co_return UnavailableError("connect " + host + ":" + std::to_string(port) + ": " +
                               ec.message());
  tcp.set_option(asio::ip::tcp::no_delay(true), ec);
  internal::Socket socket(std::move(tcp));
  auto impl =
      std::make_shared<internal::ChannelImpl>(std::move(socket), std::move(options), host, port);
  impl->Start();
  co_return Channel(std::move(impl));
}

awaitable<Result<Channel>> Channel::ConnectUnix(asio::any_io_executor executor, std::string path,
                                                ChannelOptions options) {
  asio::local::stream_protocol::socket unix_socket(asio::make_strand(executor));
  boost::system::error_code ec;
  co_await unix_socket.async_connect(asio::local::stream_protocol::endpoint(path),
                                     asio::redirect_error(use_awaitable, ec));
  if (ec) co_return UnavailableError("connect " + path + ": " + ec.message());
  internal::Socket socket(std::move(unix_socket));
  auto impl =
      std::make_shared<internal::ChannelImpl>(std::move(socket), std::move(options), path, 0);
  impl->Start();
  co_return Channel(std::move(impl));
}

awaitable<Result<std::string>> Channel::CallRaw(std::string_view service, std::string_view method,
                                                std::string payload, CallOptions options) const {
  std::shared_ptr<internal::ChannelImpl> impl = impl_;
  internal::RequestFrame frame;
  frame.service = std::string(service);
  frame.method = std::string(method);
  frame.payload = std::move(payload);
  frame.metadata = std::move(options.metadata);

  std::optional<trace::Timestamp> deadline = options.deadline;
  auto tighten = [&deadline](trace::Timestamp t) {
    if (!deadline || t < *deadline) deadline = t;
  };
  if (options.timeout) {
    tighten(trace::Clock::now() +
            std::chrono::duration_cast<trace::Clock::duration>(*options.timeout));
  }
  if (options.parent && options.parent->deadline) tighten(*options.parent->deadline);
  if (deadline) frame.deadline_unix_nanos = std::max<uint64_t>(1, trace::ToUnixNanos(*deadline));

  trace::Context parent = options.trace_parent ? *options.trace_parent
                          : options.parent     ? options.parent->trace_context
                                               : trace::Context::Current();
  std::shared_ptr<trace::Span> span;
  trace::Context call_context = parent;
  if (impl->options().tracer) {
    span = internal::StartClientSpan(*impl->options().tracer, parent, frame.service, frame.method,
                                     impl->address(), impl->port());
    call_context = parent.WithSpan(span);
  }
  internal::InjectContext(call_context, frame.metadata);

  internal::RawReply reply = co_await asio::co_spawn(
      impl->executor(), impl->DoCall(std::move(frame), deadline), use_awaitable);
  internal::FinishSpan(span, reply.status);
  if (!reply.status.ok()) co_return reply.status;
  co_return std::move(reply.payload);
}

void Channel::Close() const {
  asio::dispatch(impl_->executor(), [impl = impl_] { impl->Close("closed by the client"); });
}

bool Channel::is_open() const { return impl_->open(); }

}  // namespace periscope::rpc
