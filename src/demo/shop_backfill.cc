#include "demo/shop_backfill.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "base/time.h"
#include "demo/shop_logs.h"
#include "demo/shop_metrics.h"
#include "demo/shop_traces.h"

namespace periscope::demo {
namespace {

// The requests of one chunk of simulated time, per signal.
struct Chunk {
  int64_t begin_ns = 0;
  int64_t end_ns = 0;
  ExportTraceServiceRequest spans;  // every step's resource spans, in step order
  // Per step: how many of `spans.resource_spans()` it holds, and its end.
  std::vector<std::pair<int, int64_t>> steps;
  ExportLogsServiceRequest logs;
  ExportMetricsServiceRequest metrics;
  size_t trace_bytes = 0, log_bytes = 0, metric_bytes = 0;

  bool empty() const {
    return steps.empty() && logs.resource_logs().empty() && metrics.resource_metrics().empty();
  }
};

// Moves the elements of one repeated message field to the end of another: messages on the same
// (heap) arena are swapped, not copied.
template <typename Field>
void MoveAll(Field& from, Field& to) {
  to.Reserve(to.size() + from.size());
  for (auto& item : from) *to.Add() = std::move(item);
  from.Clear();
}

uint64_t PointCount(const ExportMetricsServiceRequest& r) {
  uint64_t n = 0;
  for (const auto& rm : r.resource_metrics()) {
    for (const auto& sm : rm.scope_metrics()) {
      for (const auto& m : sm.metrics()) {
        n += static_cast<uint64_t>(m.gauge().data_points_size() + m.sum().data_points_size() +
                                   m.histogram().data_points_size());
      }
    }
  }
  return n;
}

uint64_t RecordCount(const ExportLogsServiceRequest& r) {
  uint64_t n = 0;
  for (const auto& rl : r.resource_logs()) {
    for (const auto& sl : rl.scope_logs()) n += static_cast<uint64_t>(sl.log_records_size());
  }
  return n;
}

class Sender {
 public:
  Sender(const ShopBackfillOptions& options, const std::atomic<bool>* stop)
      : options_(options), stop_(stop), exporter_(NewGrpcExporter(options.otlp_grpc_target)) {}

  // Exports one request, retrying while the receiver pushes back.
  template <typename Request>
  Status Send(const Request& request) {
    const int64_t deadline = NowNanos() + options_.retry_for_ns;
    auto backoff = std::chrono::milliseconds(20);
    for (;;) {
      Status s = exporter_->Export(request);
      ++requests_;
      if (s.ok() || !IsRetryable(s)) return s;
      if (stopped()) return Status::Unavailable("stopped");
      if (NowNanos() >= deadline) return s;
      ++retries_;
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
    }
  }

  // Sends the chunk's three signals in parallel; on_spans runs once the spans are accepted.
  Status SendChunk(Chunk& chunk) {
    auto logs = std::async(std::launch::async, [&] {
      return chunk.logs.resource_logs().empty() ? Status::Ok() : Send(chunk.logs);
    });
    auto metrics = std::async(std::launch::async, [&] {
      return chunk.metrics.resource_metrics().empty() ? Status::Ok() : Send(chunk.metrics);
    });
    Status st = chunk.steps.empty() ? Status::Ok() : Send(chunk.spans);
    if (st.ok() && options_.on_spans) {
      // Hands each step its own resource spans back, in order (moved, not copied).
      auto& all = *chunk.spans.mutable_resource_spans();
      int next = 0;
      for (const auto& [count, end] : chunk.steps) {
        ExportTraceServiceRequest step;
        step.mutable_resource_spans()->Reserve(count);
        for (int i = 0; i < count; ++i) *step.add_resource_spans() = std::move(all[next + i]);
        next += count;
        options_.on_spans(step, end);
      }
    }
    Status l = logs.get();
    Status m = metrics.get();
    if (st.ok()) st = l;
    if (st.ok()) st = m;
    return st;
  }

  bool stopped() const { return stop_ && stop_->load(); }
  uint64_t requests() const { return requests_; }
  uint64_t retries() const { return retries_; }

