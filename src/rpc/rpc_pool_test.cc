#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <thread>

#include "periscope/rpc.h"
#include "rpc/rpc_testing.h"

namespace periscope::rpc {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using namespace std::chrono_literals;
using testing::IoThreads;

struct WhoRequest {
  std::string key;
};
struct WhoReply {
  std::string server;
};

struct Who {
  RPC_SERVICE("Who");
  RPC_METHOD(Name, WhoReply(WhoRequest));
  RPC_IDEMPOTENT(Get, WhoReply(WhoRequest));
  RPC_METHOD(Put, WhoReply(WhoRequest));
};

// Answers with its name; Name waits delay_ms (or, with `hold`, until released); Get and Put fail
// with UNAVAILABLE while fail_next > 0. Thread-safe.
struct WhoImpl {
  awaitable<Result<WhoReply>> Name(WhoRequest) {
    ++calls;
    if (hold) {
      // Polls rather than waits on one timer so that Release() needs no executor.
      ++held;
      asio::steady_timer timer(co_await asio::this_coro::executor);
      for (int i = 0; i < 10000 && !released; ++i) {
        timer.expires_after(std::chrono::milliseconds(2));
        co_await timer.async_wait(asio::use_awaitable);
      }
    }
    if (delay_ms > 0) {
      asio::steady_timer timer(co_await asio::this_coro::executor);
      timer.expires_after(std::chrono::milliseconds(delay_ms));
      co_await timer.async_wait(asio::use_awaitable);
    }
    co_return WhoReply{name};
  }
  awaitable<Result<WhoReply>> Get(WhoRequest) { co_return Answer(); }
  awaitable<Result<WhoReply>> Put(WhoRequest) { co_return Answer(); }
  Result<WhoReply> Answer() {
    ++calls;
    if (fail_next.fetch_sub(1) > 0) return UnavailableError("try again");
    return WhoReply{name};
  }

  std::string name;
  int delay_ms = 0;
  bool hold = false;  // Name waits until `released` (at most ~20 s)
  std::atomic<int> held{0};
  std::atomic<bool> released{false};
  std::atomic<int> calls{0};
  std::atomic<int> fail_next{0};
};

// N Who servers in this process, reached in memory (or over TCP for `tcp`).
class PoolTest : public ::testing::Test {
 protected:
  void AddServers(int n) {
    for (int i = 0; i < n; ++i) {
      auto impl = std::make_unique<WhoImpl>();
      impl->name = "s" + std::to_string(impls_.size());
      auto server = std::make_unique<Server>(io_.executor());
      ASSERT_TRUE(server->Register<Who>(*impl).ok());
      impls_.push_back(std::move(impl));
      servers_.push_back(std::move(server));
    }
  }
  Endpoint InMemory(size_t i) {
    return Endpoint{.in_memory = servers_[i].get(), .name = impls_[i]->name};
  }
  std::vector<Endpoint> AllInMemory() {
    std::vector<Endpoint> out;
    for (size_t i = 0; i < servers_.size(); ++i) out.push_back(InMemory(i));
    return out;
  }
  void TearDown() override {
    for (auto& s : servers_) s->Shutdown();
  }

  template <class M>
  Result<WhoReply> CallOnce(Client<Who>& client, std::string key = {}, CallOptions options = {}) {
    std::optional<Result<WhoReply>> out;
    EXPECT_TRUE(io_.Run([&]() -> awaitable<void> {
      WhoRequest request{key};
      options.hash_key = key;
      out = co_await client.Call<M>(std::move(request), std::move(options));
    }));
    return out ? *out : Result<WhoReply>(InternalError("did not finish"));
  }

  std::map<std::string, int> Spread(Client<Who>& client, int calls) {
    std::map<std::string, int> count;
    for (int i = 0; i < calls; ++i) {
      Result<WhoReply> r = CallOnce<Who::Name>(client);
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (r.ok()) count[r->server]++;
    }
    return count;
  }

