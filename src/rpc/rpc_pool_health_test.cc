#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "periscope/rpc.h"
#include "rpc/rpc_testing.h"

namespace periscope::rpc {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using namespace std::chrono_literals;
using testing::IoThreads;

struct NameRequest {};
struct NameReply {
  std::string name;
};
struct Named {
  RPC_SERVICE("Named");
  RPC_METHOD(Name, NameReply(NameRequest));
};

// Answers with its name; counts calls. Thread-safe.
struct NamedImpl {
  awaitable<Result<NameReply>> Name(NameRequest) {
    ++calls;
    co_return NameReply{name};
  }
  std::string name;
  std::atomic<int> calls{0};
};

// One server of the tests: Named, and Health unless `with_health` is false.
struct Backend {
  Backend(IoThreads& io, std::string name, bool with_health) : server(io.executor()) {
    impl.name = std::move(name);
    EXPECT_TRUE(server.Register<Named>(impl).ok());
    if (with_health) {
      EXPECT_TRUE(server.Register<Health>(health).ok());
    }
    EXPECT_TRUE(server.Register<testing::Streams>(streams).ok());
  }
  ~Backend() { server.Shutdown(); }
  Endpoint InMemory() { return Endpoint{.in_memory = &server, .name = impl.name}; }

  NamedImpl impl;
  HealthService health;
  testing::StreamsImpl streams;
  Server server;
};

class PoolHealthTest : public ::testing::Test {
 protected:
  // The io threads stop before the backends go: Server::Shutdown only starts closing connections,
  // and a request already read (a health check of the pool just destroyed) could otherwise still
  // run its handler against a destroyed service. The servers are shut down first, and the io
  // threads given a few rounds (bounded) to finish the closes, so that no coroutine is left
  // suspended (and leaked) when they stop.
  void TearDown() override {
    for (auto& backend : backends_) backend->server.Shutdown();
    for (int round = 0; round < 5; ++round) {
      io_.Run([]() -> awaitable<void> { co_return; });
      std::this_thread::sleep_for(5ms);
    }
    io_.Stop();
  }

  Backend& Add(bool with_health = true) {
    backends_.push_back(
        std::make_unique<Backend>(io_, "s" + std::to_string(backends_.size()), with_health));
    return *backends_.back();
  }
  std::vector<Endpoint> Endpoints() {
    std::vector<Endpoint> out;
    for (auto& b : backends_) out.push_back(b->InMemory());
    return out;
  }
  static PoolOptions Checked(LoadBalancing policy = LoadBalancing::kRoundRobin) {
    PoolOptions options;
    options.policy = policy;
    options.health_check_interval = 20ms;
    options.health_check_timeout = 500ms;
    return options;
  }
  static bool Healthy(const ChannelPool& pool, const std::string& name) {
    for (const EndpointState& s : pool.endpoint_states()) {
      if (s.name == name) return s.healthy;
    }
    return false;
  }
  // Polls (bounded) until the endpoint's health is `want`.
  static bool WaitHealthy(const ChannelPool& pool, const std::string& name, bool want) {
    for (int i = 0; i < 200; ++i) {
      if (Healthy(pool, name) == want) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }
  std::map<std::string, int> Spread(Client<Named>& client, int calls) {
    std::map<std::string, int> count;
    for (int i = 0; i < calls; ++i) {
      std::optional<Result<NameReply>> reply;
      EXPECT_TRUE(io_.Run(
          [&]() -> awaitable<void> { reply = co_await client.Call<Named::Name>(NameRequest{}); }));
      EXPECT_TRUE(reply && reply->ok());
      if (reply && reply->ok()) count[(*reply)->name]++;
    }
    return count;
  }
  template <class M>
  Result<typename M::ReplyType> CallDirect(Server& server, typename M::RequestType request) {
    std::optional<Result<typename M::ReplyType>> out;
    Result<Channel> channel = server.ConnectInMemory(io_.executor());
    EXPECT_TRUE(channel.ok());
    Client<Health> client(*channel);
    EXPECT_TRUE(
        io_.Run([&]() -> awaitable<void> { out = co_await client.Call<M>(std::move(request)); }));
    channel->Close();
    return out ? *out : Result<typename M::ReplyType>(InternalError("did not finish"));
  }

  IoThreads io_{2};
  std::vector<std::unique_ptr<Backend>> backends_;
};

TEST_F(PoolHealthTest, HealthServiceReportsEachServiceAndNotServingAfterShutdown) {
  Backend& b = Add();
  Result<HealthCheckReply> whole = CallDirect<Health::Check>(b.server, HealthCheckRequest{});
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  EXPECT_EQ(whole->status, ServingStatus::kServing);

  Result<HealthCheckReply> unknown = CallDirect<Health::Check>(b.server, {.service = "Named"});
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);

  b.health.SetStatus("Named", ServingStatus::kNotServing);
  Result<HealthCheckReply> named = CallDirect<Health::Check>(b.server, {.service = "Named"});
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->status, ServingStatus::kNotServing);

  b.health.SetStatus("Named", ServingStatus::kServing);
  b.health.Shutdown();
  for (std::string service : {"", "Named"}) {
    Result<HealthCheckReply> r = CallDirect<Health::Check>(b.server, {.service = service});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, ServingStatus::kNotServing) << service;
  }
}

