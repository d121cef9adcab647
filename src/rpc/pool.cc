#include "periscope/rpc/pool.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cmath>
#include <cstring>
#include <mutex>
#include <random>

#include "periscope/rpc/health.h"
#include "periscope/rpc/server.h"
#include "rpc/channel_backend.h"
#include "rpc/client_connection.h"
#include "rpc/stream_core.h"

// GCC 12 reports a false -Wmismatched-new-delete on asio awaitable frames (GCC bug 109224).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace periscope::rpc {
namespace internal {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;

namespace {

uint64_t HashKey(std::string_view s) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a, then the splitmix64 finaliser
  for (char c : s) {
    h ^= static_cast<uint8_t>(c);
    h *= 1099511628211ull;
  }
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 31;
  return h;
}

std::string NameOf(const Endpoint& e) {
  if (!e.name.empty()) return e.name;
  if (e.in_memory) return "in-memory";
  if (!e.unix_path.empty()) return "unix:" + e.unix_path;
  return e.host + ":" + std::to_string(e.port);
}

// Not coroutines: they copy the options outside any coroutine body (GCC 12, see rpc.h).
Result<Channel> ConnectInMemory(const Endpoint& e, const asio::any_io_executor& executor,
                                const ChannelOptions& options) {
  return e.in_memory->ConnectInMemory(executor, options);
}
awaitable<Result<Channel>> ConnectSocket(const Endpoint& e, const asio::any_io_executor& executor,
                                         const ChannelOptions& options) {
  if (!e.unix_path.empty()) return Channel::ConnectUnix(executor, e.unix_path, options);
  return Channel::ConnectTcp(executor, e.host, e.port, options);
}

// A stream that failed before it started (no connection).
RawStream FailedStream(asio::any_io_executor executor, Status status) {
  auto [a, b] = MakeInMemoryPair(executor, executor);
  b->Close();
  auto core = std::make_shared<StreamCore>(a, 0, true, 1, 0);
  core->Finish(std::move(status), {}, true);
  return RawStream(core);
}

// A trace context that is valid but not sampled: health checks made under it are propagated as
// unsampled, so parent-based samplers on both sides record nothing.
trace::Context UnsampledContext(std::mt19937_64& rng) {
  trace::SpanContext span;
  std::array<uint8_t, 16> trace_bytes{};
  std::array<uint8_t, 8> span_bytes{};
  uint64_t a = rng() | 1, b = rng(), c = rng() | 1;
  std::memcpy(trace_bytes.data(), &a, 8);
  std::memcpy(trace_bytes.data() + 8, &b, 8);
  std::memcpy(span_bytes.data(), &c, 8);
  span.trace_id = trace::TraceId(trace_bytes);
  span.span_id = trace::SpanId(span_bytes);
  span.is_remote = true;
  return trace::Context().WithRemoteSpanContext(span);
}

}  // namespace

// One server of a pool and its connection. Guarded by PoolBackend::mu_ except the atomics.
struct PoolSlot {
  Endpoint endpoint;
  std::string name;
  std::shared_ptr<ChannelBackend> connection;
  std::chrono::steady_clock::time_point down_until{};
  bool healthy = true;
  std::atomic<size_t> in_flight{0};  // unary calls, from the pick to the reply
  std::atomic<bool> probing{false};
};

// The ChannelBackend of a ChannelPool. Thread-safe (mu_).
class PoolBackend : public ChannelBackend, public std::enable_shared_from_this<PoolBackend> {
 public:
  PoolBackend(asio::any_io_executor executor, PoolOptions options)
      : executor_(std::move(executor)),
        options_(std::move(options)),
        health_strand_(asio::make_strand(executor_)) {}

  // Starts the health-check loop when the options ask for one.
  void StartHealthChecks() {
    if (options_.health_check_interval.count() <= 0) return;
    health_timer_ = std::make_shared<asio::steady_timer>(health_strand_);
    asio::co_spawn(health_strand_, HealthLoop(weak_from_this(), health_timer_),
                   [](std::exception_ptr) {});
  }

