#include "loadgen/metric_load.h"

#include "base/time.h"
#include "loadgen/load_run.h"

namespace periscope::loadgen {
namespace {

// Hands out pre-built requests in order.
class PrebuiltSource : public HttpRequestSource {
 public:
  explicit PrebuiltSource(std::vector<HttpRequestBytes>& requests) : requests_(requests) {}
  std::optional<HttpRequestBytes> Next() override {
    if (next_ >= requests_.size()) return std::nullopt;
    return requests_[next_++];
  }

 private:
  std::vector<HttpRequestBytes>& requests_;
  size_t next_ = 0;
};

Status Validate(const MetricLoadOptions& o) {
  if (o.target.find(':') == std::string::npos) {
    return Status::InvalidArgument("target '{}' is not host:port", o.target);
  }
  if (o.path.empty() || o.path.front() != '/') {
    return Status::InvalidArgument("path '{}' must start with '/'", o.path);
  }
  if (o.connections < 1 || o.connections > 1024) {
    return Status::InvalidArgument("connections {} not in [1, 1024]", o.connections);
  }
  const MetricWorkloadOptions& w = o.workload;
  if (w.series < kMetricSeriesPerInstance || w.series % kMetricSeriesPerInstance != 0) {
    return Status::InvalidArgument("series {} is not a positive multiple of {}", w.series,
                                   kMetricSeriesPerInstance);
  }
  if (w.scrapes < 1) return Status::InvalidArgument("scrapes {} < 1", w.scrapes);
  if (w.interval_ms < 1) return Status::InvalidArgument("interval {} ms < 1", w.interval_ms);
  if (w.series_per_request < 1 || w.samples_per_series < 1) {
    return Status::InvalidArgument("series per request and samples per series must be >= 1");
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<HttpRequestBytes>> BuildRemoteWriteRequests(const MetricLoadOptions& options,
                                                               const BodyCompressor& compress) {
  RETURN_IF_ERROR(Validate(options));
  MetricWorkload workload(options.workload);
  std::vector<HttpRequestBytes> out;
  std::string body;
  while (size_t samples = workload.NextRequest(&body)) {
    std::string compressed = compress(body);
    HttpRequestBytes request;
    request.wire = HttpPostHead(options.target, options.path, "application/x-protobuf",
                                "Content-Encoding: snappy\r\n"
                                "X-Prometheus-Remote-Write-Version: 0.1.0\r\n",
                                compressed.size());
    request.wire.append(compressed);
    request.body_size = compressed.size();
    request.items = samples;
    out.push_back(std::move(request));
  }
  return out;
}

Result<LoadReport> SendPrebuiltRequests(const MetricLoadOptions& options,
                                        std::vector<HttpRequestBytes>& requests) {
  RETURN_IF_ERROR(Validate(options));
  LoadOptions pacing;
  pacing.spans_per_request =
      options.workload.series_per_request * options.workload.samples_per_series;
  pacing.connections = options.connections;
  pacing.duration_seconds = 0;
  PrebuiltSource source(requests);
  LoadRun run(pacing, MonotonicNanos());
  Status status = RunHttpRequests(options.target, options.connections, source, {}, run);
  LoadReport report = run.Finish(MonotonicNanos());
  RETURN_IF_ERROR(status);
  if (report.requests_ok == 0 && report.requests_failed > 0) {
    return Status::Unavailable("no request to {} succeeded: {}", options.target,
                               report.first_error);
  }
  return report;
}

}  // namespace periscope::loadgen
