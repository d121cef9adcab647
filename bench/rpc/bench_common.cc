#include "bench_common.h"

#include <algorithm>
#include <cstdio>

namespace rpcbench {

namespace pt = periscope::trace;

std::string LatencyRecorder::Summary(uint64_t failures) {
  std::sort(nanos_.begin(), nanos_.end());
  auto percentile = [&](double q) -> double {
    if (nanos_.empty()) return 0;
    size_t i = static_cast<size_t>(q * static_cast<double>(nanos_.size() - 1) + 0.5);
    return static_cast<double>(nanos_[i]) / 1000.0;
  };
  const double seconds = std::chrono::duration<double>(until_ - from_).count();
  char line[256];
  std::snprintf(line, sizeof line,
                "calls=%zu seconds=%.3f calls_per_s=%.0f p50_us=%.1f p99_us=%.1f failures=%llu",
                nanos_.size(), seconds, static_cast<double>(nanos_.size()) / seconds,
                percentile(0.50), percentile(0.99), static_cast<unsigned long long>(failures));
  return line;
}

namespace {

std::shared_ptr<pt::BatchSpanProcessor> last_processor;

std::shared_ptr<pt::TracerProvider> MakeBatchingProvider(const std::string& service_name,
                                                         std::shared_ptr<pt::SpanExporter> exporter,
                                                         BatchSettings settings) {
  pt::BatchOptions batch;
  batch.max_export_batch_size = std::max<size_t>(settings.export_batch, 1);
  batch.max_queue_size = std::max<size_t>(size_t{1} << 16, 16 * batch.max_export_batch_size);
  batch.schedule_delay = std::chrono::milliseconds(100);
  pt::TracerProviderOptions options;
  options.resource.attributes.emplace_back("service.name", service_name);
  last_processor = std::make_shared<pt::BatchSpanProcessor>(std::move(exporter), batch);
  options.processors.push_back(last_processor);
  return std::make_shared<pt::TracerProvider>(std::move(options));
}

}  // namespace

std::shared_ptr<pt::TracerProvider> MakeDiscardingProvider(const std::string& service_name,
                                                           BatchSettings batch) {
  return MakeBatchingProvider(service_name, std::make_shared<DiscardingExporter>(), batch);
}

std::shared_ptr<pt::TracerProvider> MakeOtlpProvider(const std::string& service_name,
                                                     const std::string& endpoint,
                                                     BatchSettings batch) {
  pt::OtlpExporterOptions otlp;
  otlp.protocol = pt::OtlpProtocol::kHttpProtobuf;
  otlp.endpoint = endpoint;
  return MakeBatchingProvider(service_name, std::make_shared<pt::OtlpSpanExporter>(otlp), batch);
}

std::string BatchStatsLine() {
  if (!last_processor) return "";
  const pt::BatchStats stats = last_processor->stats();
  char line[160];
  std::snprintf(line, sizeof line,
                "spans_queued=%llu spans_dropped=%llu spans_exported=%llu spans_failed=%llu",
                static_cast<unsigned long long>(stats.queued),
                static_cast<unsigned long long>(stats.dropped),
                static_cast<unsigned long long>(stats.exported),
                static_cast<unsigned long long>(stats.failed));
  return line;
}

std::string MakePayload(size_t bytes) {
  std::string payload(bytes, '\0');
  for (size_t i = 0; i < bytes; ++i) payload[i] = static_cast<char>('a' + i % 26);
  return payload;
}

}  // namespace rpcbench
