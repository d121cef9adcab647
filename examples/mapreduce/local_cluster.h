#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "periscope/rpc/server.h"
#include "periscope/trace/tracer.h"
#include "worker_service.h"

namespace mapreduce {

// N workers in this process, each with its own io_context thread and its own RPC server on a
// free 127.0.0.1 port: the same calls as separate worker processes, for tests and `local` runs.
// Start and the destructor must be called from one thread.
class LocalCluster {
 public:
  ~LocalCluster();

  // Starts `workers` servers; UNAVAILABLE when one cannot listen.
  periscope::rpc::Status Start(size_t workers,
                               std::optional<periscope::trace::Tracer> tracer = std::nullopt);
  const std::vector<uint16_t>& ports() const { return ports_; }
  const WorkerService& worker(size_t i) const { return nodes_[i]->service; }

 private:
  struct Node {
    explicit Node(std::optional<periscope::trace::Tracer> tracer)
        : service(tracer), server(io.get_executor(), {.tracer = tracer}) {}
    boost::asio::io_context io;
    WorkerService service;
    periscope::rpc::Server server;
    std::thread thread;
  };
  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<uint16_t> ports_;
};

}  // namespace mapreduce