TEST_F(PoolHealthTest, NotServingEndpointGetsNoCallsUntilItServesAgain) {
  Add();
  Backend& draining = Add();
  ChannelPool pool(io_.executor(), Endpoints(), Checked());
  Client<Named> client(pool.channel());
  ASSERT_TRUE(WaitHealthy(pool, "s1", true));
  EXPECT_EQ(Spread(client, 10), (std::map<std::string, int>{{"s0", 5}, {"s1", 5}}));

  draining.health.Shutdown();
  ASSERT_TRUE(WaitHealthy(pool, "s1", false));
  EXPECT_EQ(Spread(client, 10), (std::map<std::string, int>{{"s0", 10}}));

  draining.health.SetStatus("", ServingStatus::kServing);  // still shut down: stays out
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(Healthy(pool, "s1"));
}

TEST_F(PoolHealthTest, EndpointComesBackWhenItsServiceServesAgain) {
  Add();
  Backend& flaky = Add();
  PoolOptions options = Checked();
  options.health_check_service = "Named";
  flaky.health.SetStatus("Named", ServingStatus::kNotServing);
  backends_[0]->health.SetStatus("Named", ServingStatus::kServing);
  ChannelPool pool(io_.executor(), Endpoints(), options);
  Client<Named> client(pool.channel());
  ASSERT_TRUE(WaitHealthy(pool, "s1", false));
  EXPECT_EQ(Spread(client, 6), (std::map<std::string, int>{{"s0", 6}}));

  flaky.health.SetStatus("Named", ServingStatus::kServing);
  ASSERT_TRUE(WaitHealthy(pool, "s1", true));
  EXPECT_EQ(Spread(client, 6), (std::map<std::string, int>{{"s0", 3}, {"s1", 3}}));
}

TEST_F(PoolHealthTest, ServerWithoutHealthServiceCountsAsHealthyWhileItAnswers) {
  Add(/*with_health=*/false);
  Add(/*with_health=*/false);
  ChannelPool pool(io_.executor(), Endpoints(), Checked());
  Client<Named> client(pool.channel());
  std::this_thread::sleep_for(100ms);  // several rounds of checks answered UNIMPLEMENTED
  EXPECT_TRUE(Healthy(pool, "s0"));
  EXPECT_TRUE(Healthy(pool, "s1"));
  EXPECT_EQ(Spread(client, 4), (std::map<std::string, int>{{"s0", 2}, {"s1", 2}}));
}

TEST_F(PoolHealthTest, StoppedTcpServerIsMarkedDownAndCallsAvoidIt) {
  Backend& live = Add();
  Backend& dying = Add();
  std::vector<Endpoint> endpoints;
  for (Backend* b : {&live, &dying}) {
    Result<uint16_t> port = b->server.ListenTcp("127.0.0.1", 0);
    ASSERT_TRUE(port.ok());
    endpoints.push_back(Endpoint{.host = "127.0.0.1", .port = *port, .name = b->impl.name});
  }
  PoolOptions options = Checked();
  options.reconnect_backoff = 1ms;  // only the health checks keep the endpoint out
  ChannelPool pool(io_.executor(), endpoints, options);
  Client<Named> client(pool.channel());
  ASSERT_TRUE(WaitHealthy(pool, "s1", true));
  dying.server.Shutdown();
  ASSERT_TRUE(WaitHealthy(pool, "s1", false));
  std::this_thread::sleep_for(5ms);
  // Name is not idempotent: a call sent to the stopped server would fail, not be retried.
  EXPECT_EQ(Spread(client, 8), (std::map<std::string, int>{{"s0", 8}}));
}

TEST_F(PoolHealthTest, LeastLoadedCountsOpenStreams) {
  Add();
  Add();
  ChannelPool pool(io_.executor(), Endpoints(), {.policy = LoadBalancing::kLeastLoaded});
  Client<testing::Streams> streams(pool.channel());
  using Bidi = ClientReaderWriter<testing::Number, testing::Number>;
  std::vector<std::unique_ptr<Bidi>> open;
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(io_.Run([&]() -> awaitable<void> {
      Bidi stream = co_await streams.BidiStream<testing::Streams::Double>();
      testing::Number n{i};
      co_await stream.Write(n);
      co_await stream.Read();  // the stream is established on its server
      open.push_back(std::make_unique<Bidi>(std::move(stream)));
    }));
  }
  // With two servers, power of two choices always compares both: every new stream goes to the
  // server with fewer open streams, so they end up split evenly.
  std::vector<EndpointState> states = pool.endpoint_states();
  ASSERT_EQ(states.size(), 2u);
  EXPECT_EQ(states[0].load, 5u);
  EXPECT_EQ(states[1].load, 5u);

  // Unary calls now go to the server with fewer streams.
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(io_.Run([&]() -> awaitable<void> {
      co_await open[2 * i]->CloseSend();
      co_await open[2 * i]->Read();
    }));
  }
  states = pool.endpoint_states();
  ASSERT_EQ(states[0].load + states[1].load, 7u);
  const std::string lighter = states[0].load < states[1].load ? "s0" : "s1";
  ASSERT_NE(states[0].load, states[1].load);
  Client<Named> client(pool.channel());
  EXPECT_EQ(Spread(client, 5), (std::map<std::string, int>{{lighter, 5}}));
  for (auto& s : open) s->Cancel();
}

}  // namespace
}  // namespace periscope::rpc
