#include "server/server.h"

#include <filesystem>
#include <fstream>

#include "api/insights_api.h"
#include "api/jaeger/jaeger_api.h"
#include "api/jaeger/jaeger_dependencies.h"
#include "api/logs_api.h"
#include "api/logs_tail_api.h"
#include "api/metrics_api.h"
#include "api/prometheus_api.h"
#include "api/traces_api.h"
#include "base/log.h"
#include "base/metrics.h"
#include "server/metrics_receivers.h"
#include "server/otlp_http_receiver.h"
#include "server/otlp_logs_receiver.h"
#include "server/ui_page.h"

namespace periscope {

Server::Server(ServerOptions options) : options_(std::move(options)) {}

Server::~Server() { Stop(); }

void Server::RegisterOps(Router& router) {
  router.Add("GET", "/healthz", [](HttpRequest&) { return HttpResponse::Text("ok\n"); });
  router.Add("GET", "/readyz", [this](HttpRequest&) {
    return ready_ ? HttpResponse::Text("ready\n") : HttpResponse::Text("starting\n", 503);
  });
  router.Add("GET", "/metrics", [ui = UiPageHandler()](HttpRequest& req) {
    // A browser opening the metrics explorer gets the UI; scrapers get the text format.
    if (req.Header("accept").find("text/html") != std::string::npos) return ui(req);
    HttpResponse r = HttpResponse::Text(MetricsRegistry::Global().RenderPrometheus());
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    return r;
  });
}

Status Server::Start() {
  std::error_code ec;
  std::filesystem::create_directories(options_.data_dir, ec);
  if (ec) return Status::IOError("creating data dir {}: {}", options_.data_dir, ec.message());

  SignalStoreOptions so;
  so.data_dir = options_.data_dir;
  so.wal_fsync = options_.wal_fsync;
  for (TableDriverOptions* d : {&so.traces.driver, &so.logs.driver, &so.metrics.driver}) {
    d->flush_interval_ns = options_.flush_interval_ns;
    d->memtable_bytes = options_.memtable_bytes;
  }
  so.traces.retention_ns = options_.retention_ns;
  so.logs.retention_ns = options_.retention_ns;
  so.metrics.retention_ms = options_.retention_ns / 1000000;
  // Not called for replayed spans; red_metrics_ exists before any receiver starts.
  so.traces.on_ingested = [this](const SpanBatch& b) { red_metrics_->Observe(b); };
  so.logs.on_ingested = [hub = &log_tail_](const LogBatch& b) { hub->Publish(b); };
  ASSIGN_OR_RETURN(store_, SignalStore::Open(std::move(so)));
  red_metrics_ = std::make_unique<SpanMetricsGenerator>(SpanMetricsOptions{}, store_->metrics());
  red_metrics_->Start();
  store_->StartBackground();
  trace_queries_ = std::make_unique<TraceQueries>(store_->traces().table());
  TracePipeline& traces = store_->traces();
  LogPipeline& logs = store_->logs();
  MetricsPipeline& metrics = store_->metrics();

  OtlpHttpOptions otlp_http_options;
  otlp_http_options.max_decoded_bytes = options_.http_max_body_bytes;
  MetricsHttpOptions metrics_http_options;
  metrics_http_options.max_decoded_bytes = options_.http_max_body_bytes;
  for (Router* router : {&api_router_, &otlp_router_}) {
    RegisterOps(*router);
    RegisterOtlpHttpReceiver(*router, traces, otlp_http_options);
    RegisterOtlpLogsHttpReceiver(*router, logs, otlp_http_options);
    RegisterMetricsHttpReceivers(*router, metrics, metrics_http_options);
  }
  RegisterTracesApi(api_router_, *trace_queries_);
  RegisterJaegerApi(api_router_, *trace_queries_);
  RegisterJaegerDependencies(api_router_, metrics.table());
  RegisterLogsApi(api_router_, logs.table());
  RegisterLogsTailApi(api_router_, log_tail_);
  RegisterMetricsApi(api_router_, metrics.table());
  RegisterPrometheusApi(api_router_, metrics.table());
  RegisterInsightsApi(api_router_, *trace_queries_, logs.table(), metrics.table());
  RegisterUiPage(api_router_);

  HttpServerOptions http_options;
  http_options.listen = options_.http_listen;
  http_options.max_body_bytes = options_.http_max_body_bytes;
  http_ = std::make_unique<HttpServer>(http_options, api_router_);
  RETURN_IF_ERROR(http_->Start());
  if (!options_.otlp_http_listen.empty()) {
    HttpServerOptions o = http_options;
    o.listen = options_.otlp_http_listen;
    otlp_http_ = std::make_unique<HttpServer>(o, otlp_router_);
    RETURN_IF_ERROR(otlp_http_->Start());
  }
  OtlpGrpcOptions grpc_options;
  grpc_options.listen = options_.otlp_grpc_listen;
  grpc_options.max_receive_bytes = options_.grpc_max_receive_bytes;
  otlp_grpc_ = std::make_unique<OtlpGrpcReceiver>(grpc_options, traces);
  otlp_grpc_->AddService(NewOtlpLogsGrpcService(logs));
  otlp_grpc_->AddService(std::make_unique<MetricsGrpcService>(metrics));
  RETURN_IF_ERROR(otlp_grpc_->Start());
  if (!options_.dogstatsd_listen.empty() || !options_.dogstatsd_socket.empty()) {
    DogStatsdOptions dsd;
    dsd.listen = options_.dogstatsd_listen;
    dsd.unix_socket_path = options_.dogstatsd_socket;
    dsd.flush_interval_ns = options_.dogstatsd_flush_interval_ns;
    dogstatsd_ = std::make_unique<DogStatsdReceiver>(dsd, metrics, &logs);
    RETURN_IF_ERROR(dogstatsd_->Start());
  }

  ready_ = true;
  RETURN_IF_ERROR(WritePortsFile());
  LogInfo("periscope ready: UI and API http://{}:{}/  OTLP gRPC :{}  OTLP HTTP :{}  data {}",
          options_.http_listen.substr(0, options_.http_listen.rfind(':')), http_port(),
          otlp_grpc_port(), otlp_http_port(), options_.data_dir);
  return Status::Ok();
}

Status Server::WritePortsFile() const {
  if (options_.ports_file.empty()) return Status::Ok();
  const std::string tmp = options_.ports_file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << fmt::format(R"({{"http": {}, "otlp_grpc": {}, "otlp_http": {}, "dogstatsd": {}}})",
                       http_port(), otlp_grpc_port(), otlp_http_port(), dogstatsd_port())
        << "\n";
    if (!out) return Status::IOError("writing {}", tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, options_.ports_file, ec);
  if (ec) return Status::IOError("renaming {}: {}", tmp, ec.message());
  return Status::Ok();
}

void Server::Stop() {
  ready_ = false;
  if (dogstatsd_) dogstatsd_->Stop();  // flushes the pending interval into metrics_
  if (otlp_grpc_) otlp_grpc_->Stop();
  if (otlp_http_) otlp_http_->Stop();
  if (http_) http_->Stop();
  if (store_) store_->traces().Stop();  // its last spans still reach red_metrics_
  if (red_metrics_) red_metrics_->Stop();
  if (store_) store_->Stop();
  dogstatsd_.reset();
  otlp_grpc_.reset();
  otlp_http_.reset();
  http_.reset();
  trace_queries_.reset();
  red_metrics_.reset();
  store_.reset();
}

uint16_t Server::http_port() const { return http_ ? http_->port() : 0; }
uint16_t Server::otlp_grpc_port() const { return otlp_grpc_ ? otlp_grpc_->port() : 0; }
uint16_t Server::otlp_http_port() const { return otlp_http_ ? otlp_http_->port() : 0; }
uint16_t Server::dogstatsd_port() const { return dogstatsd_ ? dogstatsd_->port() : 0; }

}  // namespace periscope
