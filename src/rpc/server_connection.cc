#include <algorithm>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/system_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/version.hpp>
#include <unordered_map>
#include <utility>

#include "periscope/trace/wall_clock.h"
#include "rpc/block_cache.h"
#include "rpc/call_scope.h"
#include "rpc/connection_methods.h"
#include "rpc/frame.h"
#include "rpc/server_impl.h"
#include "rpc/span_util.h"
#include "rpc/stream_core.h"

// GCC 12 reports a false -Wmismatched-new-delete on asio awaitable frames (GCC bug 109224).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace periscope::rpc::internal {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;

const char* KindName(CallKind kind) {
  switch (kind) {
    case CallKind::kUnary:
      return "a unary method";
    case CallKind::kServerStream:
      return "a server stream";
    case CallKind::kClientStream:
      return "a client stream";
    case CallKind::kBidiStream:
      return "a bidirectional stream";
  }
  return "an unknown kind of call";
}

// One call in flight on a connection. Its CallContext is owned by the handler's executor (which
// the handler's copies of it share). Comes from BlockCache. Strand-confined.
struct CallState {
  explicit CallState(CallScopedExecutor e)
      : executor(std::move(e)), call(&executor.target<CallScopedExecutor>()->call()) {}
  const CallContext& ctx() const { return **call; }

  // The handler's CallScopedExecutor, already type-erased: the call's coroutine copies it once.
  asio::any_io_executor executor;
  const std::shared_ptr<const CallContext>* call;  // the CallContext, owned by executor's state
  uint64_t id = 0;
  trace::Span* span = nullptr;  // the SERVER span, owned by ctx->trace_context
  size_t middleware_ran = 0;
  std::chrono::steady_clock::time_point start;
  asio::cancellation_signal signal;
  bool done = false;
  bool cancelled_by_client = false;
  std::shared_ptr<StreamCore> stream;  // streaming calls only
};

static_assert(BOOST_VERSION / 100 == 1081,
              "LaunchCall starts a coroutine like Boost 1.81's co_spawn, through asio::detail: "
              "check it against this Boost's boost/asio/impl/co_spawn.hpp");

using EntryPoint = awaitable<asio::detail::awaitable_thread_entry_point, asio::any_io_executor>;

// The bottom frame of a call's coroutine, in place of co_spawn's entry point: it owns the call's
// state (whose signal the coroutine's cancellation state lives in) until the coroutine ends.
// An exception here is an allocation failure while answering (RunHandler catches what handlers
// throw); co_spawn's completion dropped it too.
EntryPoint CallEntryPoint(std::shared_ptr<CallState> state, awaitable<void> run) {
  (void)state;
  try {
    co_await std::move(run);
  } catch (...) {
  }
}

// Starts `entry` on this thread, which runs the call's strand, as a coroutine whose executor is
// the call's, cancelled by the call's signal: co_spawn(call.executor, ...) minus its first
// dispatch (already on the strand), its tracked work guard (while a call is in flight, its
// connection's watchdog timer is pending work of the io_context, and the coroutine does not
// suspend after releasing its slot), its proxy cancellation signal and its completion. That is
// five executor copies fewer per call, each two locked reference counts (and the guard two
// locked work counts). The caller keeps the call in a CallScope around this, as the executor
// does around every later step.
void LaunchCall(EntryPoint entry, CallState& call, asio::cancellation_state cancellation) {
  asio::detail::awaitable_handler<asio::any_io_executor, void>(std::move(entry), call.executor,
                                                               call.signal.slot(), cancellation)
      .launch();
}

