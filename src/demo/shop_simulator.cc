#include "demo/shop_simulator.h"

#include <chrono>
#include <memory>
#include <vector>

#include "base/log.h"
#include "base/time.h"
#include "demo/otlp_exporters.h"
#include "demo/shop_logs.h"
#include "demo/shop_metrics.h"
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
  if (!(options_.metrics_interval_seconds >= 0.01) || options_.metrics_interval_seconds > 3600) {
    return Status::InvalidArgument("metrics_interval_seconds {} not in [0.01, 3600]",
                                   options_.metrics_interval_seconds);
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
  const ShopTopology& topology = generator.topology();
  const ShopLogGenerator logs(options_.seed);
  ShopMetricsGenerator metrics(topology, options_.seed, NowNanos());
  std::unique_ptr<OtlpExporter> grpc = NewGrpcExporter(options_.otlp_grpc_target);
  std::unique_ptr<OtlpExporter> http;
  if (!options_.otlp_http_target.empty()) http = NewHttpExporter(options_.otlp_http_target);
  auto exporter_of = [&](size_t instance) {
    ShopService service = topology.instances()[instance].service;
    return http && ExportsOverHttp(service) ? http.get() : grpc.get();
  };
  auto note_error = [&](size_t instance, std::string_view what, const Status& st) {
    if (export_errors_++ % 100 == 0) {
      LogWarn("demo: {} export from {} failed: {}", what,
              ShopServiceName(topology.instances()[instance].service), st.ToString());
    }
  };
  auto send_logs = [&](size_t instance, const ExportLogsServiceRequest& request) {
    if (request.resource_logs().empty()) return;
    Status st = exporter_of(instance)->Export(request);
    if (!st.ok()) return note_error(instance, "log", st);
    for (const auto& rl : request.resource_logs()) {
      for (const auto& sl : rl.scope_logs()) log_records_sent_ += sl.log_records().size();
    }
  };
  if (options_.send_logs) {
    for (size_t i = 0; i < topology.instances().size(); ++i) {
      send_logs(i, logs.Startup(topology.instances()[i], NowNanos()));
    }
  }
  const auto interval =
      std::chrono::nanoseconds(static_cast<int64_t>(options_.flush_interval_seconds * 1e9));
  const auto metrics_interval =
      std::chrono::nanoseconds(static_cast<int64_t>(options_.metrics_interval_seconds * 1e9));
  double carry = 0;
  auto next_flush = std::chrono::steady_clock::now() + interval;
  auto next_metrics = std::chrono::steady_clock::now() + metrics_interval;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (cv_.wait_until(lock, std::min(next_flush, next_metrics), [this] { return stop_; })) {
        return;
      }
    }
    auto now = std::chrono::steady_clock::now();
    if (options_.send_metrics && now >= next_metrics) {
      const int64_t t = NowNanos();
      for (size_t i = 0; i < topology.instances().size(); ++i) {
        ExportMetricsServiceRequest request = metrics.Collect(i, t);
        Status st = exporter_of(i)->Export(request);
        if (!st.ok()) {
          note_error(i, "metric", st);
          continue;
        }
        for (const auto& m : request.resource_metrics(0).scope_metrics(0).metrics()) {
          metric_points_sent_ +=
              static_cast<uint64_t>(m.gauge().data_points_size() + m.sum().data_points_size() +
                                    m.histogram().data_points_size());
        }
      }
      next_metrics += metrics_interval;
      if (next_metrics < now) next_metrics = now + metrics_interval;
    }
    if (now < next_flush) continue;
    carry += options_.traces_per_second * options_.flush_interval_seconds;
    int traces = static_cast<int>(carry);
    carry -= traces;
    ShopBatch batch = generator.Generate(traces, NowNanos(), interval.count());
    uint64_t failed = 0;
    for (const InstanceRequest& r : batch.requests) {
      Status st = exporter_of(r.instance)->Export(r.request);
      if (!st.ok()) {
        failed |= uint64_t{1} << r.instance;
        note_error(r.instance, "span", st);
        continue;
      }
      metrics.Observe(r.instance, r.request);
      if (options_.send_logs)
        send_logs(r.instance, logs.ForSpans(topology.instances()[r.instance], r.request));
    }
    uint64_t ok = 0;
    for (uint64_t mask : batch.trace_instances) ok += (mask & failed) == 0;
    traces_sent_ += ok;
    next_flush += interval;
    now = std::chrono::steady_clock::now();
    if (next_flush < now) next_flush = now + interval;  // fell behind: do not burst
  }
}

}  // namespace periscope::demo
