#include "ingest/promrw/remote_write_decoder.h"

#include <google/protobuf/arena.h>
#include <snappy.h>

#include <unordered_map>

#include "model/metric_labels.h"
#include "prometheus/remote.pb.h"

namespace periscope {

namespace {

constexpr int kMaxReasons = 3;

MetricKind KindOfType(prometheus::MetricMetadata::MetricType type) {
  switch (type) {
    case prometheus::MetricMetadata::COUNTER:
    case prometheus::MetricMetadata::HISTOGRAM:
    case prometheus::MetricMetadata::SUMMARY:
      return MetricKind::kCounter;
    case prometheus::MetricMetadata::GAUGE:
    case prometheus::MetricMetadata::GAUGEHISTOGRAM:
    case prometheus::MetricMetadata::INFO:
    case prometheus::MetricMetadata::STATESET:
      return MetricKind::kGauge;
    default:
      return MetricKind::kUnknown;
  }
}

std::string_view StripSuffix(std::string_view name) {
  for (std::string_view suffix : {"_bucket", "_count", "_sum", "_total"}) {
    if (name.ends_with(suffix)) return name.substr(0, name.size() - suffix.size());
  }
  return name;
}

MetricKind KindOf(std::string_view name,
                  const std::unordered_map<std::string_view, MetricKind>& families) {
  if (auto it = families.find(name); it != families.end()) return it->second;
  const std::string_view family = StripSuffix(name);
  if (auto it = families.find(family); it != families.end()) {
    // A summary's quantile series is a gauge; its _sum and _count are counters.
    return family == name ? MetricKind::kGauge : it->second;
  }
  return family == name ? MetricKind::kUnknown : MetricKind::kCounter;
}

template <typename Id>
std::optional<Id> IdFromLabels(const prometheus::Exemplar& e, std::string_view a,
                               std::string_view b) {
  for (const auto& l : e.labels()) {
    if (l.name() == a || l.name() == b) return Id::FromHex(l.value());
  }
  return std::nullopt;
}

Result<DecodedRemoteWrite> Convert(const prometheus::WriteRequest& req, std::string_view tenant) {
  DecodedRemoteWrite out;
  out.batch.tenant = std::string(tenant);
  int reasons = 0;
  auto reject = [&](std::string reason) {
    ++out.rejected_series;
    if (reasons++ < kMaxReasons) {
      if (!out.error_message.empty()) out.error_message += "; ";
      out.error_message += reason;
    }
  };
  std::unordered_map<std::string_view, MetricKind> families;
  for (const auto& m : req.metadata()) families[m.metric_family_name()] = KindOfType(m.type());
  out.batch.series.reserve(static_cast<size_t>(req.timeseries_size()));
  for (const auto& ts : req.timeseries()) {
    if (ts.samples_size() == 0) {
      if (ts.histograms_size() > 0) reject("native histograms are not supported yet");
      continue;
    }
    MetricSeries s;
    s.labels.reserve(static_cast<size_t>(ts.labels_size()));
    for (const auto& l : ts.labels()) s.labels.emplace_back(l.name(), l.value());
    NormalizeLabels(s.labels);
    const std::string_view name = LabelValue(s.labels, kMetricNameLabel);
    if (name.empty()) {
      reject("series without __name__");
      continue;
    }
    s.kind = KindOf(name, families);
    s.time_ms.reserve(static_cast<size_t>(ts.samples_size()));
    s.values.reserve(static_cast<size_t>(ts.samples_size()));
    for (const auto& sample : ts.samples()) {
      s.time_ms.push_back(sample.timestamp());
      s.values.push_back(sample.value());
    }
    for (const auto& e : ts.exemplars()) {
      auto trace = IdFromLabels<TraceId>(e, "trace_id", "traceID");
      auto span = IdFromLabels<SpanId>(e, "span_id", "spanID");
      if (!trace) continue;
      MetricExemplar x;
      x.time_ms = e.timestamp();
      x.value = e.value();
      x.trace_id = *trace;
      if (span) x.span_id = *span;
      s.exemplars.push_back(x);
    }
    out.batch.series.push_back(std::move(s));
  }
  return out;
}

}  // namespace

Result<DecodedRemoteWrite> DecodeRemoteWriteProto(std::string_view proto, std::string_view tenant) {
  google::protobuf::Arena arena;
  auto* req = google::protobuf::Arena::CreateMessage<prometheus::WriteRequest>(&arena);
  if (!req->ParseFromArray(proto.data(), static_cast<int>(proto.size()))) {
    return Status::InvalidArgument("body is not a valid remote-write WriteRequest protobuf");
  }
  ASSIGN_OR_RETURN(DecodedRemoteWrite out, Convert(*req, tenant));
  out.wal_payload = std::string(proto);
  return out;
}

Result<DecodedRemoteWrite> DecodeRemoteWrite(std::string_view snappy_body, std::string_view tenant,
                                             size_t max_bytes) {
  size_t length = 0;
  if (!snappy::GetUncompressedLength(snappy_body.data(), snappy_body.size(), &length)) {
    return Status::InvalidArgument("body is not snappy block-compressed (bad length header)");
  }
  if (length > max_bytes) {
    return Status::ResourceExhausted("body decompresses to {} bytes, over the limit of {}", length,
                                     max_bytes);
  }
  std::string proto;
  if (!snappy::Uncompress(snappy_body.data(), snappy_body.size(), &proto)) {
    return Status::InvalidArgument("body is not valid snappy block-compressed data");
  }
  return DecodeRemoteWriteProto(proto, tenant);
}

}  // namespace periscope
