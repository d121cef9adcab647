#include "ingest/promrw/remote_write_decoder.h"

#include <snappy.h>

#include <optional>
#include <unordered_map>
#include <vector>

#include "ingest/promrw/proto_wire.h"
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

// The wire fields this decoder reads (proto/prometheus/remote.proto, types.proto).
constexpr uint32_t kWriteTimeseries = 1, kWriteMetadata = 3;
constexpr uint32_t kSeriesLabels = 1, kSeriesSamples = 2, kSeriesExemplars = 3,
                   kSeriesHistograms = 4;
constexpr uint32_t kLabelName = 1, kLabelValue = 2;
constexpr uint32_t kSampleValue = 1, kSampleTimestamp = 2;
constexpr uint32_t kExemplarLabels = 1, kExemplarValue = 2, kExemplarTimestamp = 3;
constexpr uint32_t kMetadataType = 1, kMetadataFamily = 2, kMetadataHelp = 4, kMetadataUnit = 5;

Status Malformed(std::string_view what) {
  return Status::InvalidArgument("body is not a valid remote-write WriteRequest protobuf ({})",
                                 what);
}

// A message whose fields all parse (contents not interpreted).
bool IsWellFormed(std::string_view msg) {
  ProtoWireReader r(msg);
  while (!r.empty()) {
    uint32_t field = 0;
    WireType type = WireType::kVarint;
    if (!r.NextTag(&field, &type) || !r.Skip(type)) return false;
  }
  return true;
}

struct LabelView {
  std::string_view name, value;
};

// A Label message; strings must be UTF-8 (proto3).
bool ReadLabel(std::string_view msg, LabelView* out) {
  ProtoWireReader r(msg);
  *out = {};
  while (!r.empty()) {
    uint32_t field = 0;
    WireType type = WireType::kVarint;
    if (!r.NextTag(&field, &type)) return false;
    if ((field == kLabelName || field == kLabelValue) && type == WireType::kLen) {
      std::string_view* dst = field == kLabelName ? &out->name : &out->value;
      if (!r.Bytes(dst) || !IsValidUtf8(*dst)) return false;
    } else if (!r.Skip(type)) {
      return false;
    }
  }
  return true;
}

// Varint int64 or fixed64 double fields of a Sample or Exemplar; labels of an Exemplar go to
// `labels` when given.
bool ReadPoint(std::string_view msg, uint32_t value_field, uint32_t time_field, double* value,
               int64_t* time, std::vector<LabelView>* labels) {
  ProtoWireReader r(msg);
  *value = 0;
  *time = 0;
  while (!r.empty()) {
    uint32_t field = 0;
    WireType type = WireType::kVarint;
    if (!r.NextTag(&field, &type)) return false;
    if (field == value_field && type == WireType::kFixed64) {
      if (!r.Double(value)) return false;
    } else if (field == time_field && type == WireType::kVarint) {
      uint64_t v = 0;
      if (!r.Varint(&v)) return false;
      *time = static_cast<int64_t>(v);
    } else if (labels && field == kExemplarLabels && type == WireType::kLen) {
      std::string_view m;
      LabelView l;
      if (!r.Bytes(&m) || !ReadLabel(m, &l)) return false;
      labels->push_back(l);
    } else if (!r.Skip(type)) {
      return false;
    }
  }
  return true;
}

// Reads the MetricMetadata messages (last one of a family wins).
Status ReadFamilies(std::string_view proto,
                    std::unordered_map<std::string_view, MetricKind>* families) {
  ProtoWireReader r(proto);
  while (!r.empty()) {
    uint32_t field = 0;
    WireType type = WireType::kVarint;
    if (!r.NextTag(&field, &type)) return Malformed("bad tag");
    if (field != kWriteMetadata || type != WireType::kLen) {
      if (!r.Skip(type)) return Malformed("truncated field");
      continue;
    }
    std::string_view msg, family;
    if (!r.Bytes(&msg)) return Malformed("truncated metadata");
    ProtoWireReader m(msg);
    uint64_t metric_type = 0;
    while (!m.empty()) {
      uint32_t f = 0;
      WireType t = WireType::kVarint;
      if (!m.NextTag(&f, &t)) return Malformed("bad metadata tag");
      if (f == kMetadataType && t == WireType::kVarint) {
        if (!m.Varint(&metric_type)) return Malformed("truncated metadata type");
      } else if ((f == kMetadataFamily || f == kMetadataHelp || f == kMetadataUnit) &&
                 t == WireType::kLen) {
        std::string_view text;
        if (!m.Bytes(&text) || !IsValidUtf8(text)) return Malformed("bad metadata string");
        if (f == kMetadataFamily) family = text;
      } else if (!m.Skip(t)) {
        return Malformed("truncated metadata field");
      }
    }
    (*families)[family] = KindOfType(static_cast<prometheus::MetricMetadata::MetricType>(
        static_cast<int32_t>(static_cast<uint32_t>(metric_type))));
  }
  return Status::Ok();
}

