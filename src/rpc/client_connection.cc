#include "rpc/client_connection.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/system_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "periscope/trace/wall_clock.h"
#include "rpc/block_cache.h"
#include "rpc/frame.h"
#include "rpc/span_util.h"
#include "rpc/stream_core.h"

// GCC 12 reports a false -Wmismatched-new-delete on asio awaitable frames (GCC bug 109224).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace periscope::rpc::internal {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;

const CallContext* ResolveParent(const CallOptions& options) {
  return options.parent ? options.parent : CurrentCall();
}

std::optional<trace::Timestamp> ResolveDeadline(const CallOptions& options) {
  // The clock is read only when a timeout needs it.
  return ResolveDeadline(options, options.timeout ? trace::Clock::now() : trace::Timestamp());
}

std::optional<trace::Timestamp> ResolveDeadline(const CallOptions& options, trace::Timestamp now) {
  std::optional<trace::Timestamp> deadline = options.deadline;
  auto tighten = [&deadline](trace::Timestamp t) {
    if (!deadline || t < *deadline) deadline = t;
  };
  if (options.timeout) {
    tighten(now + std::chrono::duration_cast<trace::Clock::duration>(*options.timeout));
  }
  const CallContext* parent = ResolveParent(options);
  if (parent && parent->deadline) tighten(*parent->deadline);
  return deadline;
}

