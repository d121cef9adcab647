#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <functional>
#include <map>
#include <thread>
#include <unordered_map>

#include "apps/periscope/commands.h"
#include "base/log.h"
#include "base/time.h"
#include "demo/shop_backfill.h"
#include "demo/shop_simulator.h"
#include "ingest/otlp/trace_decoder.h"
#include "ingest/promrw/remote_write_encoder.h"
#include "model/metric_labels.h"
#include "server/metrics_pipeline.h"
#include "server/span_metrics.h"

namespace periscope::app {

namespace {

Status ResolveServeFlags(ServeFlags& flags) {
  auto retention = ParseDurationNanos(flags.retention);
  if (!retention || *retention <= 0) {
    return Status::InvalidArgument("--retention '{}' is not a duration (e.g. 7d, 12h)",
                                   flags.retention);
  }
  auto flush = ParseDurationNanos(flags.flush_interval);
  if (!flush || *flush <= 0) {
    return Status::InvalidArgument("--flush-interval '{}' is not a duration", flags.flush_interval);
  }
  auto dsd_flush = ParseDurationNanos(flags.dogstatsd_flush_interval);
  if (!dsd_flush || *dsd_flush <= 0) {
    return Status::InvalidArgument("--dogstatsd-flush-interval '{}' is not a duration",
                                   flags.dogstatsd_flush_interval);
  }
  flags.server.dogstatsd_flush_interval_ns = *dsd_flush;
  flags.server.retention_ns = *retention;
  flags.server.flush_interval_ns = *flush;
  flags.server.memtable_bytes = flags.memtable_mib << 20;
  flags.server.wal_fsync = !flags.no_fsync;
  if (flags.log_level == "debug") SetMinLogLevel(LogLevel::kDebug);
  if (flags.log_level == "warn") SetMinLogLevel(LogLevel::kWarn);
  if (flags.log_level == "error") SetMinLogLevel(LogLevel::kError);
  return Status::Ok();
}

// Blocks until SIGINT or SIGTERM.
void WaitForSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  sigwait(&set, &sig);
  LogInfo("received signal {}, shutting down", sig);
}

void BlockSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

// on_signal runs after the signal, before the server stops.
int RunServerUntilSignal(ServeFlags& flags, const std::function<void(Server&)>& on_ready,
                         const std::function<void()>& on_signal = nullptr) {
  BlockSignals();
  if (Status s = ResolveServeFlags(flags); !s.ok()) {
    LogError("{}", s.message());
    return 2;
  }
  Server server(flags.server);
  if (Status s = server.Start(); !s.ok()) {
    LogError("cannot start: {}", s.ToString());
    return 1;
  }
  if (on_ready) on_ready(server);
  WaitForSignal();
  if (on_signal) on_signal();
  server.Stop();
  LogInfo("stopped cleanly");
  return 0;
}

// Drives a SpanMetricsGenerator of its own on the backfill's simulated time, so backfilled spans
// land in the RED metrics at their own time rather than all "now"; spans recent enough for the
// server's live generator (which counts at processing time) are left to it. Writes into the
// server's metrics pipeline in large batches. Not thread-safe.
class RedMetricsBackfill {
 public:
  explicit RedMetricsBackfill(MetricsPipeline& pipeline)
      : pipeline_(pipeline), options_(Options()), generator_(options_) {}

  Status Observe(demo::ExportTraceServiceRequest& spans, int64_t step_end_ns) {
    if (next_flush_ns_ == 0) next_flush_ns_ = step_end_ns;
    for (; next_flush_ns_ < step_end_ns; next_flush_ns_ += options_.flush_interval_ns) {
      RETURN_IF_ERROR(Collect(next_flush_ns_));
    }
    DecodedTraces decoded = DecodeTracesMessage(spans, "default");
    generator_.Observe(decoded.batch, step_end_ns, NowNanos() - options_.late_span_slack_ns);
    return Status::Ok();
  }

  // Writes the samples up to `end_ns`.
  Status Finish(int64_t end_ns) {
    if (next_flush_ns_ != 0) RETURN_IF_ERROR(Collect(std::max(end_ns, next_flush_ns_)));
    return Write();
  }

