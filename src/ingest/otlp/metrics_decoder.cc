#include "ingest/otlp/metrics_decoder.h"

#include <fmt/format.h>
#include <google/protobuf/arena.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include "ingest/otlp/any_value_convert.h"
#include "ingest/otlp/otlp_json.h"
#include "model/metric_labels.h"

namespace periscope {

namespace {

namespace pb_collector = opentelemetry::proto::collector::metrics::v1;
namespace pb = opentelemetry::proto::metrics::v1;
using ExportRequest = pb_collector::ExportMetricsServiceRequest;
using KeyValues = google::protobuf::RepeatedPtrField<otlp_common::KeyValue>;

constexpr int kMaxReasons = 3;

int64_t ToMs(uint64_t ns) { return static_cast<int64_t>(ns / 1000000); }

std::string FormatFloat(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}

std::string ValueText(const otlp_common::AnyValue& v) {
  switch (v.value_case()) {
    case otlp_common::AnyValue::kStringValue:
      return v.string_value();
    case otlp_common::AnyValue::kIntValue:
      return std::to_string(v.int_value());
    case otlp_common::AnyValue::kDoubleValue:
      return FormatFloat(v.double_value());
    case otlp_common::AnyValue::kBoolValue:
      return v.bool_value() ? "true" : "false";
    default: {
      std::string out;
      AppendAnyValueJson(v, &out);
      return out;
    }
  }
}

std::string StringAttr(const KeyValues& attrs, std::string_view key) {
  for (const auto& kv : attrs) {
    if (kv.key() == key && kv.value().value_case() == otlp_common::AnyValue::kStringValue) {
      return kv.value().string_value();
    }
  }
  return {};
}

Labels ResourceLabels(const KeyValues& attrs) {
  Labels labels;
  std::string service = StringAttr(attrs, "service.name");
  labels.emplace_back("service", service.empty() ? "unknown_service" : service);
  std::string env = StringAttr(attrs, "deployment.environment.name");
  if (env.empty()) env = StringAttr(attrs, "deployment.environment");
  labels.emplace_back("env", env);
  labels.emplace_back("version", StringAttr(attrs, "service.version"));
  labels.emplace_back("host", StringAttr(attrs, "host.name"));
  return labels;
}

// Collects the series of one request, merging points of the same label set.
class BatchBuilder {
 public:
  explicit BatchBuilder(DecodedMetrics& out) : out_(out) {}

  void Reject(std::string reason) {
    ++out_.rejected_points;
    if (reasons_++ < kMaxReasons) {
      if (!out_.error_message.empty()) out_.error_message += "; ";
      out_.error_message += reason;
    }
  }

  // Series for base + point attributes + extra, with `name`.
  MetricSeries& Series(const Labels& base, const KeyValues& attrs, const std::string& name,
                       MetricKind kind, const Labels& extra = {}) {
    return SeriesOf(PointLabels(base, attrs, name, extra), kind);
  }

  // The normalized label set of a point: resource/scope labels, its attributes, `extra`, name.
  static Labels PointLabels(const Labels& base, const KeyValues& attrs, const std::string& name,
                            const Labels& extra) {
    Labels labels = base;
    labels.reserve(base.size() + static_cast<size_t>(attrs.size()) + extra.size() + 1);
    for (const auto& kv : attrs) {
      labels.emplace_back(SanitizeLabelName(kv.key()), ValueText(kv.value()));
    }
    for (const auto& l : extra) labels.push_back(l);
    labels.emplace_back(std::string(kMetricNameLabel), name);
    NormalizeLabels(labels);
    return labels;
  }

  // The series of an already normalized label set.
  MetricSeries& SeriesOf(Labels labels, MetricKind kind) {
    std::string key;
    for (const auto& [k, v] : labels) {
      key += k;
      key += '\0';
      key += v;
      key += '\0';
    }
    auto [it, inserted] = index_.emplace(std::move(key), out_.batch.series.size());
    if (inserted) {
      out_.batch.series.emplace_back();
      out_.batch.series.back().labels = std::move(labels);
      out_.batch.series.back().kind = kind;
    }
    return out_.batch.series[it->second];
  }

  // Series references move when the batch grows; indexes do not.
  size_t IndexOf(const MetricSeries& s) const {
    return static_cast<size_t>(&s - out_.batch.series.data());
  }
  MetricSeries& At(size_t i) { return out_.batch.series[i]; }

  static void Add(MetricSeries& s, int64_t t_ms, double v, int64_t start_ms) {
    if (start_ms > 0 && s.start_ms.size() != s.time_ms.size()) s.start_ms.resize(s.time_ms.size());
    s.time_ms.push_back(t_ms);
    s.values.push_back(v);
    if (start_ms > 0 || !s.start_ms.empty()) s.start_ms.push_back(start_ms);
  }

