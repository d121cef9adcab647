#include "loadgen/log_load.h"

#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "base/time.h"
#include "loadgen/load_run.h"
#include "loadgen/log_http_sender.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"

namespace periscope::loadgen {
namespace {

using ::opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse;

// Encodes the workload's requests on demand.
class LogRequestSource : public HttpRequestSource {
 public:
  LogRequestSource(const LogCorpus& corpus, const LogLoadOptions& options)
      : workload_(corpus, options.workload), options_(options) {}

  std::optional<HttpRequestBytes> Next() override {
    size_t lines = workload_.NextRequest(&body_, nullptr);
    if (lines == 0) return std::nullopt;
    HttpRequestBytes request;
    request.wire =
        HttpPostHead(options_.target, options_.path, "application/x-protobuf", "", body_.size());
    request.wire.append(body_);
    request.body_size = body_.size();
    request.items = lines;
    return request;
  }

 private:
  LogWorkload workload_;
  const LogLoadOptions& options_;
  std::string body_;
};

uint64_t RejectedLogRecords(std::string_view body) {
  ExportLogsServiceResponse response;
  if (body.empty() || !response.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return 0;
  }
  return static_cast<uint64_t>(
      std::max<int64_t>(0, response.partial_success().rejected_log_records()));
}

Status Validate(const LogLoadOptions& o) {
  if (o.target.find(':') == std::string::npos) {
    return Status::InvalidArgument("target '{}' is not host:port", o.target);
  }
  if (o.path.empty() || o.path.front() != '/') {
    return Status::InvalidArgument("path '{}' must start with '/'", o.path);
  }
  if (o.connections < 1 || o.connections > 1024) {
    return Status::InvalidArgument("connections {} not in [1, 1024]", o.connections);
  }
  const LogWorkloadOptions& w = o.workload;
  if (w.lines_per_request < 1 || w.lines_per_request > 100'000) {
    return Status::InvalidArgument("lines per request {} not in [1, 100000]", w.lines_per_request);
  }
  if (w.total_lines == 0) return Status::InvalidArgument("total lines must be > 0");
  if (!(w.trace_fraction >= 0 && w.trace_fraction <= 1)) {
    return Status::InvalidArgument("trace fraction {} not in [0, 1]", w.trace_fraction);
  }
  if (w.line_interval_ns < 0) return Status::InvalidArgument("line interval must be >= 0");
  return Status::Ok();
}

}  // namespace

Result<LoadReport> RunLogLoad(const LogCorpus& corpus, const LogLoadOptions& options) {
  RETURN_IF_ERROR(Validate(options));
  LoadOptions pacing;
  pacing.spans_per_request = options.workload.lines_per_request;
  pacing.connections = options.connections;
  pacing.duration_seconds = options.duration_seconds;
  LogRequestSource source(corpus, options);
  HttpAnswerRules rules{&RejectedLogRecords};
  LoadRun run(pacing, MonotonicNanos());
  Status status = RunHttpRequests(options.target, options.connections, source, rules, run);
  LoadReport report = run.Finish(MonotonicNanos());
  RETURN_IF_ERROR(status);
  if (report.requests_ok == 0 && report.requests_failed > 0) {
    return Status::Unavailable("no request to {} succeeded: {}", options.target,
                               report.first_error);
  }
  return report;
}

Result<uint64_t> WriteLogText(const LogCorpus& corpus, const LogWorkloadOptions& options,
                              const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "wb"), &std::fclose);
  if (!file) return Status::IOError("cannot create '{}'", path);
  LogWorkload workload(corpus, options);
  std::string body;
  std::string raw;
  uint64_t lines = 0;
  while (size_t n = workload.NextRequest(&body, &raw)) {
    lines += n;
    if (raw.size() >= (1 << 20)) {
      if (std::fwrite(raw.data(), 1, raw.size(), file.get()) != raw.size()) {
        return Status::IOError("cannot write '{}'", path);
      }
      raw.clear();
    }
  }
  if (std::fwrite(raw.data(), 1, raw.size(), file.get()) != raw.size() ||
      std::fclose(file.release()) != 0) {
    return Status::IOError("cannot write '{}'", path);
  }
  return lines;
}

std::string LogReportLine(const LoadReport& r, std::string_view unit) {
  return fmt::format(
      "{} {} acked in {:.2f} s = {:.0f} {}/s; requests ok {} failed {}; {:.1f} MB sent "
      "({:.0f} B/{}); latency p50 {:.2f} ms p99 {:.2f} ms{}",
      r.spans_acked, unit, r.seconds, r.spans_per_second, unit, r.requests_ok, r.requests_failed,
      static_cast<double>(r.bytes_sent) / 1e6,
      r.spans_acked ? static_cast<double>(r.bytes_sent) / static_cast<double>(r.spans_acked) : 0.0,
      unit.substr(0, unit.size() - 1), r.p50_ms, r.p99_ms,
      r.first_error.empty() ? "" : "; first error: " + r.first_error);
}

}  // namespace periscope::loadgen