  Status Add(Endpoint endpoint) {
    auto slot = std::make_shared<PoolSlot>();
    slot->name = NameOf(endpoint);
    slot->endpoint = std::move(endpoint);
    std::lock_guard lock(mu_);
    for (const auto& s : slots_) {
      if (s->name == slot->name) {
        return Status(StatusCode::kAlreadyExists, "endpoint " + slot->name + " already added");
      }
    }
    slots_.push_back(std::move(slot));
    RebuildRing();
    return Status::Ok();
  }

  Status Remove(std::string_view name) {
    std::shared_ptr<PoolSlot> removed;
    {
      std::lock_guard lock(mu_);
      auto it = std::find_if(slots_.begin(), slots_.end(),
                             [&](const auto& s) { return s->name == name; });
      if (it == slots_.end()) {
        return Status(StatusCode::kNotFound, "no endpoint " + std::string(name));
      }
      removed = *it;
      slots_.erase(it);
      RebuildRing();
    }
    if (removed->connection) removed->connection->Close();
    return Status::Ok();
  }

  std::vector<std::string> Names() const {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& s : slots_) out.push_back(s->name);
    return out;
  }

  std::vector<EndpointState> States() const {
    std::lock_guard lock(mu_);
    std::vector<EndpointState> out;
    auto now = std::chrono::steady_clock::now();
    for (const auto& s : slots_) out.push_back({s->name, Up(*s, now), Load(*s)});
    return out;
  }

  std::optional<std::string> ForKey(std::string_view key) const {
    std::lock_guard lock(mu_);
    std::shared_ptr<PoolSlot> slot = FromRing(HashKey(key), /*skip_down=*/false);
    if (!slot) return std::nullopt;
    return slot->name;
  }

  awaitable<RawReply> Call(std::shared_ptr<CallRequest> request) override {
    auto self = shared_from_this();
    CallOptions& options = request->options;
    // Fix what depends on this thread before the first suspension.
    if (!options.parent) options.parent = CurrentCall();
    if (!options.parent && !options.trace_parent) options.trace_parent = trace::Context::Current();
    options.deadline = ResolveDeadline(options);
    options.timeout.reset();
    const RetryPolicy& retry = options_.retry;
    RawReply reply;
    for (int attempt = 1;; ++attempt) {
      std::shared_ptr<PoolSlot> slot = Pick(options);
      if (!slot) co_return RawReply{UnavailableError("the pool has no endpoints"), {}, false};
      Result<std::shared_ptr<ChannelBackend>> conn = co_await Connect(slot);
      if (!conn.ok()) {
        reply.status = conn.status();
        reply.sent = false;
      } else {
        ++slot->in_flight;
        auto attempt_request = std::make_shared<CallRequest>(*request);
        reply = co_await (*conn)->Call(attempt_request);
        --slot->in_flight;
      }
      bool retryable =
          reply.status.code() == StatusCode::kUnavailable && (options.idempotent || !reply.sent);
      if (reply.status.ok() || !retryable || attempt >= retry.max_attempts) co_return reply;
      auto backoff = Backoff(attempt);
      if (options.deadline && trace::Clock::now() + backoff >= *options.deadline) co_return reply;
      asio::steady_timer timer(executor_);
      timer.expires_after(backoff);
      boost::system::error_code ec;
      co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
      asio::cancellation_state state = co_await asio::this_coro::cancellation_state;
      if (state.cancelled() != asio::cancellation_type::none) {
        co_return RawReply{Status(StatusCode::kCancelled, "cancelled by the caller"), {}, false};
      }
    }
  }

  awaitable<RawStream> OpenStream(std::shared_ptr<CallRequest> request) override {
    auto self = shared_from_this();
    CallOptions& options = request->options;
    if (!options.parent) options.parent = CurrentCall();
    if (!options.parent && !options.trace_parent) options.trace_parent = trace::Context::Current();
    options.deadline = ResolveDeadline(options);
    options.timeout.reset();
    std::shared_ptr<PoolSlot> slot = Pick(options);
    if (!slot) co_return FailedStream(executor_, UnavailableError("the pool has no endpoints"));
    Result<std::shared_ptr<ChannelBackend>> conn = co_await Connect(slot);
    if (!conn.ok()) co_return FailedStream(executor_, conn.status());
    co_return co_await (*conn)->OpenStream(request);
  }

  void Close() override {
    std::vector<std::shared_ptr<PoolSlot>> slots;
    {
      std::lock_guard lock(mu_);
      closed_ = true;
      slots = slots_;
    }
    if (health_timer_) asio::post(health_strand_, [timer = health_timer_] { timer->cancel(); });
    for (auto& s : slots) {
      std::shared_ptr<ChannelBackend> conn;
      {
        std::lock_guard lock(mu_);
        conn = s->connection;
      }
      if (conn) conn->Close();
    }
  }

  bool is_open() const override { return !closed_; }

  size_t in_flight() const override {
    std::lock_guard lock(mu_);
    size_t n = 0;
    for (const auto& s : slots_) n += Load(*s);
    return n;
  }

  size_t open_streams() const override {
    std::lock_guard lock(mu_);
    size_t n = 0;
    for (const auto& s : slots_) n += s->connection ? s->connection->open_streams() : 0;
    return n;
  }

 private:
  std::chrono::nanoseconds Backoff(int attempt) {
    const RetryPolicy& retry = options_.retry;
    double ms = retry.initial_backoff.count() * std::pow(retry.multiplier, attempt - 1);
    ms = std::min<double>(ms, retry.max_backoff.count());
    std::uniform_real_distribution<double> jitter(0.5, 1.0);
    {
      std::lock_guard lock(mu_);
      ms *= jitter(rng_);
    }
    return std::chrono::nanoseconds(static_cast<int64_t>(ms * 1e6));
  }

  void RebuildRing() {
    ring_.clear();
    for (const auto& s : slots_) {
      for (int i = 0; i < options_.virtual_nodes; ++i) {
        ring_.emplace_back(HashKey(s->name + "#" + std::to_string(i)), s);
      }
    }
    std::sort(ring_.begin(), ring_.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
  }

  bool Up(const PoolSlot& s, std::chrono::steady_clock::time_point now) const {
    return s.healthy && s.down_until <= now;
  }

  // Unary calls in flight plus open streams. Called with mu_ held.
  static size_t Load(const PoolSlot& s) {
    return s.in_flight + (s.connection ? s.connection->open_streams() : 0);
  }

  std::shared_ptr<PoolSlot> FromRing(uint64_t h, bool skip_down) const {
    if (ring_.empty()) return nullptr;
    auto now = std::chrono::steady_clock::now();
    auto it = std::lower_bound(ring_.begin(), ring_.end(), h,
                               [](const auto& e, uint64_t v) { return e.first < v; });
    for (size_t n = 0; n < ring_.size(); ++n, ++it) {
      if (it == ring_.end()) it = ring_.begin();
      if (!skip_down || Up(*it->second, now)) return it->second;
    }
    return ring_.front().second;  // every endpoint is down: try the key's own
  }

  std::shared_ptr<PoolSlot> Pick(const CallOptions& options) {
    std::lock_guard lock(mu_);
    if (closed_ || slots_.empty()) return nullptr;
    if (options_.policy == LoadBalancing::kConsistentHash && !options.hash_key.empty()) {
      return FromRing(HashKey(options.hash_key), /*skip_down=*/true);
    }
    auto now = std::chrono::steady_clock::now();
    std::vector<std::shared_ptr<PoolSlot>> up;
    for (const auto& s : slots_) {
      if (Up(*s, now)) up.push_back(s);
    }
    if (up.empty()) up = slots_;
    if (options_.policy == LoadBalancing::kLeastLoaded && up.size() > 1) {
      std::uniform_int_distribution<size_t> pick(0, up.size() - 1);
      size_t a = pick(rng_);
      size_t b = pick(rng_);
      while (b == a) b = pick(rng_);
      return Load(*up[a]) <= Load(*up[b]) ? up[a] : up[b];
    }
    return up[next_++ % up.size()];
  }

  // The slot's open connection, connecting when there is none. UNAVAILABLE on failure (the
  // endpoint is then skipped for reconnect_backoff).
  awaitable<Result<std::shared_ptr<ChannelBackend>>> Connect(std::shared_ptr<PoolSlot> slot) {
    {
      std::lock_guard lock(mu_);
      if (closed_) co_return UnavailableError("the pool is closed");
      if (slot->connection && slot->connection->is_open()) co_return slot->connection;
    }
    Result<Channel> channel = UnavailableError("not connected");
    if (slot->endpoint.in_memory) {
      channel = ConnectInMemory(slot->endpoint, executor_, options_.channel);
    } else {
      channel = co_await ConnectSocket(slot->endpoint, executor_, options_.channel);
    }
    std::lock_guard lock(mu_);
    if (!channel.ok()) {
      slot->down_until = std::chrono::steady_clock::now() + options_.reconnect_backoff;
      co_return UnavailableError(slot->name + ": " + channel.status().message());
    }
    std::shared_ptr<ChannelBackend> conn = ChannelAccess::Backend(*channel);
    if (slot->connection && slot->connection->is_open()) {
      conn->Close();  // another caller connected first
      co_return slot->connection;
    }
    slot->connection = conn;
    slot->down_until = {};
    co_return conn;
  }

  static awaitable<void> HealthLoop(std::weak_ptr<PoolBackend> weak,
                                    std::shared_ptr<asio::steady_timer> timer) {
    for (;;) {
      {
        auto self = weak.lock();
        if (!self || self->closed_) co_return;
        self->CheckAll();
        timer->expires_after(self->options_.health_check_interval);
      }
      boost::system::error_code ec;
      co_await timer->async_wait(asio::redirect_error(use_awaitable, ec));
    }
  }

  // Starts one check per endpoint, skipping those whose previous check is still running.
  void CheckAll() {
    std::vector<std::shared_ptr<PoolSlot>> slots;
    {
      std::lock_guard lock(mu_);
      slots = slots_;
    }
    for (auto& slot : slots) {
      if (slot->probing.exchange(true)) continue;
      asio::co_spawn(executor_, Check(shared_from_this(), slot), [](std::exception_ptr) {});
    }
  }

  static awaitable<void> Check(std::shared_ptr<PoolBackend> self, std::shared_ptr<PoolSlot> slot) {
    bool healthy = false;
    Result<std::shared_ptr<ChannelBackend>> conn = co_await self->Connect(slot);
    if (conn.ok()) {
      CallOptions options;
      options.timeout = self->options_.health_check_timeout;
      {
        std::lock_guard lock(self->mu_);
        options.trace_parent = UnsampledContext(self->rng_);
      }
      HealthCheckRequest request{self->options_.health_check_service};
      Client<Health> client(ChannelAccess::Make(*conn));
      Result<HealthCheckReply> reply =
          co_await client.Call<Health::Check>(std::move(request), std::move(options));
      healthy = reply.ok() ? reply->status == ServingStatus::kServing
                           : reply.status().code() == StatusCode::kUnimplemented;
    }
    {
      std::lock_guard lock(self->mu_);
      slot->healthy = healthy;
    }
    slot->probing = false;
  }

  asio::any_io_executor executor_;
  PoolOptions options_;
  asio::strand<asio::any_io_executor> health_strand_;
  std::shared_ptr<asio::steady_timer> health_timer_;
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<PoolSlot>> slots_;
  std::vector<std::pair<uint64_t, std::shared_ptr<PoolSlot>>> ring_;
  size_t next_ = 0;
  std::mt19937_64 rng_{std::random_device{}()};
  std::atomic<bool> closed_{false};
};

}  // namespace internal

ChannelPool::ChannelPool(boost::asio::any_io_executor executor, std::vector<Endpoint> endpoints,
                         PoolOptions options)
    : impl_(std::make_shared<internal::PoolBackend>(std::move(executor), std::move(options))) {
  for (auto& e : endpoints) (void)impl_->Add(std::move(e));
  impl_->StartHealthChecks();
}

ChannelPool::~ChannelPool() { impl_->Close(); }

Channel ChannelPool::channel() const { return internal::ChannelAccess::Make(impl_); }
Status ChannelPool::AddEndpoint(Endpoint endpoint) { return impl_->Add(std::move(endpoint)); }
Status ChannelPool::RemoveEndpoint(std::string_view name) { return impl_->Remove(name); }
std::vector<std::string> ChannelPool::endpoint_names() const { return impl_->Names(); }
std::vector<EndpointState> ChannelPool::endpoint_states() const { return impl_->States(); }
std::optional<std::string> ChannelPool::EndpointForKey(std::string_view key) const {
  return impl_->ForKey(key);
}
void ChannelPool::Close() { impl_->Close(); }

}  // namespace periscope::rpc
