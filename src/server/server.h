#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "api/http_server.h"
#include "api/router.h"
#include "base/status.h"
#include "query/logs/log_tail.h"
#include "query/trace_queries.h"
#include "server/dogstatsd_receiver.h"
#include "server/otlp_grpc_receiver.h"
#include "server/signal_store.h"
#include "server/span_metrics.h"

namespace periscope {

struct ServerOptions {
  std::string data_dir = "./periscope-data";
  std::string http_listen = "0.0.0.0:7070";
  std::string otlp_grpc_listen = "0.0.0.0:4317";
  std::string otlp_http_listen = "0.0.0.0:4318";  // empty disables the separate OTLP port
  std::string ports_file;                         // written once every listener is up
  std::string dogstatsd_listen = "0.0.0.0:8125";  // UDP; empty disables DogStatsD
  std::string dogstatsd_socket;                   // Unix datagram socket path, optional
  int64_t dogstatsd_flush_interval_ns = 10LL * 1000000000LL;
  bool wal_fsync = true;
  int64_t retention_ns = 7LL * 86400 * 1000000000LL;
  int64_t flush_interval_ns = 30LL * 1000000000LL;
  size_t memtable_bytes = 256u << 20;
  size_t http_max_body_bytes = 20u << 20;
  int grpc_max_receive_bytes = 4 << 20;
};

// The whole platform in one process: receivers, storage, query APIs. Start/Stop from one thread.
class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();

  // Opens storage (replaying the WAL), then starts every listener; fails with the first error.
  Status Start();
  void Stop();

  uint16_t http_port() const;
  uint16_t otlp_grpc_port() const;
  uint16_t otlp_http_port() const;
  uint16_t dogstatsd_port() const;
  // The metrics write path (valid between Start and Stop), e.g. for RED metrics of a backfill.
  MetricsPipeline& metrics() { return store_->metrics(); }
  // Flushes every signal's memtable to parts now (after a backfill, so that queries read parts).
  Status FlushAll() { return store_->FlushAll(); }

 private:
  Status WritePortsFile() const;
  void RegisterOps(Router& router);

  ServerOptions options_;
  LogTailHub log_tail_;  // live-tail clients; fed by the log pipeline
  std::unique_ptr<SignalStore> store_;
  std::unique_ptr<TraceQueries> trace_queries_;
  std::unique_ptr<SpanMetricsGenerator> red_metrics_;  // feeds metrics from ingested spans
  Router api_router_;
  Router otlp_router_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<HttpServer> otlp_http_;
  std::unique_ptr<OtlpGrpcReceiver> otlp_grpc_;
  std::unique_ptr<DogStatsdReceiver> dogstatsd_;
  std::atomic<bool> ready_{false};
};

}  // namespace periscope