// Runs the middleware's before hooks; returns the first rejection. `ran` counts the hooks run.
Status RunBefore(const std::vector<ServerMiddleware>& middleware, const CallContext& ctx,
                 size_t& ran) {
  for (const ServerMiddleware& m : middleware) {
    ++ran;
    if (!m.before) continue;
    Status st = m.before(ctx);
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

void RunAfter(const std::vector<ServerMiddleware>& middleware, size_t ran, const CallContext& ctx,
              const Status& status, std::chrono::steady_clock::time_point start,
              std::chrono::steady_clock::time_point now) {
  auto duration = std::chrono::duration_cast<std::chrono::nanoseconds>(now - start);
  for (size_t i = ran; i-- > 0;) {
    if (middleware[i].after) middleware[i].after(ctx, status, duration);
  }
}

// Fills the CallContext of a request but its trace context. Not a coroutine (see span_util.h).
void MakeContext(RequestFrame& request, const std::string& peer, CallContext& ctx) {
  ctx.service = std::move(request.service);
  ctx.method = std::move(request.method);
  ctx.metadata = std::move(request.metadata);
  ctx.peer = peer;
  ctx.kind = static_cast<CallKind>(std::min<uint8_t>(request.call_kind, 3));
  if (request.deadline_unix_nanos != 0) {
    ctx.deadline = trace::Timestamp(std::chrono::duration_cast<trace::Clock::duration>(
        std::chrono::nanoseconds(request.deadline_unix_nanos)));
  }
}

// Sets the call's trace context from the request and, with a tracer, starts its SERVER span from
// the method's template.
void TraceCall(const ServerOptions& options, const RequestFrame& request,
               const SpanTemplate& span_template, trace::Timestamp start, CallContext& ctx,
               trace::Span*& span) {
  if (ctx.metadata.empty()) [[likely]] {
    // No tracestate or baggage: the parent is in the frame's trace fields, if anywhere.
    const trace::SpanContext parent = FrameParent(request);
    if (options.tracer) {
      std::shared_ptr<trace::Span> started =
          options.tracer->StartSpan(span_template.shape, parent, start);
      span = started.get();
      ctx.trace_context = trace::Context(std::move(started));
    } else if (parent.IsValid()) {
      ctx.trace_context = trace::Context(trace::Span::NonRecording(parent));
    }
    return;
  }
  RemoteParent remote = ExtractRemoteParent(request, ctx.metadata);
  if (options.tracer) {
    std::shared_ptr<trace::Span> started =
        StartServerSpan(*options.tracer, remote, span_template, start);
    span = started.get();
    ctx.trace_context = ServerContext(std::move(remote), std::move(started));
  } else {
    ctx.trace_context = RemoteContext(std::move(remote));
  }
}

// Tells the server that a connection has ended when destroyed (moved-from: nothing). A
// parameter of the connection's watchdog coroutine, so that it reports even when the io_context
// destroys the coroutine unfinished or never started.
class EndedNotice {
 public:
  explicit EndedNotice(std::shared_ptr<ServerImpl> server) : server_(std::move(server)) {}
  EndedNotice(EndedNotice&& other) noexcept : server_(std::move(other.server_)) {}
  EndedNotice& operator=(EndedNotice&&) = delete;
  ~EndedNotice() {
    if (server_) server_->ConnectionEnded();
  }

 private:
  std::shared_ptr<ServerImpl> server_;
};

// Reads frames, runs each call as its own coroutine and writes responses as they complete.
// Every member is touched on the transport's strand only.
class Connection : public ServerConnection, public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<ServerImpl> server, std::shared_ptr<Transport> transport)
      : server_(std::move(server)),
        transport_(std::move(transport)),
        strand_(transport_->executor()),
        io_strand_(strand_.target<CallScopedExecutor::IoStrand>()),
        idle_timer_(strand_),
        deadline_timer_(strand_),
        peer_(transport_->peer()),
        last_activity_(std::chrono::steady_clock::now()) {}

  void Start() {
    auto self = shared_from_this();
    asio::co_spawn(strand_, ReadLoop(self), asio::detached);
    asio::co_spawn(strand_, Watchdog(self, EndedNotice(server_)), asio::detached);
  }

  asio::any_io_executor executor() override { return strand_; }

  void Close() override {
    if (!open_) return;
    open_ = false;
    transport_->Close();
    CancelAll();
  }

  void Drain(std::chrono::steady_clock::time_point deadline) override {
    if (!open_ || draining_) return;
    draining_ = true;
    drain_deadline_ = deadline;
    if (CloseIfDrained()) return;
    idle_timer_.cancel();  // the watchdog waits for the drain deadline from now on
  }

 private:
  void CancelAll() {
    idle_timer_.cancel();
    deadline_timer_.cancel();
    std::vector<std::shared_ptr<CallState>> calls;
    for (auto& [id, call] : calls_) calls.push_back(call);
    for (auto& call : calls) {
      EndCall(*call, UnavailableError("connection closed"), /*cancel_handler=*/true);
    }
  }

  // Dispatches every frame already received, then waits for more: a read that brought many
  // frames starts all their calls before the next read.
  awaitable<void> ReadLoop(std::shared_ptr<Connection> self) {
    (void)self;  // keeps the connection alive while reading
    const ServerOptions& options = server_->options_;
    while (open_) {
      Result<std::optional<std::string_view>> body = transport_->NextFrame(options.max_frame_size);
      if (!body.ok()) {
        ConnectionError(body.status());
        break;
      }
      if (!body->has_value()) {
        Status st = co_await transport_->WaitForFrame(options.max_frame_size);
        if (!open_) break;
        if (st.ok()) {
          last_activity_ = std::chrono::steady_clock::now();
          continue;
        }
        if (st.code() == StatusCode::kUnavailable) {
          Close();
        } else {
          ConnectionError(st);
        }
        break;
      }
      Status st = Dispatch(**body);
      if (!st.ok()) {
        ConnectionError(st);
        break;
      }
    }
  }

  // Routes one frame from the client; an error is a connection-level protocol error. A request
  // takes the straight path; the rest (stream messages, control frames, errors) is out of line,
  // so that a unary call's code stays dense in the instruction cache.
  Status Dispatch(std::string_view body) {
    Result<FrameBody> parsed = ParseFrameBody(body);
    if (!parsed.ok()) [[unlikely]]
      return parsed.status();
    if (parsed->kind != FrameKind::kRequest) [[unlikely]]
      return DispatchOther(parsed->kind, parsed->encoded);
    RequestFrame request;
    // A large payload is decoded into a string this connection wrote before (no allocation).
    if (parsed->encoded.size() > kLargeFrameBytes) [[unlikely]] {
      request.payload = transport_->TakeSpareString(EncodedFieldLength(parsed->encoded, 5));
    }
    Status st = DecodeRequestFrame(parsed->encoded, server_->options_.decode_limits, request);
    if (!st.ok() || request.id == 0) [[unlikely]]
      return BadRequestFrame(st);
    HandleRequest(std::move(request));
    return Status::Ok();
  }

  // A request frame that did not decode (`decoded`), or else one with the reserved id 0.
  [[gnu::noinline, gnu::cold]] static Status BadRequestFrame(const Status& decoded) {
    if (!decoded.ok())
      return InvalidArgumentError("undecodable request frame: " + decoded.message());
    return InvalidArgumentError("request id 0 is reserved");
  }

  // Every frame kind but a request.
  [[gnu::noinline]] Status DispatchOther(FrameKind kind, std::string_view encoded) {
    const DecodeLimits& limits = server_->options_.decode_limits;
    switch (kind) {
      case FrameKind::kRequest:
        break;
      case FrameKind::kMessage: {
        Result<MessageFrame> m = Decode<MessageFrame>(encoded, limits);
        if (!m.ok()) return InvalidArgumentError("undecodable message frame");
        std::shared_ptr<CallState> call = FindStream(m->id);
        if (!call) return Status::Ok();  // the call has ended
        Status st = call->stream->OnMessage(std::move(m->payload));
        if (!st.ok()) EndCall(*call, st, /*cancel_handler=*/true);
        return Status::Ok();
      }
      case FrameKind::kHalfClose:
      case FrameKind::kCredit:
      case FrameKind::kCancel: {
        Result<ControlFrame> c = Decode<ControlFrame>(encoded, limits);
        if (!c.ok()) return InvalidArgumentError("undecodable control frame");
        auto it = calls_.find(c->id);
        if (it == calls_.end()) return Status::Ok();
        std::shared_ptr<CallState> call = it->second;
        if (kind == FrameKind::kCancel) {
          if (!call->done) {
            call->cancelled_by_client = true;
            server_->calls_cancelled_++;
          }
          EndCall(*call, Status(StatusCode::kCancelled, "cancelled by the client"), true);
        } else if (call->stream && kind == FrameKind::kHalfClose) {
          call->stream->OnHalfClose();
        } else if (call->stream) {
          call->stream->OnCredit(c->value);
        }
        return Status::Ok();
      }
      case FrameKind::kResponse:
        return InvalidArgumentError("a client may only send request frames");
    }
    return InvalidArgumentError("unknown frame kind");
  }

  std::shared_ptr<CallState> FindStream(uint64_t id) {
    auto it = calls_.find(id);
    if (it == calls_.end() || !it->second->stream) return nullptr;
    return it->second;
  }

  // Reports a connection-level error to the peer (response id 0), then closes.
  void ConnectionError(const Status& status) {
    server_->connections_closed_malformed_++;
    ResponseFrame frame;
    frame.code = static_cast<int32_t>(status.code());
    frame.message = status.message();
    transport_->Send(EncodeFrame(frame));
    transport_->CloseAfterFlush();
    open_ = false;
    CancelAll();
  }

  // A draining connection with no call left in flight closes once its answers are written;
  // whether it did.
  bool CloseIfDrained() {
    if (!draining_ || !open_ || in_flight_ > 0) return false;
    CloseAfterAnswers();
    return true;
  }

  // Closes once the answers already queued are written.
  void CloseAfterAnswers() {
    open_ = false;
    transport_->CloseAfterFlush();
    idle_timer_.cancel();
    deadline_timer_.cancel();
  }

  // The drain deadline passed: the calls left are answered with UNAVAILABLE and their handlers
  // cancelled, then the connection closes once the answers are written.
  void EndDrain() {
    std::vector<std::shared_ptr<CallState>> calls;
    for (auto& [id, call] : calls_) calls.push_back(call);
    for (auto& call : calls) {
      EndCall(*call, UnavailableError("server shut down before the call finished"),
              /*cancel_handler=*/true);
    }
    CloseAfterAnswers();
  }

  // Closes the connection when it has been idle too long, or when its drain deadline passed. It
  // keeps the connection alive until the connection is closed and every handler it started has
  // returned: RunHandler holds none. `ended` reports the end to the server.
  awaitable<void> Watchdog(std::shared_ptr<Connection> self, EndedNotice ended) {
    (void)self;
    (void)ended;
    auto idle = server_->options_.idle_timeout;
    auto tick = std::clamp<std::chrono::milliseconds>(idle / 4, std::chrono::milliseconds(5),
                                                      std::chrono::milliseconds(1000));
    while (open_ || in_flight_ > 0) {
      const auto now = std::chrono::steady_clock::now();
      if (draining_ && open_ && now >= drain_deadline_) {
        EndDrain();
        continue;
      }
      idle_timer_.expires_at(draining_ && open_ ? std::min(now + tick, drain_deadline_)
                                                : now + tick);
      boost::system::error_code ec;
      co_await idle_timer_.async_wait(asio::redirect_error(use_awaitable, ec));
      if (!open_ || draining_) continue;
      if (in_flight_ == 0 && std::chrono::steady_clock::now() - last_activity_ >= idle) {
        server_->connections_closed_idle_++;
        Close();
        break;
      }
    }
  }

  // `state` is owned by the CallEntryPoint frame that awaits this one and outlives it, so the
  // reference stays valid for this frame's whole life (even when the io_context destroys it
  // unfinished).
  // `connection` is kept alive by its Watchdog until this call's ReleaseCall and the rest of the
  // strand step that called it: every step of this coroutine runs on the connection's strand.
  static awaitable<void> RunHandler(const HandlerEntry* handler, std::string payload,
                                    CallState& state, Connection& connection) {
    Result<std::string> result = std::string();  // every path below assigns it
    try {
      if (state.stream) {
        RawStream stream(state.stream);
        result = co_await handler->stream(std::move(payload), std::move(stream), *state.call);
      } else {
        result = co_await handler->unary(std::move(payload), *state.call);
      }
    } catch (const boost::system::system_error& e) {
      result = e.code() == asio::error::operation_aborted
                   ? Status(StatusCode::kCancelled, "handler cancelled")
                   : InternalError(std::string("handler threw: ") + e.what());
    } catch (const std::exception& e) {
      result = InternalError(std::string("handler threw: ") + e.what());
    } catch (...) {
      result = InternalError("handler threw a non-standard exception");
    }
    // The handler returned: its slot is free now, not once co_spawn's completion gets a turn on
    // the strand, which may be after the read loop started every call of a big batch of frames.
    connection.ReleaseCall(state.id);
    connection.EndCall(state, std::move(result), /*cancel_handler=*/false);
    connection.CloseIfDrained();
  }

  // Frees the in-flight slot and table entry of a call whose handler returned; the last one of a
  // closed connection wakes the watchdog, which then lets the connection go. The watchdog runs
  // on the strand, so not before the caller's current step has ended.
  void ReleaseCall(uint64_t id) {
    calls_.erase(id);
    last_activity_ = std::chrono::steady_clock::now();
    if (--in_flight_ == 0 && !open_) idle_timer_.cancel();
  }

  // Ends a call with `result` unless it already ended: cancels the handler when it is not the
  // handler that finished, ends the span, runs the after hooks and answers the client (unless
  // it cancelled). The handler's in-flight slot is released when it really returns (RunHandler).
  void EndCall(CallState& state, Result<std::string> result, bool cancel_handler) {
    if (state.done) return;
    state.done = true;
    if (cancel_handler) {
      // In the call's scope, as co_spawn's proxy signal emitted it through the call's executor.
      CallScope scope(&state.ctx());
      state.signal.emit(asio::cancellation_type::all);
    }
    Status status = result.status();
    if (state.stream) state.stream->Finish(status, {}, /*discard=*/true);
    // The call's one clock reading at its end: its span's end, duration and the connection's
    // last activity.
    const auto now = std::chrono::steady_clock::now();
    FinishSpan(state.span, status, trace::WallTimeAt(now));
    state.span = nullptr;
    RunAfter(server_->options_.middleware, state.middleware_ran, state.ctx(), status, state.start,
             now);
    if (!state.cancelled_by_client) {
      Respond(state.id, status, result.ok() ? std::move(result).value() : std::string(), now);
    } else if (!status.ok()) {
      server_->calls_failed_++;
    }
  }

  // One timer per connection enforces every call's deadline: it is armed at the earliest
  // deadline in flight, and a call whose deadline is later than that (the usual case with
  // similar timeouts) costs no timer operation.
  void WatchDeadline(trace::Timestamp deadline) {
    if (deadline_armed_ && deadline >= deadline_at_) return;
    deadline_armed_ = true;
    deadline_at_ = deadline;
    deadline_timer_.expires_at(deadline);
    std::weak_ptr<Connection> weak = shared_from_this();
    deadline_timer_.async_wait([weak, deadline](boost::system::error_code ec) {
      auto self = weak.lock();
      if (!self || !self->open_) return;
      // Superseded by an earlier deadline: that wait re-arms.
      if (ec || self->deadline_at_ != deadline) return;
      self->ExpireDeadlines();
    });
  }

  // Ends the calls whose deadline passed and re-arms for the earliest one left.
  void ExpireDeadlines() {
    deadline_armed_ = false;
    const trace::Timestamp now = trace::Clock::now();
    std::vector<std::shared_ptr<CallState>> expired;
    std::optional<trace::Timestamp> next;
    for (auto& [id, call] : calls_) {
      const std::optional<trace::Timestamp>& deadline = call->ctx().deadline;
      if (call->done || !deadline) continue;
      if (*deadline <= now) {
        expired.push_back(call);
      } else if (!next || *deadline < *next) {
        next = *deadline;
      }
    }
    for (auto& call : expired) {
      EndCall(*call,
              DeadlineExceededError("deadline exceeded while handling " + call->ctx().service +
                                    "/" + call->ctx().method + "; handler cancelled"),
              /*cancel_handler=*/true);
    }
    if (next) WatchDeadline(*next);
  }

  // Why a call fails before its handler runs.
  enum class Refusal { kNone, kDraining, kUnknownMethod, kWrongKind, kTooMany, kIdInUse, kLate };

  // The checks on a call's straight path; the message is built only for a refusal (Refused).
  Refusal Admit(const HandlerEntry* handler, const CallContext& ctx, uint64_t id,
                trace::Timestamp now) const {
    if (draining_) [[unlikely]]
      return Refusal::kDraining;
    if (handler == nullptr) [[unlikely]]
      return Refusal::kUnknownMethod;
    if (handler->kind != ctx.kind) [[unlikely]]
      return Refusal::kWrongKind;
    if (in_flight_ >= server_->options_.max_concurrent_calls) [[unlikely]]
      return Refusal::kTooMany;
    if (calls_.contains(id)) [[unlikely]]
      return Refusal::kIdInUse;
    if (ctx.deadline && *ctx.deadline <= now) [[unlikely]]
      return Refusal::kLate;
    return Refusal::kNone;
  }

  // The status a refused call is answered with. Out of line: refusals are rare.
  [[gnu::noinline, gnu::cold]] Status Refused(Refusal refusal, const HandlerEntry* handler,
                                              const CallContext& ctx, uint64_t id) const {
    switch (refusal) {
      case Refusal::kNone:
        break;
      case Refusal::kDraining:
        return UnavailableError("server is shutting down");
      case Refusal::kUnknownMethod:
        return UnimplementedError("unknown method " + ctx.service + "/" + ctx.method);
      case Refusal::kWrongKind:
        return UnimplementedError(ctx.service + "/" + ctx.method + " is " +
                                  KindName(handler->kind) + ", called as " + KindName(ctx.kind));
      case Refusal::kTooMany:
        return ResourceExhaustedError("too many concurrent calls on this connection (limit " +
                                      std::to_string(server_->options_.max_concurrent_calls) + ")");
      case Refusal::kIdInUse:
        return InvalidArgumentError("request id " + std::to_string(id) + " is already in flight");
      case Refusal::kLate:
        return DeadlineExceededError("deadline passed before " + ctx.service + "/" + ctx.method +
                                     " started");
    }
    return Status::Ok();
  }

  void HandleRequest(RequestFrame&& request) {
    ServerImpl& server = *server_;
    const ServerOptions& options = server.options_;
    server.calls_++;
    // The call's one clock reading at its start: its span's start, deadline check and duration.
    const auto start = std::chrono::steady_clock::now();
    const trace::Timestamp wall_start = trace::WallTimeAt(start);
    auto owned_ctx = std::allocate_shared<CallContext>(CachedAllocator<CallContext>());
    CallContext& ctx = *owned_ctx;
    MakeContext(request, peer_, ctx);
    const ConnectionMethods::Method& method = methods_.Find(
        server, ctx.service, ctx.method, peer_, options.tracer ? &*options.tracer : nullptr);
    trace::Span* span = nullptr;
    TraceCall(options, request, method.span, wall_start, ctx, span);
    const uint64_t id = request.id;
    const HandlerEntry* handler = method.handler;
    size_t middleware_ran = 0;
    if (const Refusal refusal = Admit(handler, ctx, id, wall_start); refusal != Refusal::kNone)
        [[unlikely]] {
      Reject(Refused(refusal, handler, ctx, id), id, span, ctx, middleware_ran, start);
      return;
    }
    if (!options.middleware.empty()) {
      Status early = RunBefore(options.middleware, ctx, middleware_ran);
      if (!early.ok()) {
        Reject(early, id, span, ctx, middleware_ran, start);
        return;
      }
    }

    auto state = std::allocate_shared<CallState>(
        CachedAllocator<CallState>(), io_strand_
                                          ? CallScopedExecutor(*io_strand_, std::move(owned_ctx))
                                          : CallScopedExecutor(strand_, std::move(owned_ctx)));
    state->id = id;
    state->span = span;
    state->middleware_ran = middleware_ran;
    state->start = start;
    if (ctx.kind != CallKind::kUnary) {
      state->stream = std::make_shared<StreamCore>(transport_, id, /*client_side=*/false,
                                                   options.stream_window, request.window);
      if (ctx.kind != CallKind::kServerStream) {
        transport_->Send(EncodeControlFrame(FrameKind::kCredit, id, options.stream_window));
      }
    }
    // What may throw (allocations) comes before the call counts as in flight.
    CallState& call = *state;
    asio::cancellation_state cancellation(call.signal.slot());
    EntryPoint entry =
        CallEntryPoint(state, RunHandler(handler, std::move(request.payload), call, *this));
    calls_.emplace(id, state);
    ++in_flight_;
    if (ctx.deadline) WatchDeadline(*ctx.deadline);
    // A handler that does not suspend ends its call, and its coroutine, inside LaunchCall:
    // `state` keeps the call's context alive until this scope has ended.
    CallScope scope(&ctx);
    LaunchCall(std::move(entry), call, cancellation);
  }

  // Answers a call that failed before its handler ran: ends its span, runs the after hooks of
  // the before hooks that ran.
  [[gnu::noinline]] void Reject(const Status& status, uint64_t id, trace::Span* span,
                                const CallContext& ctx, size_t middleware_ran,
                                std::chrono::steady_clock::time_point start) {
    const auto now = std::chrono::steady_clock::now();
    FinishSpan(span, status, trace::WallTimeAt(now));
    RunAfter(server_->options_.middleware, middleware_ran, ctx, status, start, now);
    Respond(id, status, {}, now);
  }

  // now: the steady time, for the connection's idle timeout.
  void Respond(uint64_t id, const Status& status, std::string payload,
               std::chrono::steady_clock::time_point now) {
    if (!status.ok()) server_->calls_failed_++;
    if (!open_) return;
    ResponseFrame frame;
    frame.id = id;
    frame.code = static_cast<int32_t>(status.code());
    frame.message = status.message();
    frame.payload = std::move(payload);
    FramePieces pieces = EncodeFramePieces(std::move(frame));
    transport_->Send(std::move(pieces.head), std::move(pieces.payload));
    last_activity_ = now;
  }

  std::shared_ptr<ServerImpl> server_;
  std::shared_ptr<Transport> transport_;
  asio::any_io_executor strand_;
  const CallScopedExecutor::IoStrand* io_strand_;  // strand_'s, when it is an io_context strand
  asio::steady_timer idle_timer_;
  asio::system_timer deadline_timer_;
  bool deadline_armed_ = false;
  trace::Timestamp deadline_at_;
  std::string peer_;
  ConnectionMethods methods_;
  bool open_ = true;
  bool draining_ = false;  // Drain was called: no new calls
  std::chrono::steady_clock::time_point drain_deadline_;
  size_t in_flight_ = 0;
  std::chrono::steady_clock::time_point last_activity_;
  std::unordered_map<uint64_t, std::shared_ptr<CallState>, std::hash<uint64_t>,
                     std::equal_to<uint64_t>,
                     CachedAllocator<std::pair<const uint64_t, std::shared_ptr<CallState>>>>
      calls_;
};

}  // namespace

std::shared_ptr<ServerConnection> StartServerConnection(std::shared_ptr<ServerImpl> server,
                                                        std::shared_ptr<Transport> transport) {
  auto conn = std::make_shared<Connection>(std::move(server), std::move(transport));
  conn->Start();
  return conn;
}

}  // namespace periscope::rpc::internal
