#include "demo/shop_backfill.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <mutex>
#include <set>

#include "opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.grpc.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"

namespace periscope::demo {
namespace {

namespace logs_v1 = ::opentelemetry::proto::collector::logs::v1;
namespace metrics_v1 = ::opentelemetry::proto::collector::metrics::v1;
namespace trace_v1 = ::opentelemetry::proto::collector::trace::v1;

constexpr int64_t kSec = 1'000'000'000LL;
constexpr int64_t kStart = 1'795'000'000LL * kSec;

// In-process OTLP/gRPC receiver of all three signals on 127.0.0.1 that answers UNAVAILABLE to
// the first `refuse` calls of each service, then keeps what it gets. Thread-safe.
class Sink final : public trace_v1::TraceService::Service,
                   public logs_v1::LogsService::Service,
                   public metrics_v1::MetricsService::Service {
 public:
  explicit Sink(int refuse) : refuse_{refuse, refuse, refuse} {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(static_cast<trace_v1::TraceService::Service*>(this));
    builder.RegisterService(static_cast<logs_v1::LogsService::Service*>(this));
    builder.RegisterService(static_cast<metrics_v1::MetricsService::Service*>(this));
    builder.SetMaxReceiveMessageSize(4 << 20);
    server_ = builder.BuildAndStart();
  }
  ~Sink() override { server_->Shutdown(); }

  std::string target() const { return "127.0.0.1:" + std::to_string(port_); }

  grpc::Status Export(grpc::ServerContext*, const trace_v1::ExportTraceServiceRequest* r,
                      trace_v1::ExportTraceServiceResponse*) override {
    std::lock_guard lock(mu_);
    if (refuse_[0]-- > 0) return {grpc::StatusCode::UNAVAILABLE, "busy"};
    for (const auto& rs : r->resource_spans()) {
      for (const auto& s : rs.scope_spans(0).spans()) {
        spans_.insert(s.span_id());
        min_end_ = std::min<uint64_t>(min_end_, s.end_time_unix_nano());
        max_end_ = std::max<uint64_t>(max_end_, s.end_time_unix_nano());
      }
    }
    return grpc::Status::OK;
  }
  grpc::Status Export(grpc::ServerContext*, const logs_v1::ExportLogsServiceRequest* r,
                      logs_v1::ExportLogsServiceResponse*) override {
    std::lock_guard lock(mu_);
    if (refuse_[1]-- > 0) return {grpc::StatusCode::UNAVAILABLE, "busy"};
    for (const auto& rl : r->resource_logs()) {
      for (const auto& rec : rl.scope_logs(0).log_records()) {
        ++records_;
        if (!rec.span_id().empty()) log_span_ids_.insert(rec.span_id());
      }
    }
    return grpc::Status::OK;
  }
  grpc::Status Export(grpc::ServerContext*, const metrics_v1::ExportMetricsServiceRequest* r,
                      metrics_v1::ExportMetricsServiceResponse*) override {
    std::lock_guard lock(mu_);
    if (refuse_[2]-- > 0) return {grpc::StatusCode::UNAVAILABLE, "busy"};
    for (const auto& rm : r->resource_metrics()) {
      for (const auto& m : rm.scope_metrics(0).metrics()) {
        for (const auto& p : m.gauge().data_points()) point_times_.insert(p.time_unix_nano());
      }
    }
    return grpc::Status::OK;
  }

  std::mutex mu_;
  int refuse_[3];
  std::set<std::string> spans_, log_span_ids_;
  std::set<uint64_t> point_times_;
  uint64_t records_ = 0;
  uint64_t min_end_ = UINT64_MAX, max_end_ = 0;

 private:
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

TEST(ShopBackfillTest, SendsAPastWindowOfAllSignalsThroughPushback) {
  Sink sink(2);
  ShopBackfillOptions o;
  o.otlp_grpc_target = sink.target();
  o.start_ns = kStart;
  o.end_ns = kStart + 1800 * kSec;
  o.traces_per_second = 0.5;
  o.chunk_ns = 300 * kSec;
  std::vector<int64_t> step_ends, progress;
  uint64_t hook_spans = 0;
  o.on_spans = [&](ExportTraceServiceRequest& spans, int64_t end) {
    step_ends.push_back(end);
    for (const auto& rs : spans.resource_spans()) hook_spans += rs.scope_spans(0).spans_size();
  };
  o.on_progress = [&](int64_t t) { progress.push_back(t); };
  auto stats = RunShopBackfill(o);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->end_ns, o.end_ns);
  EXPECT_EQ(stats->traces, 900u);
  EXPECT_EQ(stats->retries, 6u);
  EXPECT_EQ(stats->spans, sink.spans_.size());
  EXPECT_EQ(hook_spans, stats->spans);
  EXPECT_EQ(stats->log_records, sink.records_);
  EXPECT_GE(sink.min_end_, static_cast<uint64_t>(kStart));
  EXPECT_LE(sink.max_end_, static_cast<uint64_t>(o.end_ns));
  EXPECT_LT(sink.min_end_, static_cast<uint64_t>(kStart + 60 * kSec));
  EXPECT_GT(sink.max_end_, static_cast<uint64_t>(o.end_ns - 60 * kSec));
  // Every log with a span id names a sent span.
  for (const std::string& id : sink.log_span_ids_) EXPECT_TRUE(sink.spans_.contains(id));
  EXPECT_GT(sink.log_span_ids_.size(), 100u);
  // Runtime metrics every 10 s of simulated time.
  EXPECT_EQ(sink.point_times_.size(), 180u);
  EXPECT_EQ(*sink.point_times_.begin(), static_cast<uint64_t>(kStart + 10 * kSec));
  ASSERT_EQ(step_ends.size(), 360u);
  EXPECT_TRUE(std::is_sorted(step_ends.begin(), step_ends.end()));
  EXPECT_EQ(progress.size(), 7u);  // six chunks and the end
}

TEST(ShopBackfillTest, FailsOnARefusedRequestAndOnBadOptions) {
  Sink sink(0);
  ShopBackfillOptions o;
  o.otlp_grpc_target = sink.target();
  o.start_ns = kStart;
  o.end_ns = kStart - kSec;
  EXPECT_EQ(RunShopBackfill(o).status().code(), StatusCode::kInvalidArgument);
  o.end_ns = kStart + 60 * kSec;
  o.traces_per_second = 0;
  EXPECT_EQ(RunShopBackfill(o).status().code(), StatusCode::kInvalidArgument);
  o.traces_per_second = 1;
  o.retry_for_ns = kSec / 5;
  Sink down(1'000'000);
  o.otlp_grpc_target = down.target();
  auto r = RunShopBackfill(o);
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
}

}  // namespace
}  // namespace periscope::demo
