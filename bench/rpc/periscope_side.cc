#include "periscope_side.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

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

// Listens on 127.0.0.1 (any port) and writes the port to port_file; false on failure.
bool ListenAndTell(rpc::Server& server, const std::string& port_file) {
  rpc::Result<uint16_t> port = server.ListenTcp("127.0.0.1", 0);
  if (!port.ok()) {
    std::fprintf(stderr, "listen: %s\n", port.status().ToString().c_str());
    return false;
  }
  {
    std::ofstream out(port_file + ".tmp");
    out << *port << "\n";
  }
  std::filesystem::rename(port_file + ".tmp", port_file);
  return true;
}

// The median and quartiles of `values` (sorted in place; not empty).
std::array<double, 3> Quartiles(std::vector<double>& values) {
  std::sort(values.begin(), values.end());
  auto at = [&](double q) {
    const double pos = q * static_cast<double>(values.size() - 1);
    const size_t lo = static_cast<size_t>(pos);
    const size_t hi = std::min(lo + 1, values.size() - 1);
    return values[lo] + (values[hi] - values[lo]) * (pos - static_cast<double>(lo));
  };
  return {at(0.25), at(0.5), at(0.75)};
}

// CPU time of every thread of process `pid` so far, in nanoseconds (the first field of each
// /proc/PID/task/TID/schedstat); 0 when it cannot be read.
uint64_t ProcessCpuNanos(pid_t pid) {
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& task :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream in(task.path() / "schedstat");
    uint64_t nanos = 0;
    if (in >> nanos) total += nanos;
  }
  return total;
}

// The alternating client's state: the phase schedule, the calls started in each phase and the
// CPU time both processes spent in it.
struct AlternatingState {
  BenchClock::time_point from;
  BenchClock::duration phase;
  size_t phases;
  std::vector<uint64_t> calls;      // per measured phase
  std::vector<uint64_t> cpu_nanos;  // per measured phase, this process and the server's
  pid_t server_pid = 0;             // 0: this process only
  int64_t sampled_phase = -1;       // the phase of the last CPU reading
  uint64_t sampled_nanos = 0;
  uint64_t failures = 0;
  size_t running = 0;
  std::string error;

  // At the first call of a new phase: the CPU time the phase before took.
  void SampleCpu(int64_t now_phase) {
    if (now_phase == sampled_phase) return;
    const uint64_t nanos =
        ProcessCpuNanos(getpid()) + (server_pid != 0 ? ProcessCpuNanos(server_pid) : 0);
    if (sampled_phase >= 0 && sampled_phase < static_cast<int64_t>(phases)) {
      cpu_nanos[static_cast<size_t>(sampled_phase)] = nanos - sampled_nanos;
    }
    sampled_phase = now_phase;
    sampled_nanos = nanos;
  }

  // The phase a call started at `now` belongs to (negative: warm-up), and whether it is traced.
  int64_t PhaseAt(BenchClock::time_point now) const {
    const auto since = now - from;
    return since < BenchClock::duration::zero() ? -1 - (from - now) / phase : since / phase;
  }
  static bool Traced(int64_t phase) {
    const int64_t pair = phase >= 0 ? phase / 2 : (phase - 1) / 2;
    return (phase % 2 == 0) != (pair % 2 != 0);
  }
};

asio::awaitable<void> AlternatingLoop(rpc::Client<Bench> traced, rpc::Client<Bench> plain,
                                      std::string payload,
                                      std::shared_ptr<AlternatingState> state) {
  for (;;) {
    const int64_t phase = state->PhaseAt(BenchClock::now());
    state->SampleCpu(phase);
    if (phase >= static_cast<int64_t>(state->phases)) break;
    rpc::CallOptions options;
    options.timeout = std::chrono::seconds(10);
    const rpc::Client<Bench>& client = AlternatingState::Traced(phase) ? traced : plain;
    EchoRequest request{payload};  // named: GCC 12 destroys such a temporary in co_await twice
    rpc::Result<EchoReply> reply =
        co_await client.Call<Bench::Echo>(std::move(request), std::move(options));
    if (!reply.ok() || reply->payload.size() != payload.size()) {
      ++state->failures;
      if (state->error.empty()) state->error = reply.status().ToString();
      if (!reply.ok() && reply.status().code() == rpc::StatusCode::kUnavailable) break;
      continue;
    }
    if (phase >= 0) ++state->calls[static_cast<size_t>(phase)];
  }
  if (--state->running == 0) {
    traced.channel().Close();
    plain.channel().Close();
  }
}

