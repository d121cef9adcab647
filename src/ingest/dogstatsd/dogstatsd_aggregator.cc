#include "ingest/dogstatsd/dogstatsd_aggregator.h"

#include <algorithm>
#include <cmath>

#include "model/metric_labels.h"

namespace periscope {

namespace {

bool IsHistogramLike(DogStatsdType t) {
  return t == DogStatsdType::kTimer || t == DogStatsdType::kHistogram ||
         t == DogStatsdType::kDistribution;
}

// Sorted labels from raw tags; repeated keys merged as "a,b" (sorted, distinct).
void TagsToLabels(const std::vector<std::string_view>& tags, Labels* out) {
  out->clear();
  for (std::string_view tag : tags) {
    const size_t colon = tag.find(':');
    std::string_view key = tag.substr(0, colon);
    if (key.empty() || key.substr(0, 2) == "__" || key.substr(0, 12) == "dd.internal.") continue;
    std::string value =
        colon == std::string_view::npos ? std::string("true") : std::string(tag.substr(colon + 1));
    if (value.empty()) continue;
    out->emplace_back(SanitizeLabelName(key), std::move(value));
  }
  std::sort(out->begin(), out->end());
  out->erase(std::unique(out->begin(), out->end()), out->end());
  Labels merged;
  merged.reserve(out->size());
  for (auto& l : *out) {
    if (!merged.empty() && merged.back().first == l.first) {
      merged.back().second += ',';
      merged.back().second += l.second;
    } else {
      merged.push_back(std::move(l));
    }
  }
  *out = std::move(merged);
}

void AppendSample(MetricBatch& batch, const Labels& base, std::string name, MetricKind kind,
                  int64_t time_ms, double value) {
  MetricSeries s;
  s.labels.reserve(base.size() + 1);
  s.labels = base;
  s.labels.emplace_back(std::string(kMetricNameLabel), std::move(name));
  NormalizeLabels(s.labels);
  s.kind = kind;
  s.time_ms.push_back(time_ms);
  s.values.push_back(value);
  batch.series.push_back(std::move(s));
}

// Nearest rank of quantile q in sorted values.
double Quantile(const std::vector<double>& sorted, double q) {
  const double rank = std::ceil(q * static_cast<double>(sorted.size()));
  const size_t i = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  return sorted[std::min(i, sorted.size() - 1)];
}

}  // namespace

DogStatsdAggregator::DogStatsdAggregator(DogStatsdAggregatorOptions options)
    : options_(std::move(options)) {}

uint64_t DogStatsdAggregator::NextRandom() {
  rng_ ^= rng_ << 13;
  rng_ ^= rng_ >> 7;
  rng_ ^= rng_ << 17;
  return rng_;
}

DogStatsdAggregator::Context& DogStatsdAggregator::ContextFor(const DogStatsdMetric& m) {
  TagsToLabels(m.tags, &labels_scratch_);
  key_scratch_.clear();
  key_scratch_ += static_cast<char>('0' + static_cast<int>(m.type));
  key_scratch_ += m.name;
  for (const auto& [k, v] : labels_scratch_) {
    key_scratch_ += '\0';
    key_scratch_ += k;
    key_scratch_ += '\0';
    key_scratch_ += v;
  }
  auto [it, inserted] = contexts_.try_emplace(key_scratch_);
  Context& c = it->second;
  if (inserted) {
    c.type = m.type;
    c.name = SanitizeMetricName(m.name);
    c.labels = labels_scratch_;
  }
  return c;
}

void DogStatsdAggregator::AddValue(Context& c, double v, double rate) {
  const double weight = 1.0 / rate;
  if (c.seen == 0) {
    c.min = c.max = v;
  } else {
    c.min = std::min(c.min, v);
    c.max = std::max(c.max, v);
  }
  c.count += weight;
  c.sum += v * weight;
  ++c.seen;
  if (c.values.size() < options_.max_values_per_context) {
    c.values.push_back(v);
  } else if (!c.values.empty()) {
    const uint64_t j = NextRandom() % c.seen;
    if (j < c.values.size()) c.values[j] = v;
  }
}

void DogStatsdAggregator::Add(const DogStatsdMetric& m) {
  Context& c = ContextFor(m);
  c.touched = true;
  switch (m.type) {
    case DogStatsdType::kCounter:
      for (double v : m.values) c.total += v / m.sample_rate;
      c.last_update_ms = -1;  // stamped with the flush time
      break;
    case DogStatsdType::kGauge:
      c.last = m.values.back();
      c.last_ts_ms = m.timestamp_s * 1000;
      break;
    case DogStatsdType::kSet:
      for (std::string_view member : m.members) c.members.emplace(member);
      break;
    default:
      for (double v : m.values) AddValue(c, v, m.sample_rate);
      break;
  }
}

MetricBatch DogStatsdAggregator::Flush(int64_t now_ms) {
  MetricBatch batch;
  batch.tenant = options_.tenant;
  for (auto it = contexts_.begin(); it != contexts_.end();) {
    Context& c = it->second;
    bool erase = true;
    if (c.type == DogStatsdType::kCounter) {
      if (c.last_update_ms < 0) c.last_update_ms = now_ms;
      if (now_ms - c.last_update_ms < options_.counter_expiry_ms) {
        AppendSample(batch, c.labels, c.name, MetricKind::kCounter, now_ms, c.total);
        erase = false;
      }
    } else if (!c.touched) {
      // Gauges, sets and histograms only report intervals they were written in.
    } else if (c.type == DogStatsdType::kGauge) {
      AppendSample(batch, c.labels, c.name, MetricKind::kGauge,
                   c.last_ts_ms > 0 ? c.last_ts_ms : now_ms, c.last);
    } else if (c.type == DogStatsdType::kSet) {
      AppendSample(batch, c.labels, c.name, MetricKind::kGauge, now_ms,
                   static_cast<double>(c.members.size()));
    } else if (IsHistogramLike(c.type) && c.seen > 0) {
      std::sort(c.values.begin(), c.values.end());
      const struct {
        const char* suffix;
        double value;
      } stats[] = {
          {"_count", c.count},
          {"_sum", c.sum},
          {"_min", c.min},
          {"_max", c.max},
          {"_avg", c.sum / c.count},
          {"_median", Quantile(c.values, 0.5)},
          {"_95percentile", Quantile(c.values, 0.95)},
          {"_99percentile", Quantile(c.values, 0.99)},
      };
      for (const auto& s : stats) {
        AppendSample(batch, c.labels, c.name + s.suffix, MetricKind::kGauge, now_ms, s.value);
      }
    }
    c.touched = false;
    it = erase ? contexts_.erase(it) : std::next(it);
  }
  return batch;
}

}  // namespace periscope
