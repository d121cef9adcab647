#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "base/status.h"

namespace periscope::demo {

struct ShopSimulatorOptions {
  std::string otlp_grpc_target = "127.0.0.1:4317";  // host:port
  std::string otlp_http_target = "";  // host:port; when set, half the services export over HTTP
  double traces_per_second = 20;
  uint64_t seed = 42;
  double flush_interval_seconds = 1.0;  // like a BatchSpanProcessor's schedule delay
  bool send_logs = true;                // the logs correlated with the spans, each flush
  bool send_metrics = true;             // runtime metrics, every metrics_interval_seconds
  double metrics_interval_seconds = 10;
};

// Simulates a small shop (frontend, checkout, cart, payment, inventory, a postgres database and a
// redis cache) sending realistic traces, the logs correlated with them and runtime metrics over
// OTLP, each pod exporting its own resource (spans and logs once per flush interval, metrics once
// per metrics interval). Thread-safe Start/Stop.
class ShopSimulator {
 public:
  explicit ShopSimulator(ShopSimulatorOptions options);
  ~ShopSimulator();

  // InvalidArgument on bad options or when already running.
  Status Start();
  // Stops and joins the sending thread; a no-op when not running.
  void Stop();
  // Traces all of whose spans were accepted by the receiver.
  uint64_t traces_sent() const { return traces_sent_; }
  // Log records and metric points accepted by the receiver.
  uint64_t log_records_sent() const { return log_records_sent_; }
  uint64_t metric_points_sent() const { return metric_points_sent_; }
  // Export requests that failed (each is retried never, like an SDK dropping a batch).
  uint64_t export_errors() const { return export_errors_; }

 private:
  void Run();

  const ShopSimulatorOptions options_;
  std::mutex lifecycle_mu_;  // serializes Start/Stop
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
  std::atomic<uint64_t> traces_sent_{0};
  std::atomic<uint64_t> log_records_sent_{0};
  std::atomic<uint64_t> metric_points_sent_{0};
  std::atomic<uint64_t> export_errors_{0};
};

}  // namespace periscope::demo