 private:
  DecodedMetrics& out_;
  std::unordered_map<std::string, size_t> index_;
  int reasons_ = 0;
};

std::optional<MetricExemplar> ExemplarOf(const pb::Exemplar& e) {
  auto trace = TraceId::FromBytes(e.trace_id());
  auto span = SpanId::FromBytes(e.span_id());
  if (!trace || !span) return std::nullopt;
  MetricExemplar x;
  x.time_ms = ToMs(e.time_unix_nano());
  x.value =
      e.value_case() == pb::Exemplar::kAsInt ? static_cast<double>(e.as_int()) : e.as_double();
  x.trace_id = *trace;
  x.span_id = *span;
  return x;
}

MetricKind SumKind(const pb::Sum& sum) {
  const bool delta = sum.aggregation_temporality() == pb::AGGREGATION_TEMPORALITY_DELTA;
  if (sum.is_monotonic()) return delta ? MetricKind::kDeltaCounter : MetricKind::kCounter;
  return delta ? MetricKind::kDeltaSum : MetricKind::kSum;
}

bool NoValue(uint32_t flags) { return flags & pb::DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK; }

template <typename Point>
bool CheckPoint(const Point& p, const std::string& name, BatchBuilder& b) {
  if (p.time_unix_nano() == 0) {
    b.Reject(fmt::format("metric {}: point has no timeUnixNano", name));
    return false;
  }
  return !NoValue(p.flags());
}

void AddNumberPoints(const google::protobuf::RepeatedPtrField<pb::NumberDataPoint>& points,
                     const Labels& base, const std::string& name, MetricKind kind,
                     BatchBuilder& b) {
  const bool cumulative = kind == MetricKind::kCounter || kind == MetricKind::kSum;
  for (const auto& p : points) {
    if (!CheckPoint(p, name, b)) continue;
    MetricSeries& s = b.Series(base, p.attributes(), name, kind);
    const double v = p.value_case() == pb::NumberDataPoint::kAsInt ? static_cast<double>(p.as_int())
                                                                   : p.as_double();
    BatchBuilder::Add(s, ToMs(p.time_unix_nano()), v,
                      cumulative ? ToMs(p.start_time_unix_nano()) : 0);
    for (const auto& e : p.exemplars()) {
      if (auto x = ExemplarOf(e)) s.exemplars.push_back(*x);
    }
  }
}

// Adds _count, _sum (and optional _min/_max) series of a histogram-like point.
template <typename Point>
void AddCountSum(const Point& p, const Labels& base, const std::string& name, MetricKind kind,
                 int64_t t, int64_t start, BatchBuilder& b) {
  BatchBuilder::Add(b.Series(base, p.attributes(), name + "_count", kind), t,
                    static_cast<double>(p.count()), start);
  if (p.has_sum()) {
    BatchBuilder::Add(b.Series(base, p.attributes(), name + "_sum", kind), t, p.sum(), start);
  }
  if (p.has_min()) {
    BatchBuilder::Add(b.Series(base, p.attributes(), name + "_min", MetricKind::kGauge), t, p.min(),
                      0);
  }
  if (p.has_max()) {
    BatchBuilder::Add(b.Series(base, p.attributes(), name + "_max", MetricKind::kGauge), t, p.max(),
                      0);
  }
}

void AddHistogram(const pb::Histogram& h, const Labels& base, const std::string& name,
                  BatchBuilder& b) {
  const bool delta = h.aggregation_temporality() == pb::AGGREGATION_TEMPORALITY_DELTA;
  const MetricKind kind = delta ? MetricKind::kDeltaCounter : MetricKind::kCounter;
  for (const auto& p : h.data_points()) {
    if (!CheckPoint(p, name, b)) continue;
    if (p.bucket_counts_size() != 0 && p.bucket_counts_size() != p.explicit_bounds_size() + 1) {
      b.Reject(fmt::format("metric {}: {} bucket counts for {} bounds", name,
                           p.bucket_counts_size(), p.explicit_bounds_size()));
      continue;
    }
    const int64_t t = ToMs(p.time_unix_nano());
    const int64_t start = delta ? 0 : ToMs(p.start_time_unix_nano());
    // The buckets' label sets differ only in `le`: build and sort them once (with a non-empty
    // placeholder, as empty labels are dropped).
    Labels labels =
        BatchBuilder::PointLabels(base, p.attributes(), name + "_bucket", {{"le", "+Inf"}});
    const auto le_label =
        std::find_if(labels.begin(), labels.end(), [](const Label& l) { return l.first == "le"; });
    const size_t le_index = static_cast<size_t>(le_label - labels.begin());
    uint64_t cumulative = 0;
    std::vector<size_t> buckets;
    for (int i = 0; i < p.bucket_counts_size(); ++i) {
      cumulative += p.bucket_counts(i);
      const double le = i < p.explicit_bounds_size() ? p.explicit_bounds(i) : INFINITY;
      labels[le_index].second = FormatFloat(le);
      MetricSeries& s = b.SeriesOf(labels, kind);
      BatchBuilder::Add(s, t, static_cast<double>(cumulative), start);
      buckets.push_back(b.IndexOf(s));
    }
    for (const auto& e : p.exemplars()) {
      auto x = ExemplarOf(e);
      if (!x) continue;
      size_t i = 0;
      while (i < static_cast<size_t>(p.explicit_bounds_size()) && x->value > p.explicit_bounds(i)) {
        ++i;
      }
      if (i < buckets.size()) {
        b.At(buckets[i]).exemplars.push_back(*x);
      } else {
        b.Series(base, p.attributes(), name + "_count", kind).exemplars.push_back(*x);
      }
    }
    AddCountSum(p, base, name, kind, t, start, b);
  }
}

void AddExponentialHistogram(const pb::ExponentialHistogram& h, const Labels& base,
                             const std::string& name, BatchBuilder& b) {
  const bool delta = h.aggregation_temporality() == pb::AGGREGATION_TEMPORALITY_DELTA;
  const MetricKind kind = delta ? MetricKind::kDeltaCounter : MetricKind::kCounter;
  const std::string bucket = name + "_bucket";
  for (const auto& p : h.data_points()) {
    if (!CheckPoint(p, name, b)) continue;
    if (p.scale() < -10 || p.scale() > 20) {
      b.Reject(
          fmt::format("metric {}: exponential histogram scale {} out of range", name, p.scale()));
      continue;
    }
    const int64_t t = ToMs(p.time_unix_nano());
    const int64_t start = delta ? 0 : ToMs(p.start_time_unix_nano());
    const double base_factor = std::exp2(std::exp2(-p.scale()));
    auto bound = [&](int64_t index) { return std::pow(base_factor, static_cast<double>(index)); };
    double cumulative = 0;
    auto emit = [&](double le) {
      BatchBuilder::Add(b.Series(base, p.attributes(), bucket, kind, {{"le", FormatFloat(le)}}), t,
                        cumulative, start);
    };
    const auto& neg = p.negative();
    for (int i = neg.bucket_counts_size() - 1; i >= 0; --i) {
      cumulative += static_cast<double>(neg.bucket_counts(i));
      emit(-bound(static_cast<int64_t>(neg.offset()) + i));
    }
    cumulative += static_cast<double>(p.zero_count());
    emit(p.zero_threshold());
    const auto& pos = p.positive();
    for (int i = 0; i < pos.bucket_counts_size(); ++i) {
      cumulative += static_cast<double>(pos.bucket_counts(i));
      emit(bound(static_cast<int64_t>(pos.offset()) + i + 1));
    }
    cumulative = static_cast<double>(p.count());
    emit(INFINITY);
    AddCountSum(p, base, name, kind, t, start, b);
    for (const auto& e : p.exemplars()) {
      if (auto x = ExemplarOf(e)) {
        b.Series(base, p.attributes(), name + "_count", kind).exemplars.push_back(*x);
      }
    }
  }
}

void AddSummary(const pb::Summary& sm, const Labels& base, const std::string& name,
                BatchBuilder& b) {
  for (const auto& p : sm.data_points()) {
    if (!CheckPoint(p, name, b)) continue;
    const int64_t t = ToMs(p.time_unix_nano());
    const int64_t start = ToMs(p.start_time_unix_nano());
    for (const auto& q : p.quantile_values()) {
      BatchBuilder::Add(b.Series(base, p.attributes(), name, MetricKind::kGauge,
                                 {{"quantile", FormatFloat(q.quantile())}}),
                        t, q.value(), 0);
    }
    BatchBuilder::Add(b.Series(base, p.attributes(), name + "_count", MetricKind::kCounter), t,
                      static_cast<double>(p.count()), start);
    BatchBuilder::Add(b.Series(base, p.attributes(), name + "_sum", MetricKind::kCounter), t,
                      p.sum(), start);
  }
}

DecodedMetrics Convert(const ExportRequest& req, std::string_view tenant) {
  DecodedMetrics out;
  out.batch.tenant = std::string(tenant);
  BatchBuilder b(out);
  for (const auto& rm : req.resource_metrics()) {
    const Labels base = ResourceLabels(rm.resource().attributes());
    for (const auto& sm : rm.scope_metrics()) {
      for (const auto& m : sm.metrics()) {
        if (m.name().empty()) {
          b.Reject("metric without a name");
          continue;
        }
        const std::string name = SanitizeMetricName(m.name());
        switch (m.data_case()) {
          case pb::Metric::kGauge:
            AddNumberPoints(m.gauge().data_points(), base, name, MetricKind::kGauge, b);
            break;
          case pb::Metric::kSum:
            AddNumberPoints(m.sum().data_points(), base, name, SumKind(m.sum()), b);
            break;
          case pb::Metric::kHistogram:
            AddHistogram(m.histogram(), base, name, b);
            break;
          case pb::Metric::kExponentialHistogram:
            AddExponentialHistogram(m.exponential_histogram(), base, name, b);
            break;
          case pb::Metric::kSummary:
            AddSummary(m.summary(), base, name, b);
            break;
          default:
            b.Reject(fmt::format("metric {} has no data", name));
            break;
        }
      }
    }
  }
  return out;
}

// OTLP/JSON carries ids as hex, protobuf JSON as base64: a 32-digit hex trace id parses as 24
// bytes of base64. Turns such ids back into their 16/8 bytes.
void FixHexIds(std::string* id, size_t want) {
  if (id->size() != want * 3 / 2) return;
  static constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string text;
  for (size_t i = 0; i + 2 < id->size(); i += 3) {
    const uint32_t n = static_cast<uint8_t>((*id)[i]) << 16 |
                       static_cast<uint8_t>((*id)[i + 1]) << 8 | static_cast<uint8_t>((*id)[i + 2]);
    for (int s = 18; s >= 0; s -= 6) text += kB64[(n >> s) & 63];
  }
  std::string bytes;
  for (size_t i = 0; i + 1 < text.size(); i += 2) {
    auto hex = [](char c) {
      return c >= '0' && c <= '9'   ? c - '0'
             : c >= 'a' && c <= 'f' ? c - 'a' + 10
             : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                    : -1;
    };
    const int hi = hex(text[i]), lo = hex(text[i + 1]);
    if (hi < 0 || lo < 0) return;
    bytes += static_cast<char>(hi << 4 | lo);
  }
  *id = std::move(bytes);
}

template <typename Points>
void FixExemplarIds(Points* points) {
  for (auto& p : *points) {
    for (auto& e : *p.mutable_exemplars()) {
      FixHexIds(e.mutable_trace_id(), 16);
      FixHexIds(e.mutable_span_id(), 8);
    }
  }
}

}  // namespace

Result<DecodedMetrics> DecodeMetricsProtobuf(std::string_view body, std::string_view tenant) {
  google::protobuf::Arena arena;
  auto* req = google::protobuf::Arena::CreateMessage<ExportRequest>(&arena);
  if (!req->ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return Status::InvalidArgument("body is not a valid ExportMetricsServiceRequest protobuf");
  }
  DecodedMetrics out = Convert(*req, tenant);
  out.wal_payload = std::string(body);
  return out;
}

Result<DecodedMetrics> DecodeMetricsJson(std::string_view body, std::string_view tenant) {
  ExportRequest req;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  auto st = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(body.data(), body.size()), &req, options);
  if (!st.ok()) {
    return Status::InvalidArgument("invalid OTLP/JSON metrics: {}", st.message().ToString());
  }
  for (auto& rm : *req.mutable_resource_metrics()) {
    for (auto& sm : *rm.mutable_scope_metrics()) {
      for (auto& m : *sm.mutable_metrics()) {
        if (m.has_gauge()) FixExemplarIds(m.mutable_gauge()->mutable_data_points());
        if (m.has_sum()) FixExemplarIds(m.mutable_sum()->mutable_data_points());
        if (m.has_histogram()) FixExemplarIds(m.mutable_histogram()->mutable_data_points());
        if (m.has_exponential_histogram()) {
          FixExemplarIds(m.mutable_exponential_histogram()->mutable_data_points());
        }
      }
    }
  }
  return DecodeMetricsMessage(req, tenant);
}

DecodedMetrics DecodeMetricsMessage(const ExportRequest& req, std::string_view tenant) {
  DecodedMetrics out = Convert(req, tenant);
  out.wal_payload = req.SerializeAsString();
  return out;
}

std::string EncodeMetricsResponse(int64_t rejected, std::string_view message, bool json) {
  pb_collector::ExportMetricsServiceResponse resp;
  if (rejected > 0 || !message.empty()) {
    resp.mutable_partial_success()->set_rejected_data_points(rejected);
    resp.mutable_partial_success()->set_error_message(std::string(message));
  }
  if (!json) return resp.SerializeAsString();
  if (!resp.has_partial_success()) return "{}";
  return fmt::format(R"({{"partialSuccess":{{"rejectedDataPoints":"{}","errorMessage":{}}}}})",
                     rejected, [&] {
                       std::string s;
                       AppendJsonString(message, &s);
                       return s;
                     }());
}

}  // namespace periscope