 private:
  Status Collect(int64_t t_ns) {
    for (MetricBatch& b : generator_.Collect(t_ns)) {
      auto [it, fresh] = pending_.try_emplace(b.tenant);
      Pending& p = it->second;
      if (fresh) p.batch.tenant = b.tenant;
      for (MetricSeries& s : b.series) {
        auto [index, added] = p.index.try_emplace(SeriesIdOf(s.labels), p.batch.series.size());
        if (added) {
          p.batch.series.push_back(std::move(s));
          continue;
        }
        MetricSeries& to = p.batch.series[index->second];
        to.time_ms.insert(to.time_ms.end(), s.time_ms.begin(), s.time_ms.end());
        to.values.insert(to.values.end(), s.values.begin(), s.values.end());
        to.start_ms.insert(to.start_ms.end(), s.start_ms.begin(), s.start_ms.end());
        to.exemplars.insert(to.exemplars.end(), s.exemplars.begin(), s.exemplars.end());
      }
      samples_ += b.sample_count();
    }
    return samples_ >= 500'000 ? Write() : Status::Ok();
  }

  Status Write() {
    for (auto& [tenant, p] : pending_) {
      const std::string payload = EncodeRemoteWrite(p.batch);
      RETURN_IF_ERROR(
          pipeline_.Ingest(std::move(p.batch), WalRecordType::kPromRemoteWrite, payload));
    }
    pending_.clear();
    samples_ = 0;
    return Status::Ok();
  }

  // A sample a minute: history is looked at over hours, and it keeps the backfill fast. The
  // live generator writes the same series while the backfill catches up (and a later backfill
  // into the same data dir covers the same times), so each run writes series of its own.
  static SpanMetricsOptions Options() {
    SpanMetricsOptions o;
    o.flush_interval_ns = 60 * kNanosPerSecond;
    o.external_labels = {
        {"__metrics_gen_instance", fmt::format("backfill-{}", NowNanos() / kNanosPerSecond)}};
    return o;
  }

  struct Pending {
    MetricBatch batch;
    std::unordered_map<uint64_t, size_t> index;  // SeriesIdOf(labels) -> batch.series index
  };

  MetricsPipeline& pipeline_;
  const SpanMetricsOptions options_;
  SpanMetricsGenerator generator_;
  int64_t next_flush_ns_ = 0;
  std::map<std::string, Pending> pending_;
  size_t samples_ = 0;
};

std::string Hours(int64_t ns) {
  const double h = static_cast<double>(ns) / (3600.0 * kNanosPerSecond);
  return h >= 1 ? fmt::format("{:.3g}h", h) : fmt::format("{:.3g}m", h * 60);
}

// Sends `window_ns` of the shop's history up to now (then catches up with the time that took),
// with RED metrics at simulated time. Fails with the first error.
Status BackfillDemo(Server& server, const std::string& grpc_target, int64_t window_ns,
                    const DemoFlags& flags, const std::atomic<bool>& stop) {
  RedMetricsBackfill red(server.metrics());
  Status red_status = Status::Ok();
  const auto began = std::chrono::steady_clock::now();
  demo::ShopBackfillOptions o;
  o.otlp_grpc_target = grpc_target;
  o.start_ns = NowNanos() - window_ns;
  o.traces_per_second = flags.backfill_rate;
  o.seed = flags.seed ^ 0xBAC4F111ull;           // other trace ids than the live simulator's
  o.metrics_interval_ns = 30 * kNanosPerSecond;  // a third of the live rate keeps a day fast
  o.on_spans = [&](demo::ExportTraceServiceRequest& spans, int64_t step_end_ns) {
    if (red_status.ok()) red_status = red.Observe(spans, step_end_ns);
  };
  const int64_t report_every = std::max<int64_t>(window_ns / 12, 60 * kNanosPerSecond);
  int64_t next_report = o.start_ns + report_every;
  o.on_progress = [&](int64_t reached) {
    if (reached < next_report) return;
    while (next_report <= reached) next_report += report_every;
    std::fprintf(stdout, "backfilled %s of %s...\n", Hours(reached - o.start_ns).c_str(),
                 Hours(window_ns).c_str());
    std::fflush(stdout);
  };
  std::fprintf(stdout, "backfilling %s of demo history (%g traces/s of simulated time)...\n",
               Hours(window_ns).c_str(), o.traces_per_second);
  std::fflush(stdout);
  ASSIGN_OR_RETURN(demo::ShopBackfillStats stats, demo::RunShopBackfill(o, &stop));
  RETURN_IF_ERROR(red_status);
  RETURN_IF_ERROR(red.Finish(stats.end_ns));
  // The history goes to parts before the backfill counts as done, so the first queries read
  // parts instead of scanning a memtable the background flush is emptying.
  RETURN_IF_ERROR(server.FlushAll());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  std::fprintf(stdout,
               "backfilled %s in %.1f s: %llu traces, %llu spans, %llu log records, %llu metric "
               "points in %llu requests (%llu retried)\n",
               Hours(stats.end_ns - o.start_ns).c_str(), seconds,
               static_cast<unsigned long long>(stats.traces),
               static_cast<unsigned long long>(stats.spans),
               static_cast<unsigned long long>(stats.log_records),
               static_cast<unsigned long long>(stats.metric_points),
               static_cast<unsigned long long>(stats.requests),
               static_cast<unsigned long long>(stats.retries));
  std::fflush(stdout);
  return Status::Ok();
}

}  // namespace

