#include "demo/shop_simulator.h"

#include <chrono>
#include <memory>
#include <vector>

#include "base/log.h"
#include "base/time.h"
#include "demo/otlp_exporters.h"
#include "demo/shop_traces.h"

namespace periscope::demo {
namespace {

// With an HTTP target, checkout and payment (and nothing else) export over OTLP/HTTP: about half
// of the services, and both protocols carry every kind of span.
bool ExportsOverHttp(ShopService service) {
  return service == ShopService::kCheckout || service == ShopService::kPayment;
}

}  // namespace

ShopSimulator::ShopSimulator(ShopSimulatorOptions options) : options_(std::move(options)) {}

ShopSimulator::~ShopSimulator() { Stop(); }

Status ShopSimulator::Start() {
  std::lock_guard<std::mutex> lifecycle(lifecycle_mu_);
  if (thread_.joinable()) return Status::InvalidArgument("shop simulator already running");
  if (!(options_.traces_per_second > 0) || options_.traces_per_second > 100'000) {
    return Status::InvalidArgument("traces_per_second {} not in (0, 100000]",
                                   options_.traces_per_second);
  }
  if (!(options_.flush_interval_seconds >= 0.01) || options_.flush_interval_seconds > 60) {
    return Status::InvalidArgument("flush_interval_seconds {} not in [0.01, 60]",
                                   options_.flush_interval_seconds);
  }
  for (const std::string* t : {&options_.otlp_grpc_target, &options_.otlp_http_target}) {
    if ((t == &options_.otlp_grpc_target || !t->empty()) && t->find(':') == std::string::npos) {
      return Status::InvalidArgument("OTLP target '{}' is not host:port", *t);
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = false;
  }
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void ShopSimulator::Stop() {
  std::lock_guard<std::mutex> lifecycle(lifecycle_mu_);
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void ShopSimulator::Run() {
  ShopTraceGenerator generator(options_.seed);
  std::unique_ptr<TraceExporter> grpc = NewGrpcTraceExporter(options_.otlp_grpc_target);
  std::unique_ptr<TraceExporter> http;
  if (!options_.otlp_http_target.empty()) http = NewHttpTraceExporter(options_.otlp_http_target);
  const auto interval =
      std::chrono::nanoseconds(static_cast<int64_t>(options_.flush_interval_seconds * 1e9));
  double carry = 0;
  auto next_flush = std::chrono::steady_clock::now() + interval;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (cv_.wait_until(lock, next_flush, [this] { return stop_; })) return;
    }
    carry += options_.traces_per_second * options_.flush_interval_seconds;
    int traces = static_cast<int>(carry);
    carry -= traces;
    ShopBatch batch = generator.Generate(traces, NowNanos(), interval.count());
    uint64_t failed = 0;
    for (const InstanceRequest& r : batch.requests) {
      ShopService service = generator.topology().instances()[r.instance].service;
      TraceExporter* exporter = http && ExportsOverHttp(service) ? http.get() : grpc.get();
      Status st = exporter->Export(r.request);
      if (!st.ok()) {
        failed |= uint64_t{1} << r.instance;
        if (export_errors_++ % 100 == 0) {
          LogWarn("demo: export from {} failed: {}", ShopServiceName(service), st.ToString());
        }
      }
    }
    uint64_t ok = 0;
    for (uint64_t mask : batch.trace_instances) ok += (mask & failed) == 0;
    traces_sent_ += ok;
    next_flush += interval;
    auto now = std::chrono::steady_clock::now();
    if (next_flush < now) next_flush = now + interval;  // fell behind: do not burst
  }
}

}  // namespace periscope::demo
