#include "periscope_side.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "periscope/rpc.h"

// GCC 12 reports a false -Wmismatched-new-delete on asio awaitable frames (GCC bug 109224).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace rpcbench {
namespace {

namespace asio = boost::asio;
namespace rpc = periscope::rpc;
namespace pt = periscope::trace;

struct EchoRequest {
  std::string payload;
};
struct EchoReply {
  std::string payload;
};
struct Bench {
  RPC_SERVICE("periscope.bench.Bench");
  RPC_METHOD(Echo, EchoReply(EchoRequest));
};

struct BenchImpl {
  asio::awaitable<rpc::Result<EchoReply>> Echo(EchoRequest request) {
    co_return EchoReply{std::move(request.payload)};
  }
};

struct ClientState {
  explicit ClientState(LatencyRecorder r) : recorder(std::move(r)) {}
  LatencyRecorder recorder;
  uint64_t failures = 0;
  size_t running = 0;
  std::string error;
};

asio::awaitable<void> CallLoop(rpc::Client<Bench> client, std::string payload,
                               std::shared_ptr<ClientState> state) {
  while (state->recorder.running(BenchClock::now())) {
    EchoRequest request{payload};
    rpc::CallOptions options;
    options.timeout = std::chrono::seconds(10);
    const auto start = BenchClock::now();
    rpc::Result<EchoReply> reply =
        co_await client.Call<Bench::Echo>(std::move(request), std::move(options));
    const auto end = BenchClock::now();
    if (!reply.ok() || reply->payload.size() != payload.size()) {
      ++state->failures;
      if (state->error.empty()) state->error = reply.status().ToString();
      if (!reply.ok() && reply.status().code() == rpc::StatusCode::kUnavailable) break;
      continue;
    }
    state->recorder.Add(start, end);
  }
  if (--state->running == 0) client.channel().Close();
}

asio::awaitable<void> StartClient(ClientSettings settings, std::optional<pt::Tracer> tracer,
                                  std::shared_ptr<ClientState> state) {
  rpc::ChannelOptions options;
  options.tracer = tracer;
  asio::any_io_executor executor = co_await asio::this_coro::executor;
  rpc::Result<rpc::Channel> channel =
      co_await rpc::Channel::ConnectTcp(executor, settings.host, settings.port, std::move(options));
  if (!channel.ok()) {
    state->error = channel.status().ToString();
    co_return;
  }
  rpc::Client<Bench> client(*channel);
  std::string payload = MakePayload(settings.payload_bytes);
  state->running = settings.concurrency;
  for (size_t i = 0; i < settings.concurrency; ++i) {
    asio::co_spawn(executor, CallLoop(client, payload, state), asio::detached);
  }
}

}  // namespace

int ServePeriscope(const std::string& port_file, std::optional<pt::Tracer> tracer) {
  asio::io_context io(1);
  rpc::ServerOptions options;
  options.tracer = tracer;
  rpc::Server server(io.get_executor(), std::move(options));
  BenchImpl impl;
  if (rpc::Status st = server.Register<Bench>(impl); !st.ok()) return 1;
  rpc::Result<uint16_t> port = server.ListenTcp("127.0.0.1", 0);
  if (!port.ok()) {
    std::fprintf(stderr, "listen: %s\n", port.status().ToString().c_str());
    return 1;
  }
  {
    std::ofstream out(port_file + ".tmp");
    out << *port << "\n";
  }
  std::filesystem::rename(port_file + ".tmp", port_file);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) { server.Shutdown(); });
  io.run();
  return 0;
}

std::string RunPeriscopeClient(const ClientSettings& settings, std::optional<pt::Tracer> tracer) {
  asio::io_context io(1);
  const auto from = BenchClock::now() + settings.warmup;
  auto state = std::make_shared<ClientState>(LatencyRecorder(from, from + settings.duration));
  asio::co_spawn(io, StartClient(settings, tracer, state), asio::detached);
  io.run();
  if (state->recorder.running(BenchClock::now())) return "error " + state->error;
  return state->recorder.Summary(state->failures);
}

}  // namespace rpcbench