// True when the labels are sorted by name, names unique and values non-empty, i.e.
// NormalizeLabels would not change them (Prometheus sends them so).
bool IsNormalized(const Labels& labels) {
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i].second.empty()) return false;
    if (i > 0 && !(labels[i - 1].first < labels[i].first)) return false;
  }
  return true;
}

template <typename Id>
std::optional<Id> IdFromLabels(const std::vector<LabelView>& labels, std::string_view a,
                               std::string_view b) {
  for (const auto& l : labels) {
    if (l.name == a || l.name == b) return Id::FromHex(l.value);
  }
  return std::nullopt;
}

// Decodes a WriteRequest straight from its wire bytes into a batch, with the same results
// (and refusals) as libprotobuf plus the conversion rules of DecodeRemoteWrite.
Status Convert(std::string_view proto, const RemoteWriteSeriesResolver* resolver,
               DecodedRemoteWrite* out) {
  int reasons = 0;
  auto reject = [&](std::string_view reason) {
    ++out->rejected_series;
    if (reasons++ < kMaxReasons) {
      if (!out->error_message.empty()) out->error_message += "; ";
      out->error_message += reason;
    }
  };
  std::unordered_map<std::string_view, MetricKind> families;
  RETURN_IF_ERROR(ReadFamilies(proto, &families));
  for (const auto& [family, kind] : families) {
    for (std::string_view suffix : {"", "_total", "_bucket", "_count", "_sum"}) {
      std::string name = std::string(family) + std::string(suffix);
      const MetricKind k = KindOf(name, families);
      if (k != MetricKind::kUnknown) out->name_kinds.emplace_back(std::move(name), k);
    }
  }
  // Metadata can change the kind of a known series, which only the labelled path applies.
  const bool resolve = resolver != nullptr && *resolver && families.empty();
  std::vector<LabelView> labels, exemplar_labels;
  std::vector<std::string_view> label_msgs, exemplars;
  std::vector<int64_t> times;
  std::vector<double> values;
  ProtoWireReader r(proto);
  while (!r.empty()) {
    uint32_t field = 0;
    WireType type = WireType::kVarint;
    if (!r.NextTag(&field, &type)) return Malformed("bad tag");
    if (field != kWriteTimeseries || type != WireType::kLen) {
      if (!r.Skip(type)) return Malformed("truncated field");
      continue;
    }
    std::string_view ts;
    if (!r.Bytes(&ts)) return Malformed("truncated timeseries");
    label_msgs.clear();
    exemplars.clear();
    times.clear();
    values.clear();
    MetricSeries s;
    bool histograms = false;
    // The label fields as one run of bytes (the cache key), when nothing else interrupts them.
    const char* key_begin = nullptr;
    const char* key_end = nullptr;
    bool contiguous = true;
    ProtoWireReader t(ts);
    while (!t.empty()) {
      const char* field_begin = t.position();
      uint32_t f = 0;
      WireType wt = WireType::kVarint;
      if (!t.NextTag(&f, &wt)) return Malformed("bad timeseries tag");
      if (wt != WireType::kLen || (f != kSeriesLabels && f != kSeriesSamples &&
                                   f != kSeriesExemplars && f != kSeriesHistograms)) {
        if (!t.Skip(wt)) return Malformed("truncated timeseries field");
        continue;
      }
      std::string_view msg;
      if (!t.Bytes(&msg)) return Malformed("truncated timeseries field");
      if (f == kSeriesLabels) {
        if (key_begin == nullptr) {
          key_begin = field_begin;
        } else if (key_end != field_begin) {
          contiguous = false;
        }
        key_end = t.position();
        label_msgs.push_back(msg);
      } else if (f == kSeriesSamples) {
        double v;
        int64_t time;
        if (!ReadPoint(msg, kSampleValue, kSampleTimestamp, &v, &time, nullptr)) {
          return Malformed("bad sample");
        }
        times.push_back(time);
        values.push_back(v);
      } else if (f == kSeriesExemplars) {
        exemplars.push_back(msg);
      } else {
        if (!IsWellFormed(msg)) return Malformed("bad histogram");
        histograms = true;
      }
    }
    DecodedRemoteWrite::KeySpan key;
    if (contiguous && key_begin != nullptr) {
      key.offset = static_cast<uint32_t>(key_begin - proto.data());
      key.size = static_cast<uint32_t>(key_end - key_begin);
    }
    const uint32_t ordinal = resolve && key.size > 0
                                 ? (*resolver)(proto.substr(key.offset, key.size))
                                 : kUnresolvedSeries;
    if (ordinal == kUnresolvedSeries) {
      // Known bytes were valid when first seen; new ones are checked as a full parse would.
      labels.clear();
      for (std::string_view msg : label_msgs) {
        LabelView l;
        if (!ReadLabel(msg, &l)) return Malformed("bad label");
        labels.push_back(l);
      }
    }
    // Exemplars are validated even when the series is rejected, as a full parse would.
    std::vector<MetricExemplar> kept;
    for (std::string_view msg : exemplars) {
      exemplar_labels.clear();
      MetricExemplar x;
      if (!ReadPoint(msg, kExemplarValue, kExemplarTimestamp, &x.value, &x.time_ms,
                     &exemplar_labels)) {
        return Malformed("bad exemplar");
      }
      auto trace = IdFromLabels<TraceId>(exemplar_labels, "trace_id", "traceID");
      auto span = IdFromLabels<SpanId>(exemplar_labels, "span_id", "spanID");
      if (!trace) continue;
      x.trace_id = *trace;
      if (span) x.span_id = *span;
      kept.push_back(x);
    }
    if (times.empty()) {
      if (histograms) reject("native histograms are not supported yet");
      continue;
    }
    if (ordinal == kUnresolvedSeries) {
      s.labels.reserve(labels.size());
      for (const auto& l : labels) s.labels.emplace_back(l.name, l.value);
      if (!IsNormalized(s.labels)) NormalizeLabels(s.labels);
      const std::string_view name = LabelValue(s.labels, kMetricNameLabel);
      if (name.empty()) {
        reject("series without __name__");
        continue;
      }
      s.kind = KindOf(name, families);
    }
    s.time_ms.assign(times.begin(), times.end());  // one allocation each
    s.values.assign(values.begin(), values.end());
    s.exemplars = std::move(kept);
    out->batch.series.push_back(std::move(s));
    if (resolve) {
      out->ordinals.push_back(ordinal);
      out->keys.push_back(key);
    }
  }
  return Status::Ok();
}

}  // namespace

