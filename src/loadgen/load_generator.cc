#include "loadgen/load_generator.h"

#include <fmt/format.h>

#include <vector>

#include "base/time.h"
#include "loadgen/grpc_sender.h"
#include "loadgen/http_sender.h"
#include "loadgen/load_run.h"
#include "loadgen/send_slot.h"

namespace periscope::loadgen {
namespace {

Status Validate(const LoadOptions& o) {
  if (o.protocol != "grpc" && o.protocol != "http") {
    return Status::InvalidArgument("protocol must be grpc or http, not '{}'", o.protocol);
  }
  if (o.target.find(':') == std::string::npos) {
    return Status::InvalidArgument("target '{}' is not host:port", o.target);
  }
  if (o.spans_per_request < 1 || o.spans_per_request > 100'000) {
    return Status::InvalidArgument("spans_per_request {} not in [1, 100000]", o.spans_per_request);
  }
  if (o.attributes_per_span < 0 || o.attributes_per_span > 128) {
    return Status::InvalidArgument("attributes_per_span {} not in [0, 128]", o.attributes_per_span);
  }
  if (o.connections < 1 || o.connections > 1024) {
    return Status::InvalidArgument("connections {} not in [1, 1024]", o.connections);
  }
  if (!(o.spans_per_second >= 0)) {
    return Status::InvalidArgument("spans_per_second must be >= 0");
  }
  if (o.total_spans == 0 && !(o.duration_seconds > 0)) {
    return Status::InvalidArgument("need a positive duration_seconds or total_spans");
  }
  return Status::Ok();
}

}  // namespace

std::string LoadReport::ToString() const {
  return fmt::format(
      "{} spans acked in {:.2f} s = {:.0f} spans/s; requests ok {} failed {}; {:.1f} MB sent "
      "({:.0f} B/span); latency p50 {:.2f} ms p99 {:.2f} ms{}",
      spans_acked, seconds, spans_per_second, requests_ok, requests_failed, bytes_sent / 1e6,
      spans_acked ? static_cast<double>(bytes_sent) / static_cast<double>(spans_acked) : 0.0,
      p50_ms, p99_ms, first_error.empty() ? "" : "; first error: " + first_error);
}

Result<LoadReport> RunLoad(const LoadOptions& options) {
  RETURN_IF_ERROR(Validate(options));
  bool http = options.protocol == "http";
  std::vector<SendSlot> slots;
  slots.reserve(static_cast<size_t>(options.connections));
  for (int i = 0; i < options.connections; ++i) {
    uint64_t seed = options.seed * 1'000'003 + static_cast<uint64_t>(i);
    int64_t now = NowNanos();
    std::string body = BuildStandardTraceRequest(seed, options.spans_per_request,
                                                 options.attributes_per_span, now);
    ASSIGN_OR_RETURN(SpanFieldOffsets offsets, LocateSpanFields(body));
    std::string head = http ? HttpRequestHead(options.target, body.size()) : std::string();
    slots.emplace_back(std::move(head), body, std::move(offsets), now, ~seed);
  }

  LoadRun run(options, MonotonicNanos());
  Status status =
      http ? RunHttpLoad(options.target, slots, run) : RunGrpcLoad(options.target, slots, run);
  LoadReport report = run.Finish(MonotonicNanos());
  RETURN_IF_ERROR(status);
  if (report.requests_ok == 0 && report.requests_failed > 0) {
    return Status::Unavailable("no request to {} succeeded: {}", options.target,
                               report.first_error);
  }
  return report;
}

}  // namespace periscope::loadgen