  IoThreads io_{2};
  std::vector<std::unique_ptr<WhoImpl>> impls_;
  std::vector<std::unique_ptr<Server>> servers_;
};

TEST_F(PoolTest, RoundRobinSpreadsCallsEvenlyOverTcp) {
  AddServers(3);
  std::vector<Endpoint> endpoints;
  for (auto& s : servers_) {
    endpoints.push_back(Endpoint{.host = "127.0.0.1", .port = *s->ListenTcp("127.0.0.1", 0)});
  }
  ChannelPool pool(io_.executor(), endpoints);
  Client<Who> client(pool.channel());
  std::map<std::string, int> count = Spread(client, 30);
  EXPECT_EQ(count, (std::map<std::string, int>{{"s0", 10}, {"s1", 10}, {"s2", 10}}));
  for (auto& s : servers_) EXPECT_EQ(s->stats().connections_accepted, 1u);
}

TEST_F(PoolTest, LeastLoadedSpreadsEvenlyWhenIdle) {
  AddServers(3);
  ChannelPool pool(io_.executor(), AllInMemory(), {.policy = LoadBalancing::kLeastLoaded});
  Client<Who> client(pool.channel());
  std::map<std::string, int> count = Spread(client, 300);
  ASSERT_EQ(count.size(), 3u);
  for (const auto& [name, n] : count) {
    EXPECT_GT(n, 50) << name;
    EXPECT_LT(n, 150) << name;
  }
}

TEST_F(PoolTest, LeastLoadedAvoidsASlowServer) {
  AddServers(2);
  impls_[0]->hold = true;  // the slow server keeps every call in flight until released
  ChannelPool pool(io_.executor(), AllInMemory(), {.policy = LoadBalancing::kLeastLoaded});
  Client<Who> client(pool.channel());
  constexpr int kCalls = 40;
  std::atomic<int> done{0};
  std::promise<void> all_done;
  std::mutex mu;
  std::map<std::string, int> count;
  for (int i = 0; i < kCalls; ++i) {
    asio::co_spawn(
        io_.io(),
        [&]() -> awaitable<void> {
          WhoRequest request;
          Result<WhoReply> r = co_await client.Call<Who::Name>(std::move(request));
          if (r.ok()) {
            std::lock_guard lock(mu);
            count[r->server]++;
          }
          if (++done == kCalls) all_done.set_value();
        },
        asio::detached);
    // Each call is answered by the fast server or held by the slow one before the next starts,
    // however loaded the machine is (bounded wait).
    for (int wait = 0; wait < 5000 && done + impls_[0]->held < i + 1; ++wait) {
      std::this_thread::sleep_for(1ms);
    }
    EXPECT_EQ(done + impls_[0]->held, i + 1) << "call " << i << " neither answered nor held";
  }
  impls_[0]->released = true;
  ASSERT_EQ(all_done.get_future().wait_for(30s), std::future_status::ready);
  EXPECT_EQ(count["s0"] + count["s1"], kCalls);
  // The slow server holds its calls in flight, so the fast one gets most of them.
  EXPECT_GT(count["s1"], 3 * count["s0"]) << count["s0"] << " vs " << count["s1"];
}

TEST_F(PoolTest, ConsistentHashMovesOnlyTheNewServersShare) {
  AddServers(5);
  std::vector<Endpoint> four = AllInMemory();
  four.pop_back();
  ChannelPool pool(io_.executor(), four, {.policy = LoadBalancing::kConsistentHash});
  Client<Who> client(pool.channel());
  constexpr int kKeys = 2000;
  std::vector<std::string> before(kKeys);
  std::map<std::string, int> share;
  for (int i = 0; i < kKeys; ++i) {
    before[i] = *pool.EndpointForKey("user-" + std::to_string(i));
    share[before[i]]++;
  }
  for (const auto& [name, n] : share) EXPECT_GT(n, kKeys / 4 / 2) << name;
  // Calls really go where the ring says, every time.
  for (int i = 0; i < 20; ++i) {
    std::string key = "user-" + std::to_string(i);
    for (int repeat = 0; repeat < 2; ++repeat) {
      Result<WhoReply> r = CallOnce<Who::Name>(client, key);
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(r->server, before[i]) << key;
    }
  }
  ASSERT_TRUE(pool.AddEndpoint(InMemory(4)).ok());
  int moved = 0;
  for (int i = 0; i < kKeys; ++i) {
    std::string now = *pool.EndpointForKey("user-" + std::to_string(i));
    if (now != before[i]) {
      ++moved;
      EXPECT_EQ(now, "s4") << "a key moved between two old servers";
    }
  }
  EXPECT_GT(moved, kKeys / 10);        // about 1/5 of the keys ...
  EXPECT_LT(moved, kKeys * 35 / 100);  // ... and not many more
  ASSERT_TRUE(pool.RemoveEndpoint("s4").ok());
  for (int i = 0; i < kKeys; ++i) {
    EXPECT_EQ(*pool.EndpointForKey("user-" + std::to_string(i)), before[i]);
  }
}

TEST_F(PoolTest, RetriesIdempotentCallsUntilTheySucceed) {
  AddServers(1);
  impls_[0]->fail_next = 2;
  ChannelPool pool(io_.executor(), AllInMemory(), {.retry = {.max_attempts = 3}});
  Client<Who> client(pool.channel());
  Result<WhoReply> r = CallOnce<Who::Get>(client);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(impls_[0]->calls.load(), 3);
}

TEST_F(PoolTest, DoesNotRetryCallsThatAreNotIdempotent) {
  AddServers(1);
  impls_[0]->fail_next = 2;
  ChannelPool pool(io_.executor(), AllInMemory());
  Client<Who> client(pool.channel());
  Result<WhoReply> r = CallOnce<Who::Put>(client);
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(impls_[0]->calls.load(), 1);
  // Unless the caller marks this call idempotent.
  r = CallOnce<Who::Put>(client, "", {.idempotent = true});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(impls_[0]->calls.load(), 3);
}

TEST_F(PoolTest, RetriesStopAtTheDeadline) {
  AddServers(1);
  impls_[0]->fail_next = 1000;
  PoolOptions options{
      .retry = {
          .max_attempts = 1000, .initial_backoff = 40ms, .max_backoff = 40ms, .multiplier = 1.0}};
  ChannelPool pool(io_.executor(), AllInMemory(), options);
  Client<Who> client(pool.channel());
  auto start = std::chrono::steady_clock::now();
  Result<WhoReply> r = CallOnce<Who::Get>(client, "", {.timeout = 300ms});
  auto elapsed = std::chrono::steady_clock::now() - start;
  // The last attempt's UNAVAILABLE, or DEADLINE_EXCEEDED when the deadline passed during it.
  EXPECT_TRUE(r.status().code() == StatusCode::kUnavailable ||
              r.status().code() == StatusCode::kDeadlineExceeded)
      << r.status().ToString();
  EXPECT_LT(elapsed, 1s);                 // stops at the 300 ms deadline, not after 1000 attempts
  EXPECT_GE(impls_[0]->calls.load(), 3);  // 300 ms / (20..40 ms backoff)
  EXPECT_LE(impls_[0]->calls.load(), 20);
}

TEST_F(PoolTest, RetriesAnyCallThatCouldNotConnectOnAnotherServer) {
  AddServers(1);
  uint16_t live = *servers_[0]->ListenTcp("127.0.0.1", 0);
  // Port 1 on loopback refuses connections.
  std::vector<Endpoint> endpoints = {Endpoint{.host = "127.0.0.1", .port = 1},
                                     Endpoint{.host = "127.0.0.1", .port = live}};
  ChannelPool pool(io_.executor(), endpoints);
  Client<Who> client(pool.channel());
  for (int i = 0; i < 4; ++i) {
    Result<WhoReply> r = CallOnce<Who::Put>(client);  // not idempotent, but never sent
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->server, "s0");
  }
}