namespace {

// A call: the request frame to send and what the client remembers of the call for its span,
// interceptors and messages (the frame keeps the service and method: sending it takes only its
// payload). One allocation per call, from BlockCache. Strand-confined after preparation.
struct CallRecord {
  RequestFrame frame;
  CallKind kind = CallKind::kUnary;
  Metadata metadata;
  std::chrono::steady_clock::time_point start;
  trace::UniqueSpan span;  // not recording without a tracer
  std::optional<trace::Timestamp> deadline;
  size_t interceptors_run = 0;  // how many `before` hooks ran (their `after` hooks run)
  Status rejected;              // a before hook's rejection: the request is not sent
};

// Runs the interceptors' before hooks, starts the CLIENT span and builds the request frame.
// Takes the request's strings. Not a coroutine (see span_util.h).
std::shared_ptr<CallRecord> Prepare(const ChannelOptions& channel, uint64_t connection,
                                    const std::string& address, uint16_t port,
                                    CallRequest& request) {
  CallOptions& options = request.options;
  CallKind kind = request.kind;
  auto record = std::allocate_shared<CallRecord>(CachedAllocator<CallRecord>());
  RequestFrame& frame = record->frame;
  frame.service = std::move(request.service);
  frame.method = std::move(request.method);
  record->kind = kind;
  record->metadata = std::move(options.metadata);
  // The call's one clock reading before it is sent: its duration, deadline and span start.
  record->start = std::chrono::steady_clock::now();
  const trace::Timestamp start = trace::WallTimeAt(record->start);
  record->deadline = ResolveDeadline(options, start);
  for (const ClientInterceptor& interceptor : channel.interceptors) {
    ++record->interceptors_run;
    if (!interceptor.before) continue;
    ClientCallInfo info{frame.service, frame.method, kind, record->metadata};
    Status st = interceptor.before(info);
    if (!st.ok()) {
      record->rejected = std::move(st);
      break;
    }
  }
  const CallContext* parent_call = ResolveParent(options);
  trace::Context current;
  const trace::Context* parent = options.trace_parent ? &*options.trace_parent
                                 : parent_call        ? &parent_call->trace_context
                                                      : nullptr;
  if (parent == nullptr) {
    current = trace::Context::Current();
    parent = &current;
  }
  if (channel.tracer) {
    if (request.names != nullptr) {
      StartClientSpan(*channel.tracer, *parent, connection, *request.names, address, port, start,
                      record->span);
    } else {
      StartClientSpan(*channel.tracer, *parent, frame.service, frame.method, address, port, start,
                      record->span);
    }
  }
  if (!record->metadata.empty()) frame.metadata = record->metadata;
  frame.payload = std::move(request.payload);
  frame.call_kind = static_cast<uint8_t>(kind);
  if (record->deadline) {
    frame.deadline_unix_nanos = std::max<uint64_t>(1, trace::ToUnixNanos(*record->deadline));
  }
  InjectCallContext(*parent, channel.tracer ? &record->span.context() : nullptr, frame);
  return record;
}

// Ends the span and runs the after hooks of the interceptors whose before hook ran.
void Complete(const ChannelOptions& channel, CallRecord& record, const Status& status) {
  const auto now = std::chrono::steady_clock::now();
  FinishSpan(record.span, status, trace::WallTimeAt(now));
  auto duration = now - record.start;
  for (size_t i = record.interceptors_run; i-- > 0;) {
    const ClientInterceptor& interceptor = channel.interceptors[i];
    if (!interceptor.after) continue;
    ClientCallInfo info{record.frame.service, record.frame.method, record.kind, record.metadata};
    interceptor.after(info, status, std::chrono::duration_cast<std::chrono::nanoseconds>(duration));
  }
}

// Numbers client connections from 1, never reused (see SpanTemplateCache).
uint64_t NextConnectionId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

Status CancelledByCaller() { return Status(StatusCode::kCancelled, "cancelled by the caller"); }

// One connection: the table of unary calls and streams in flight and the reader that completes
// them. Every member is touched on the transport's strand only, except the atomics.
class ClientConnection : public ChannelBackend,
                         public std::enable_shared_from_this<ClientConnection> {
 public:
  ClientConnection(std::shared_ptr<Transport> transport, ChannelOptions options,
                   std::string address, uint16_t port)
      : transport_(std::move(transport)),
        strand_(transport_->executor()),
        options_(std::move(options)),
        address_(std::move(address)),
        port_(port) {}

  void Start() { asio::co_spawn(strand_, ReadLoop(shared_from_this()), asio::detached); }

  // Unary calls: see Unary below.
  awaitable<RawReply> Call(std::shared_ptr<CallRequest> request) override {
    return Unary<RawReply>(shared_from_this(), std::move(request));
  }

  awaitable<Result<std::string>> CallPayload(std::shared_ptr<ChannelBackend> self,
                                             std::shared_ptr<CallRequest> request) override {
    (void)self;  // this connection: the coroutine below holds it
    return Unary<Result<std::string>>(shared_from_this(), std::move(request));
  }

  awaitable<RawStream> OpenStream(std::shared_ptr<CallRequest> request) override {
    auto self = shared_from_this();
    std::shared_ptr<CallRecord> record = Prepare(options_, id_, address_, port_, *request);
    co_return co_await asio::co_spawn(strand_, DoOpenStream(self, record), use_awaitable);
  }

  void Close() override {
    asio::dispatch(strand_,
                   [self = shared_from_this()] { self->CloseOnStrand("closed by the client"); });
  }
  bool is_open() const override { return open_; }
  size_t in_flight() const override { return in_flight_; }
  size_t open_streams() const override { return open_streams_; }

 private:
  static constexpr std::chrono::milliseconds kDeadlineGrace{50};

  // A unary call is an asynchronous operation on the connection, not a coroutine of its own:
  // the caller suspends once, the strand registers the call, and the reader hands the reply to
  // the caller's executor. No timer or co_spawn per call; one timer per connection enforces the
  // deadlines (see WatchDeadline). Out is RawReply (for the pool, which needs `sent`) or
  // Result<std::string> (Channel::CallRaw: one coroutine frame less per call).
  template <class Out>
  static awaitable<Out> Unary(std::shared_ptr<ClientConnection> self,
                              std::shared_ptr<CallRequest> request) {
    std::shared_ptr<CallRecord> record =
        Prepare(self->options_, self->id_, self->address_, self->port_, *request);
    RawReply reply;
    if (!record->rejected.ok()) {
      Complete(self->options_, *record, record->rejected);
      reply.status = record->rejected;
      reply.sent = false;
    } else {
      auto initiation = [self, record](auto handler) mutable {
        self->InitiateUnary(std::move(record), std::move(handler));
      };
      reply = co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(RawReply)>(
          std::move(initiation), use_awaitable);
      Complete(self->options_, *record, reply.status);
    }
    if constexpr (std::is_same_v<Out, RawReply>) {
      co_return reply;
    } else {
      if (!reply.status.ok()) co_return std::move(reply.status);
      co_return std::move(reply.payload);
    }
  }

  // The caller of a unary call waiting for its reply. Finish hands the reply over on the
  // caller's executor (never inline). Allocated from BlockCache; Destroy frees it.
  // Strand-confined.
  struct Waiter {
    virtual void Finish(RawReply reply) = 0;
    virtual void Destroy() = 0;

   protected:
    ~Waiter() = default;
  };
  struct WaiterDeleter {
    void operator()(Waiter* waiter) const { waiter->Destroy(); }
  };
  using WaiterPtr = std::unique_ptr<Waiter, WaiterDeleter>;
  template <class Handler>
  struct WaiterFor final : Waiter {
    explicit WaiterFor(Handler&& h)
        : handler(std::move(h)),
          work(asio::prefer(asio::get_associated_executor(handler),
                            asio::execution::outstanding_work.tracked)) {}
    static WaiterPtr Make(Handler&& h) {
      CachedAllocator<WaiterFor> allocator;
      WaiterFor* waiter = allocator.allocate(1);
      try {
        new (waiter) WaiterFor(std::move(h));
      } catch (...) {
        allocator.deallocate(waiter, 1);
        throw;
      }
      return WaiterPtr(waiter);
    }
    void Finish(RawReply reply) override {
      asio::any_io_executor ex = work;
      asio::post(ex, [h = std::move(handler), r = std::move(reply)]() mutable {
        asio::get_associated_cancellation_slot(h).clear();
        std::move(h)(std::move(r));
      });
    }
    void Destroy() override {
      this->~WaiterFor();
      CachedAllocator<WaiterFor>().deallocate(this, 1);
    }
    Handler handler;
    asio::any_io_executor work;  // keeps the caller's execution context running meanwhile
  };

  // A unary call in flight.
  struct PendingCall {
    WaiterPtr waiter;
    std::shared_ptr<CallRecord> record;
    std::optional<trace::Timestamp> give_up_at;  // deadline + grace
  };

  // Runs in the caller's context: the request id is taken here so that the caller's
  // cancellation slot can name the call, then the strand registers and sends it.
  template <class Handler>
  void InitiateUnary(std::shared_ptr<CallRecord> record, Handler handler) {
    const uint64_t id = next_id_.fetch_add(1, std::memory_order_relaxed);
    auto slot = asio::get_associated_cancellation_slot(handler);
    if (slot.is_connected()) {
      slot.assign([weak = weak_from_this(), id](asio::cancellation_type type) {
        if (type == asio::cancellation_type::none) return;
        if (auto self = weak.lock()) {
          asio::dispatch(self->strand_, [self, id] { self->AbandonUnary(id, /*cancelled=*/true); });
        }
      });
    }
    WaiterPtr waiter = WaiterFor<Handler>::Make(std::move(handler));
    asio::dispatch(strand_, [self = shared_from_this(), record = std::move(record), id,
                             waiter = std::move(waiter)]() mutable {
      self->StartUnary(id, std::move(record), std::move(waiter));
    });
  }

  void StartUnary(uint64_t id, std::shared_ptr<CallRecord> record, WaiterPtr waiter) {
    if (!open_) {
      waiter->Finish(RawReply{UnavailableError("connection closed: " + close_reason_), {}, false});
      return;
    }
    record->frame.id = id;
    FramePieces pieces = EncodeRequestPieces(record->frame);
    transport_->Send(std::move(pieces.head), std::move(pieces.payload));
    std::optional<trace::Timestamp> give_up_at;
    // A grace period lets the server's own DEADLINE_EXCEEDED (and its span) arrive first.
    if (record->deadline) give_up_at = *record->deadline + kDeadlineGrace;
    pending_.emplace(id, PendingCall{std::move(waiter), std::move(record), give_up_at});
    ++in_flight_;
    if (give_up_at) WatchDeadline(*give_up_at);
  }

  // Answers a unary call with `reply` if it is still pending.
  void FinishUnary(uint64_t id, RawReply reply) {
    auto it = pending_.find(id);
    if (it == pending_.end()) return;
    WaiterPtr waiter = std::move(it->second.waiter);
    pending_.erase(it);
    --in_flight_;
    waiter->Finish(std::move(reply));
  }

  // The caller gave up on a pending call (cancelled, or out of time): tells the server to cancel
  // the handler and answers the caller.
  void AbandonUnary(uint64_t id, bool cancelled) {
    auto it = pending_.find(id);
    if (it == pending_.end()) return;
    if (open_) transport_->Send(EncodeControlFrame(FrameKind::kCancel, id));
    if (cancelled) {
      FinishUnary(id, RawReply{CancelledByCaller(), {}, true});
      return;
    }
    const CallRecord& record = *it->second.record;
    Status status = DeadlineExceededError("deadline exceeded waiting for " + record.frame.service +
                                          "/" + record.frame.method);
    FinishUnary(id, RawReply{std::move(status), {}, true});
  }

  // One timer per connection, armed at the earliest give-up time in flight: a call whose
  // deadline is later than the armed one (the usual case with similar timeouts) costs no timer
  // operation.
  void WatchDeadline(trace::Timestamp at) {
    if (deadline_armed_ && at >= deadline_at_) return;
    deadline_armed_ = true;
    deadline_at_ = at;
    deadline_timer_.expires_at(at);
    deadline_timer_.async_wait([weak = weak_from_this(), at](boost::system::error_code ec) {
      auto self = weak.lock();
      // Superseded by an earlier time: that wait re-arms.
      if (!self || ec || self->deadline_at_ != at) return;
      self->ExpireDeadlines();
    });
  }

  // Abandons the calls whose give-up time passed and re-arms for the earliest one left.
  void ExpireDeadlines() {
    deadline_armed_ = false;
    if (!open_) return;
    const trace::Timestamp now = trace::Clock::now();
    std::vector<uint64_t> expired;
    std::optional<trace::Timestamp> next;
    for (const auto& [id, call] : pending_) {
      if (!call.give_up_at) continue;
      if (*call.give_up_at <= now) {
        expired.push_back(id);
      } else if (!next || *call.give_up_at < *next) {
        next = call.give_up_at;
      }
    }
    for (uint64_t id : expired) AbandonUnary(id, /*cancelled=*/false);
    if (next) WatchDeadline(*next);
  }

  static awaitable<RawStream> DoOpenStream(std::shared_ptr<ClientConnection> self,
                                           std::shared_ptr<CallRecord> record) {
    uint64_t id = self->next_id_.fetch_add(1, std::memory_order_relaxed);
    auto core = std::make_shared<StreamCore>(self->transport_, id, /*client_side=*/true,
                                             self->options_.stream_window, 0);
    std::weak_ptr<ClientConnection> weak = self;
    auto watchdog = std::make_shared<asio::steady_timer>(self->strand_);
    core->on_finish = [weak, id, record, watchdog](const Status& status) {
      watchdog->cancel();
      auto conn = weak.lock();
      if (!conn) return;
      if (conn->streams_.erase(id) != 0) {
        --conn->in_flight_;
        --conn->open_streams_;
      }
      Complete(conn->options_, *record, status);
    };
    if (!record->rejected.ok()) {
      core->Finish(record->rejected, std::string(), true);
      co_return RawStream(core);
    }
    if (!self->open_) {
      core->Finish(UnavailableError("connection closed: " + self->close_reason_), std::string(),
                   true);
      co_return RawStream(core);
    }
    core->on_cancel = [weak, id](const Status&) {
      auto conn = weak.lock();
      if (conn && conn->open_) conn->transport_->Send(EncodeControlFrame(FrameKind::kCancel, id));
    };
    self->streams_.emplace(id, core);
    ++self->in_flight_;
    ++self->open_streams_;
    record->frame.id = id;
    record->frame.window = self->options_.stream_window;
    self->transport_->Send(EncodeFrame(record->frame));
    if (record->deadline) {
      auto left = *record->deadline - trace::Clock::now() + kDeadlineGrace;
      watchdog->expires_after(std::chrono::duration_cast<std::chrono::nanoseconds>(left));
      std::weak_ptr<StreamCore> weak_core = core;
      watchdog->async_wait([weak_core](boost::system::error_code ec) {
        if (ec) return;
        if (auto c = weak_core.lock()) {
          c->Cancel(DeadlineExceededError("deadline exceeded during the stream"));
        }
      });
    }
    co_return RawStream(core);
  }

  awaitable<void> ReadLoop(std::shared_ptr<ClientConnection> self) {
    (void)self;  // keeps the connection alive while reading
    while (open_) {
      Result<std::optional<std::string_view>> body = transport_->NextFrame(options_.max_frame_size);
      if (body.ok() && !body->has_value()) {
        Status st = co_await transport_->WaitForFrame(options_.max_frame_size);
        if (!st.ok()) {
          CloseOnStrand(st.message());
          break;
        }
        continue;
      }
      if (!body.ok()) {
        CloseOnStrand(body.status().message());
        break;
      }
      Status st = Dispatch(**body);
      if (!st.ok()) {
        CloseOnStrand(st.message());
        break;
      }
    }
  }

  // Routes one frame from the server; an error closes the connection.
  Status Dispatch(std::string_view body) {
    Result<FrameBody> parsed = ParseFrameBody(body);
    if (!parsed.ok()) return InvalidArgumentError("malformed frame from server");
    switch (parsed->kind) {
      case FrameKind::kResponse: {
        ResponseFrame r;
        // A large payload is decoded into a string this connection wrote before (no allocation).
        if (parsed->encoded.size() > kLargeFrameBytes) {
          r.payload = transport_->TakeSpareString(EncodedFieldLength(parsed->encoded, 3));
        }
        Status decoded = DecodeResponseFrame(parsed->encoded, options_.decode_limits, r);
        if (!decoded.ok())
          return InvalidArgumentError("undecodable response: " + decoded.message());
        if (r.id == 0) {
          return InvalidArgumentError("server error: " +
                                      Status(StatusCodeFromInt(r.code), r.message).ToString());
        }
        Status st =
            r.code == 0 ? Status() : Status(StatusCodeFromInt(r.code), std::move(r.message));
        if (pending_.contains(r.id)) {
          FinishUnary(r.id, RawReply{std::move(st), std::move(r.payload), true});
        } else if (auto s = streams_.find(r.id); s != streams_.end()) {
          std::shared_ptr<StreamCore> core = s->second;
          core->Finish(std::move(st), std::move(r.payload), /*discard=*/false);
        }
        return Status::Ok();  // else the caller gave up
      }
      case FrameKind::kMessage: {
        Result<MessageFrame> m = Decode<MessageFrame>(parsed->encoded, options_.decode_limits);
        if (!m.ok()) return InvalidArgumentError("undecodable message: " + m.status().message());
        auto s = streams_.find(m->id);
        if (s == streams_.end()) return Status::Ok();
        std::shared_ptr<StreamCore> core = s->second;
        Status st = core->OnMessage(std::move(m->payload));
        if (!st.ok()) core->Cancel(st);
        return Status::Ok();
      }
      case FrameKind::kCredit: {
        Result<ControlFrame> c = Decode<ControlFrame>(parsed->encoded, options_.decode_limits);
        if (!c.ok()) return InvalidArgumentError("undecodable credit: " + c.status().message());
        if (auto s = streams_.find(c->id); s != streams_.end()) s->second->OnCredit(c->value);
        return Status::Ok();
      }
      default:
        return InvalidArgumentError("unexpected frame kind from server");
    }
  }

  void CloseOnStrand(const std::string& reason) {
    if (!open_) return;
    open_ = false;
    close_reason_ = reason;
    transport_->Close();
    deadline_timer_.cancel();
    std::vector<uint64_t> pending;
    for (const auto& [id, call] : pending_) pending.push_back(id);
    for (uint64_t id : pending) {
      FinishUnary(id, RawReply{UnavailableError("connection closed: " + reason), {}, true});
    }
    std::vector<std::shared_ptr<StreamCore>> streams;
    for (auto& [id, core] : streams_) streams.push_back(core);
    for (auto& core : streams) {
      core->Finish(UnavailableError("connection closed: " + reason), {}, false);
    }
  }

  std::shared_ptr<Transport> transport_;
  asio::any_io_executor strand_;
  ChannelOptions options_;
  std::string address_;
  uint16_t port_;
  const uint64_t id_ = NextConnectionId();  // the connection's number in this process
  std::atomic<bool> open_{true};
  std::atomic<size_t> in_flight_{0};
  std::atomic<size_t> open_streams_{0};
  std::string close_reason_;
  std::atomic<uint64_t> next_id_{1};
  std::unordered_map<uint64_t, PendingCall, std::hash<uint64_t>, std::equal_to<uint64_t>,
                     CachedAllocator<std::pair<const uint64_t, PendingCall>>>
      pending_;
  asio::system_timer deadline_timer_{strand_};
  bool deadline_armed_ = false;
  trace::Timestamp deadline_at_;
  std::unordered_map<uint64_t, std::shared_ptr<StreamCore>> streams_;
};

}  // namespace

std::shared_ptr<ChannelBackend> MakeClientConnection(std::shared_ptr<Transport> transport,
                                                     ChannelOptions&& options,
                                                     const std::string& address, uint16_t port) {
  auto conn =
      std::make_shared<ClientConnection>(std::move(transport), std::move(options), address, port);
  conn->Start();
  return conn;
}

}  // namespace periscope::rpc::internal
