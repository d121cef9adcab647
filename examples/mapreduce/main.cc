// mapreduce: a word count over text files, split into map and reduce tasks that run on worker
// processes and talk to each other through the Periscope RPC framework. See docs/examples.md.
//
//   mapreduce worker --port-file PATH                       serve until SIGINT/SIGTERM
//   mapreduce coordinator --workers P1,P2,... --input DIR   run one job on those workers
//   mapreduce local --workers N --input DIR                 the same with N in-process workers
// Common flags: --chunk-bytes N (map split size), --partitions N, --top N (words printed),
// --check 1 (also count in this process and fail unless both counts are equal).
#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "coordinator.h"
#include "local_cluster.h"
#include "periscope/trace.h"
#include "worker_service.h"

namespace asio = boost::asio;
namespace rpc = periscope::rpc;
namespace pt = periscope::trace;
using mapreduce::WordCounts;

namespace {

std::map<std::string, std::string> ParseFlags(int argc, char** argv) {
  std::map<std::string, std::string> flags;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string name = argv[i];
    if (name.rfind("--", 0) == 0) flags[name.substr(2)] = argv[i + 1];
  }
  return flags;
}

uint64_t NumberFlag(const std::map<std::string, std::string>& flags, const std::string& name,
                    uint64_t fallback) {
  auto it = flags.find(name);
  if (it == flags.end()) return fallback;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), value);
  if (ec != std::errc() || end != it->second.data() + it->second.size()) {
    std::fprintf(stderr, "mapreduce: --%s is not a number\n", name.c_str());
    std::exit(2);
  }
  return value;
}

int RunWorker(const std::map<std::string, std::string>& flags, const pt::Tracer& tracer) {
  auto port_file = flags.find("port-file");
  if (port_file == flags.end()) {
    std::fprintf(stderr, "mapreduce: worker needs --port-file\n");
    return 2;
  }
  asio::io_context io;
  mapreduce::WorkerService service(tracer);
  rpc::Server server(io.get_executor(), {.tracer = tracer});
  if (rpc::Status st = server.Register<mapreduce::Worker>(service); !st.ok()) return 1;
  rpc::Result<uint16_t> port = server.ListenTcp("127.0.0.1", 0);
  if (!port.ok()) {
    std::fprintf(stderr, "mapreduce: %s\n", port.status().ToString().c_str());
    return 1;
  }
  {
    std::ofstream out(port_file->second + ".tmp");
    out << *port << "\n";
  }
  std::filesystem::rename(port_file->second + ".tmp", port_file->second);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  // A task in flight gets 10 s to finish; new ones are refused meanwhile.
  signals.async_wait(
      [&](const boost::system::error_code&, int) { server.Shutdown(std::chrono::seconds(10)); });
  io.run();
  return 0;
}

asio::awaitable<void> StoreResult(asio::awaitable<rpc::Result<mapreduce::JobResult>> op,
                                  std::optional<rpc::Result<mapreduce::JobResult>>* out) {
  out->emplace(co_await std::move(op));
}

int PrintResult(const rpc::Result<mapreduce::JobResult>& result,
                const std::vector<std::string>& files, bool check, size_t top) {
  if (!result.ok()) {
    std::fprintf(stderr, "mapreduce: job failed: %s\n", result.status().ToString().c_str());
    return 1;
  }
  std::vector<std::pair<std::string, uint64_t>> sorted(result->counts.begin(),
                                                       result->counts.end());
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  std::printf("files %zu, map tasks %llu, words %llu, distinct %zu\n", files.size(),
              static_cast<unsigned long long>(result->map_tasks),
              static_cast<unsigned long long>(result->words), sorted.size());
  for (size_t i = 0; i < std::min(top, sorted.size()); ++i) {
    std::printf("%8llu %s\n", static_cast<unsigned long long>(sorted[i].second),
                sorted[i].first.c_str());
  }
  if (!check) return 0;
  rpc::Result<WordCounts> reference = mapreduce::CountFiles(files);
  if (!reference.ok() || *reference != result->counts) {
    std::printf("check: FAILED (distributed count differs from the single-process count)\n");
    return 1;
  }
  std::printf("check: ok (equal to the single-process count)\n");
  return 0;
}

int RunCoordinator(const std::string& mode, const std::map<std::string, std::string>& flags,
                   const pt::Tracer& tracer) {
  auto input = flags.find("input");
  auto workers = flags.find("workers");
  if (input == flags.end() || workers == flags.end()) {
    std::fprintf(stderr, "mapreduce: %s needs --input and --workers\n", mode.c_str());
    return 2;
  }
  rpc::Result<std::vector<std::string>> files = mapreduce::ListInputs(input->second);
  if (!files.ok()) {
    std::fprintf(stderr, "mapreduce: %s\n", files.status().ToString().c_str());
    return 1;
  }
  mapreduce::JobSpec spec;
  spec.files = *files;
  spec.chunk_bytes = NumberFlag(flags, "chunk-bytes", 64 * 1024);
  spec.partitions = static_cast<uint32_t>(NumberFlag(flags, "partitions", 0));
  mapreduce::LocalCluster cluster;
  if (mode == "local") {
    rpc::Status st = cluster.Start(NumberFlag(flags, "workers", 3), tracer);
    if (!st.ok()) {
      std::fprintf(stderr, "mapreduce: %s\n", st.ToString().c_str());
      return 1;
    }
    spec.worker_ports = cluster.ports();
  } else {
    std::string list = workers->second;
    for (size_t pos = 0; pos <= list.size();) {
      size_t comma = std::min(list.find(',', pos), list.size());
      std::map<std::string, std::string> one{{"p", list.substr(pos, comma - pos)}};
      spec.worker_ports.push_back(static_cast<uint16_t>(NumberFlag(one, "p", 0)));
      pos = comma + 1;
    }
  }
  asio::io_context io;
  std::optional<rpc::Result<mapreduce::JobResult>> result;
  asio::co_spawn(io, StoreResult(mapreduce::RunJob(spec, tracer), &result), asio::detached);
  io.run();
  if (!result) result.emplace(rpc::InternalError("the job did not finish"));
  return PrintResult(*result, *files, NumberFlag(flags, "check", 0) != 0,
                     NumberFlag(flags, "top", 10));
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode != "worker" && mode != "coordinator" && mode != "local") {
    std::fprintf(stderr,
                 "usage: mapreduce worker --port-file PATH\n"
                 "       mapreduce coordinator --workers P1,P2,... --input DIR [--check 1]\n"
                 "       mapreduce local --workers N --input DIR [--check 1]\n");
    return 2;
  }
  setenv("OTEL_SERVICE_NAME", mode == "worker" ? "mapreduce-worker" : "mapreduce-coordinator",
         /*overwrite=*/0);
  std::shared_ptr<pt::TracerProvider> provider = pt::MakeTracerProviderFromEnv();
  pt::Tracer tracer = provider->GetTracer("mapreduce", "0.1.0");
  std::map<std::string, std::string> flags = ParseFlags(argc, argv);
  int code = mode == "worker" ? RunWorker(flags, tracer) : RunCoordinator(mode, flags, tracer);
  provider->Shutdown(std::chrono::seconds(5));
  return code;
}
