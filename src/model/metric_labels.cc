#include "model/metric_labels.h"

#include <xxhash.h>

#include <algorithm>

#include "base/coding.h"

namespace periscope {

std::string_view MetricKindName(MetricKind kind) {
  switch (kind) {
    case MetricKind::kGauge:
      return "gauge";
    case MetricKind::kCounter:
      return "counter";
    case MetricKind::kSum:
      return "sum";
    case MetricKind::kDeltaCounter:
      return "delta_counter";
    case MetricKind::kDeltaSum:
      return "delta_sum";
    case MetricKind::kUnknown:
      break;
  }
  return "unknown";
}

size_t MetricBatch::sample_count() const {
  size_t n = 0;
  for (const auto& s : series) n += s.values.size();
  return n;
}

size_t MetricBatch::ApproximateBytes() const {
  size_t n = 0;
  for (const auto& s : series) {
    n += sizeof(MetricSeries) + s.values.size() * 16 + s.start_ms.size() * 8 +
         s.exemplars.size() * sizeof(MetricExemplar);
    for (const auto& [k, v] : s.labels) n += k.size() + v.size() + 2 * sizeof(std::string);
  }
  return n;
}

void NormalizeLabels(Labels& labels) {
  std::stable_sort(labels.begin(), labels.end(),
                   [](const Label& a, const Label& b) { return a.first < b.first; });
  Labels out;
  out.reserve(labels.size());
  for (auto& label : labels) {
    if (!out.empty() && out.back().first == label.first) {
      out.back().second = std::move(label.second);
    } else {
      out.push_back(std::move(label));
    }
  }
  std::erase_if(out, [](const Label& l) { return l.second.empty(); });
  labels = std::move(out);
}

uint64_t SeriesIdOf(const Labels& labels) {
  std::string key;
  for (const auto& [k, v] : labels) {
    PutLengthPrefixed(&key, k);
    PutLengthPrefixed(&key, v);
  }
  return XXH3_64bits(key.data(), key.size());
}

std::string_view LabelValue(const Labels& labels, std::string_view name) {
  for (const auto& [k, v] : labels) {
    if (k == name) return v;
  }
  return {};
}

std::string LabelsToString(const Labels& labels) {
  std::string out(LabelValue(labels, kMetricNameLabel));
  out += '{';
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (k == kMetricNameLabel) continue;
    if (!first) out += ", ";
    first = false;
    out += k;
    out += "=\"";
    for (char c : v) {
      if (c == '"' || c == '\\') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

namespace {

std::string Sanitize(std::string_view name, bool allow_colon) {
  std::string out(name);
  for (auto& c : out) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || (allow_colon && c == ':');
    if (!ok) c = '_';
  }
  if (!out.empty() && out[0] >= '0' && out[0] <= '9') out.insert(out.begin(), '_');
  return out;
}

}  // namespace

std::string SanitizeMetricName(std::string_view name) { return Sanitize(name, true); }
std::string SanitizeLabelName(std::string_view name) { return Sanitize(name, false); }

}  // namespace periscope
