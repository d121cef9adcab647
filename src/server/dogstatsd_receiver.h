#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include "base/status.h"
#include "server/log_pipeline.h"
#include "server/metrics_pipeline.h"

namespace periscope {

struct DogStatsdOptions {
  std::string listen = "0.0.0.0:8125";  // UDP host:port ("[::]:8125" for IPv6); empty disables
  std::string unix_socket_path;         // a Unix datagram socket as well, when not empty
  int64_t flush_interval_ns = 10LL * 1000000000LL;
  std::string tenant = "default";
  int receive_buffer_bytes = 8 << 20;  // SO_RCVBUF asked for (the kernel may cap it)
};

// DogStatsD server: one thread reads datagrams from UDP (and optionally a Unix datagram socket),
// aggregates them (DogStatsdAggregator) and every flush interval makes the interval's samples
// durable through the metrics pipeline as a remote-write WAL record. Malformed lines are counted
// and skipped. Start/Stop from one thread; Stop flushes the pending interval.
class DogStatsdReceiver {
 public:
  // Events and service checks are stored as log rows through `logs` (when not null).
  DogStatsdReceiver(DogStatsdOptions options, MetricsPipeline& pipeline,
                    LogPipeline* logs = nullptr);
  ~DogStatsdReceiver();

  Status Start();
  void Stop();
  // The bound UDP port (useful with port 0), 0 when UDP is disabled or not started.
  uint16_t port() const { return port_; }

 private:
  Status OpenUdp();
  Status OpenUnix();
  void Loop();

  DogStatsdOptions options_;
  MetricsPipeline& pipeline_;
  LogPipeline* logs_;
  int udp_fd_ = -1;
  int unix_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace periscope