asio::awaitable<void> StartAlternating(ClientSettings settings, uint16_t plain_port,
                                       pt::Tracer tracer, std::shared_ptr<AlternatingState> state) {
  asio::any_io_executor executor = co_await asio::this_coro::executor;
  rpc::ChannelOptions traced_options;
  traced_options.tracer = tracer;
  rpc::Result<rpc::Channel> traced = co_await rpc::Channel::ConnectTcp(
      executor, settings.host, settings.port, std::move(traced_options));
  rpc::ChannelOptions plain_options;
  rpc::Result<rpc::Channel> plain = co_await rpc::Channel::ConnectTcp(
      executor, settings.host, plain_port, std::move(plain_options));
  if (!traced.ok() || !plain.ok()) {
    state->error = (traced.ok() ? plain : traced).status().ToString();
    co_return;
  }
  rpc::Client<Bench> traced_client(*traced);
  rpc::Client<Bench> plain_client(*plain);
  std::string payload = MakePayload(settings.payload_bytes);
  state->running = settings.concurrency;
  for (size_t i = 0; i < settings.concurrency; ++i) {
    asio::co_spawn(executor, AlternatingLoop(traced_client, plain_client, payload, state),
                   asio::detached);
  }
}

}  // namespace

int ServePeriscope(const std::string& port_file, std::optional<pt::Tracer> tracer,
                   const std::string& plain_port_file) {
  asio::io_context io(1);
  rpc::ServerOptions options;
  options.tracer = tracer;
  rpc::Server server(io.get_executor(), std::move(options));
  BenchImpl impl;
  if (rpc::Status st = server.Register<Bench>(impl); !st.ok()) return 1;
  std::optional<rpc::Server> plain;
  if (!plain_port_file.empty()) {
    plain.emplace(io.get_executor(), rpc::ServerOptions());
    if (rpc::Status st = plain->Register<Bench>(impl); !st.ok()) return 1;
    if (!ListenAndTell(*plain, plain_port_file)) return 1;
  }
  if (!ListenAndTell(server, port_file)) return 1;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    server.Shutdown();
    if (plain) plain->Shutdown();
  });
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

std::string RunPeriscopeAlternating(const ClientSettings& settings, uint16_t plain_port,
                                    std::chrono::milliseconds phase, const pt::Tracer& tracer,
                                    pid_t server_pid) {
  asio::io_context io(1);
  auto state = std::make_shared<AlternatingState>();
  state->from = BenchClock::now() + settings.warmup;
  state->phase = phase;
  state->phases = std::max<size_t>(2, 2 * static_cast<size_t>(settings.duration / (2 * phase)));
  state->calls.assign(state->phases, 0);
  state->cpu_nanos.assign(state->phases, 0);
  state->server_pid = server_pid;
  asio::co_spawn(io, StartAlternating(settings, plain_port, tracer, state), asio::detached);
  io.run();
  const uint64_t expected_end = state->phases;
  if (state->PhaseAt(BenchClock::now()) < static_cast<int64_t>(expected_end)) {
    return "error " + state->error;
  }
  std::vector<double> losses;
  std::vector<double> cpu_increases;  // CPU per call, traced against untraced
  double traced_calls = 0;
  double plain_calls = 0;
  double traced_cpu = 0;
  double plain_cpu = 0;
  for (size_t p = 0; p + 1 < state->phases; p += 2) {
    const size_t traced_phase = AlternatingState::Traced(static_cast<int64_t>(p)) ? p : p + 1;
    const size_t plain_phase = traced_phase == p ? p + 1 : p;
    const double t = static_cast<double>(state->calls[traced_phase]);
    const double u = static_cast<double>(state->calls[plain_phase]);
    const double tc = static_cast<double>(state->cpu_nanos[traced_phase]);
    const double uc = static_cast<double>(state->cpu_nanos[plain_phase]);
    traced_calls += t;
    plain_calls += u;
    traced_cpu += tc;
    plain_cpu += uc;
    if (u > 0) losses.push_back(100.0 * (1.0 - t / u));
    if (t > 0 && u > 0 && uc > 0) cpu_increases.push_back(100.0 * ((tc / t) / (uc / u) - 1.0));
  }
  if (losses.empty()) return "error no calls";
  const double seconds =
      std::chrono::duration<double>(phase).count() * static_cast<double>(state->phases / 2);
  const std::array<double, 3> q = Quartiles(losses);
  char line[512];
  int n = std::snprintf(line, sizeof line,
                        "pairs=%zu traced_calls_per_s=%.0f plain_calls_per_s=%.0f loss_pct=%.2f "
                        "q1_pct=%.2f q3_pct=%.2f total_loss_pct=%.2f failures=%llu",
                        losses.size(), traced_calls / seconds, plain_calls / seconds, q[1], q[0],
                        q[2], 100.0 * (1.0 - traced_calls / plain_calls),
                        static_cast<unsigned long long>(state->failures));
  if (!cpu_increases.empty() && n > 0 && static_cast<size_t>(n) < sizeof line) {
    const std::array<double, 3> c = Quartiles(cpu_increases);
    std::snprintf(line + n, sizeof line - static_cast<size_t>(n),
                  " cpu_pct=%.2f cpu_q1_pct=%.2f cpu_q3_pct=%.2f total_cpu_pct=%.2f "
                  "traced_cpu_us_per_call=%.3f plain_cpu_us_per_call=%.3f",
                  c[1], c[0], c[2],
                  100.0 * ((traced_cpu / traced_calls) / (plain_cpu / plain_calls) - 1.0),
                  traced_cpu / traced_calls / 1e3, plain_cpu / plain_calls / 1e3);
  }
  return line;
}

}  // namespace rpcbench