 private:
  const ShopBackfillOptions& options_;
  const std::atomic<bool>* stop_;
  std::unique_ptr<OtlpExporter> exporter_;
  std::atomic<uint64_t> requests_{0};
  std::atomic<uint64_t> retries_{0};
};

Status Validate(const ShopBackfillOptions& o) {
  if (!(o.traces_per_second > 0) || o.traces_per_second > 100'000) {
    return Status::InvalidArgument("backfill traces_per_second {} not in (0, 100000]",
                                   o.traces_per_second);
  }
  if (o.start_ns <= 0 || (o.end_ns != 0 && o.end_ns <= o.start_ns)) {
    return Status::InvalidArgument("backfill window [{}, {}] is empty", o.start_ns, o.end_ns);
  }
  if (o.step_ns <= 0 || o.metrics_interval_ns <= 0 || o.chunk_ns < o.step_ns) {
    return Status::InvalidArgument("backfill step, metrics interval and chunk must be positive");
  }
  if (o.otlp_grpc_target.find(':') == std::string::npos) {
    return Status::InvalidArgument("OTLP target '{}' is not host:port", o.otlp_grpc_target);
  }
  return Status::Ok();
}

}  // namespace

Result<ShopBackfillStats> RunShopBackfill(const ShopBackfillOptions& o,
                                          const std::atomic<bool>* stop) {
  RETURN_IF_ERROR(Validate(o));
  ShopTraceGenerator traces(o.seed);
  const ShopTopology& topology = traces.topology();
  const ShopLogGenerator logs(o.seed);
  ShopMetricsGenerator metrics(topology, o.seed, o.start_ns);
  Sender sender(o, stop);
  ShopBackfillStats stats;

  // One chunk is sent while the next one is generated: `sending` is the chunk in flight.
  std::future<Status> sending;
  int64_t sending_end = 0;
  auto finish_sending = [&]() -> Status {
    if (!sending.valid()) return Status::Ok();
    Status s = sending.get();
    if (s.ok() && o.on_progress) o.on_progress(sending_end);
    return s;
  };

  auto chunk = std::make_unique<Chunk>();
  chunk->begin_ns = o.start_ns;
  for (const ServiceInstance& inst : topology.instances()) {
    ExportLogsServiceRequest lines = logs.Startup(inst, o.start_ns - 3'000'000'000LL);
    MoveAll(*lines.mutable_resource_logs(), *chunk->logs.mutable_resource_logs());
  }
  auto flush = [&](int64_t reached_ns) -> Status {
    if (chunk->empty()) return Status::Ok();
    stats.log_records += RecordCount(chunk->logs);
    stats.metric_points += PointCount(chunk->metrics);
    chunk->end_ns = reached_ns;
    RETURN_IF_ERROR(finish_sending());
    sending_end = reached_ns;
    sending = std::async(std::launch::async,
                         [&sender, c = std::move(chunk)] { return sender.SendChunk(*c); });
    chunk = std::make_unique<Chunk>();
    return Status::Ok();
  };
  // Waits for the chunk in flight before returning `s` (the first error wins).
  auto done = [&](Status s) -> Status {
    Status last = finish_sending();
    return s.ok() ? last : s;
  };

  const double step_seconds = static_cast<double>(o.step_ns) / 1e9;
  double carry = 0;
  int64_t t = o.start_ns;
  int64_t next_metrics = o.start_ns + o.metrics_interval_ns;
  for (;;) {
    const int64_t end = o.end_ns ? o.end_ns : NowNanos();
    if (t + o.step_ns > end) break;
    if (sender.stopped()) return done(Status::Unavailable("stopped"));
    if (chunk->empty()) chunk->begin_ns = t;
    carry += o.traces_per_second * step_seconds;
    const int n = static_cast<int>(carry);
    carry -= n;
    t += o.step_ns;
    ShopBatch batch = traces.Generate(n, t, o.step_ns);
    stats.traces += static_cast<uint64_t>(n);
    int step_resources = 0;
    for (InstanceRequest& r : batch.requests) {
      const ServiceInstance& inst = topology.instances()[r.instance];
      metrics.Observe(r.instance, r.request);
      ExportLogsServiceRequest lines = logs.ForSpans(inst, r.request);
      chunk->log_bytes += lines.ByteSizeLong();
      MoveAll(*lines.mutable_resource_logs(), *chunk->logs.mutable_resource_logs());
      stats.spans += static_cast<uint64_t>(r.request.resource_spans(0).scope_spans(0).spans_size());
      chunk->trace_bytes += r.request.ByteSizeLong();
      step_resources += r.request.resource_spans_size();
      MoveAll(*r.request.mutable_resource_spans(), *chunk->spans.mutable_resource_spans());
    }
    chunk->steps.emplace_back(step_resources, t);
    for (; next_metrics <= t; next_metrics += o.metrics_interval_ns) {
      for (size_t i = 0; i < topology.instances().size(); ++i) {
        ExportMetricsServiceRequest points = metrics.Collect(i, next_metrics);
        chunk->metric_bytes += points.ByteSizeLong();
        MoveAll(*points.mutable_resource_metrics(), *chunk->metrics.mutable_resource_metrics());
      }
    }
    const size_t bytes = std::max({chunk->trace_bytes, chunk->log_bytes, chunk->metric_bytes});
    if (t - chunk->begin_ns >= o.chunk_ns || bytes >= o.max_request_bytes) {
      if (Status s = flush(t); !s.ok()) return done(s);
    }
  }
  if (Status s = flush(t); !s.ok()) return done(s);
  RETURN_IF_ERROR(done(Status::Ok()));
  if (o.on_progress) o.on_progress(t);
  stats.end_ns = t;
  stats.requests = sender.requests();
  stats.retries = sender.retries();
  return stats;
}

}  // namespace periscope::demo