void AddServeFlags(CLI::App* cmd, ServeFlags* f) {
  cmd->add_option("--data-dir", f->server.data_dir, "Data directory")
      ->envname("PERISCOPE_DATA_DIR")
      ->capture_default_str();
  cmd->add_option("--http-listen", f->server.http_listen, "UI, query APIs and OTLP/HTTP")
      ->envname("PERISCOPE_HTTP_LISTEN")
      ->capture_default_str();
  cmd->add_option("--otlp-grpc-listen", f->server.otlp_grpc_listen, "OTLP/gRPC")
      ->envname("PERISCOPE_OTLP_GRPC_LISTEN")
      ->capture_default_str();
  cmd->add_option("--otlp-http-listen", f->server.otlp_http_listen,
                  "OTLP/HTTP (empty: only on the UI port)")
      ->envname("PERISCOPE_OTLP_HTTP_LISTEN")
      ->capture_default_str();
  cmd->add_option("--dogstatsd-listen", f->server.dogstatsd_listen,
                  "DogStatsD UDP host:port (empty disables)")
      ->envname("PERISCOPE_DOGSTATSD_LISTEN")
      ->capture_default_str();
  cmd->add_option("--dogstatsd-socket", f->server.dogstatsd_socket,
                  "DogStatsD Unix datagram socket path (optional)")
      ->envname("PERISCOPE_DOGSTATSD_SOCKET");
  cmd->add_option("--dogstatsd-flush-interval", f->dogstatsd_flush_interval,
                  "Aggregate DogStatsD samples over this interval")
      ->envname("PERISCOPE_DOGSTATSD_FLUSH_INTERVAL")
      ->capture_default_str();
  cmd->add_option("--ports-file", f->server.ports_file,
                  "Write the bound ports as JSON here once ready")
      ->envname("PERISCOPE_PORTS_FILE");
  cmd->add_option("--retention", f->retention, "Keep data this long (e.g. 7d, 12h)")
      ->envname("PERISCOPE_RETENTION")
      ->capture_default_str();
  cmd->add_option("--flush-interval", f->flush_interval, "Flush the memtable at least this often")
      ->envname("PERISCOPE_FLUSH_INTERVAL")
      ->capture_default_str();
  cmd->add_option("--memtable-mib", f->memtable_mib, "Flush the memtable past this size")
      ->envname("PERISCOPE_MEMTABLE_MIB")
      ->capture_default_str();
  cmd->add_flag("--no-fsync", f->no_fsync,
                "Do not fsync the WAL (unsafe: acknowledged data can be lost on power failure)")
      ->envname("PERISCOPE_NO_FSYNC");
  cmd->add_option("--log-level", f->log_level, "debug, info, warn or error")
      ->envname("PERISCOPE_LOG_LEVEL")
      ->capture_default_str();
}