TEST_F(PoolTest, ReconnectsAfterTheServerRestarts) {
  AddServers(1);
  uint16_t port = *servers_[0]->ListenTcp("127.0.0.1", 0);
  ChannelPool pool(io_.executor(), {Endpoint{.host = "127.0.0.1", .port = port}},
                   {.reconnect_backoff = 10ms});
  Client<Who> client(pool.channel());
  ASSERT_TRUE(CallOnce<Who::Get>(client).ok());
  servers_[0]->Shutdown();
  std::this_thread::sleep_for(50ms);
  auto restarted = std::make_unique<Server>(io_.executor());
  ASSERT_TRUE(restarted->Register<Who>(*impls_[0]).ok());
  ASSERT_TRUE(restarted->ListenTcp("127.0.0.1", port).ok());
  Result<WhoReply> r = CallOnce<Who::Get>(client);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(restarted->stats().connections_accepted, 1u);
  restarted->Shutdown();
}

TEST_F(PoolTest, StreamsGoThroughThePool) {
  testing::StreamsImpl impl;
  Server server(io_.executor());
  ASSERT_TRUE(server.Register<testing::Streams>(impl).ok());
  ChannelPool pool(io_.executor(), {Endpoint{.in_memory = &server, .name = "streams"}});
  Client<testing::Streams> client(pool.channel());
  int64_t total = 0;
  ASSERT_TRUE(io_.Run([&]() -> awaitable<void> {
    testing::RangeRequest request{.count = 10};
    auto reader = co_await client.ServerStream<testing::Streams::Range>(request);
    for (;;) {
      Result<std::optional<testing::Number>> n = co_await reader.Read();
      if (!n.ok() || !n->has_value()) break;
      total += (*n)->value;
    }
  }));
  EXPECT_EQ(total, 45);
  server.Shutdown();
}

}  // namespace
}  // namespace periscope::rpc