Result<DecodedRemoteWrite> DecodeRemoteWriteProto(std::string_view proto, std::string_view tenant) {
  DecodedRemoteWrite out;
  out.batch.tenant = std::string(tenant);
  RETURN_IF_ERROR(Convert(proto, nullptr, &out));
  out.wal_payload = std::string(proto);
  return out;
}

Result<DecodedRemoteWrite> DecodeRemoteWrite(std::string_view snappy_body, std::string_view tenant,
                                             size_t max_bytes,
                                             const RemoteWriteSeriesResolver* resolver) {
  size_t length = 0;
  if (!snappy::GetUncompressedLength(snappy_body.data(), snappy_body.size(), &length)) {
    return Status::InvalidArgument("body is not snappy block-compressed (bad length header)");
  }
  if (length > max_bytes) {
    return Status::ResourceExhausted("body decompresses to {} bytes, over the limit of {}", length,
                                     max_bytes);
  }
  DecodedRemoteWrite out;
  out.batch.tenant = std::string(tenant);
  if (!snappy::Uncompress(snappy_body.data(), snappy_body.size(), &out.wal_payload)) {
    return Status::InvalidArgument("body is not valid snappy block-compressed data");
  }
  RETURN_IF_ERROR(Convert(out.wal_payload, resolver, &out));
  return out;
}

}  // namespace periscope