void AddDemoFlags(CLI::App* cmd, DemoFlags* f) {
  cmd->add_option("--traces-per-second", f->traces_per_second, "Simulated user requests per second")
      ->envname("PERISCOPE_DEMO_TRACES_PER_SECOND")
      ->capture_default_str();
  cmd->add_option("--seed", f->seed, "Simulator seed")->capture_default_str();
  cmd->add_option("--backfill", f->backfill,
                  "Before live traffic, send this much history (e.g. 24h) with past timestamps")
      ->envname("PERISCOPE_DEMO_BACKFILL");
  cmd->add_option("--backfill-rate", f->backfill_rate,
                  "Backfilled user requests per second of simulated time")
      ->envname("PERISCOPE_DEMO_BACKFILL_RATE")
      ->capture_default_str();
}

int RunServe(ServeFlags& flags) { return RunServerUntilSignal(flags, nullptr); }

int RunDemo(DemoFlags& flags) {
  int64_t backfill_ns = 0;
  if (!flags.backfill.empty()) {
    auto d = ParseDurationNanos(flags.backfill);
    if (!d || *d < 0 || *d > 400LL * 86400 * kNanosPerSecond) {
      LogError("--backfill '{}' is not a duration of at most 400d (e.g. 24h)", flags.backfill);
      return 2;
    }
    backfill_ns = *d;
  }
  if (!(flags.backfill_rate > 0) || flags.backfill_rate > 10'000) {
    LogError("--backfill-rate {} not in (0, 10000]", flags.backfill_rate);
    return 2;
  }
  std::unique_ptr<demo::ShopSimulator> simulator;
  std::atomic<bool> stop{false};
  std::thread starter;
  auto on_ready = [&](Server& server) {
    demo::ShopSimulatorOptions o;
    o.otlp_grpc_target = fmt::format("127.0.0.1:{}", server.otlp_grpc_port());
    const uint16_t http_port =
        server.otlp_http_port() ? server.otlp_http_port() : server.http_port();
    o.otlp_http_target = fmt::format("127.0.0.1:{}", http_port);
    o.traces_per_second = flags.traces_per_second;
    o.seed = flags.seed;
    simulator = std::make_unique<demo::ShopSimulator>(o);
    std::string host =
        flags.serve.server.http_listen.substr(0, flags.serve.server.http_listen.rfind(':'));
    if (host == "0.0.0.0" || host.empty()) host = "localhost";
    auto go_live = [srv = &server, &simulator, host, http_port] {
      if (Status s = simulator->Start(); !s.ok()) LogError("demo simulator: {}", s.ToString());
      std::fprintf(stdout,
                   "\nPeriscope demo is running.\n  UI:          http://%s:%u/\n"
                   "  Jaeger API:  http://%s:%u/jaeger\n  OTLP gRPC:   :%u   OTLP HTTP: :%u\n"
                   "Press Ctrl-C to stop.\n\n",
                   host.c_str(), srv->http_port(), host.c_str(), srv->http_port(),
                   srv->otlp_grpc_port(), http_port);
      std::fflush(stdout);
    };
    if (backfill_ns == 0) return go_live();
    starter = std::thread(
        [&flags, &stop, srv = &server, go_live, backfill_ns, grpc = o.otlp_grpc_target] {
          if (Status s = BackfillDemo(*srv, grpc, backfill_ns, flags, stop); !s.ok()) {
            LogError("demo backfill: {}", s.ToString());
            if (stop) return;
          }
          go_live();
        });
  };
  auto on_signal = [&] {
    stop = true;
    if (starter.joinable()) starter.join();
    if (simulator) simulator->Stop();
  };
  int rc = RunServerUntilSignal(flags.serve, on_ready, on_signal);
  if (starter.joinable()) starter.join();
  return rc;
}

}  // namespace periscope::app
