#include "storage/metrics/series_index.h"

#include <xxhash.h>

#include <tuple>

#include "base/coding.h"
#include "base/metrics.h"

namespace periscope {

namespace {

Counter* const g_collisions = MetricsRegistry::Global().NewCounter(
    "periscope_metric_series_id_collisions_total",
    "Label sets whose series id (xxh3 of the labels) another label set already held.");

}  // namespace

uint64_t SeriesIndex::NaturalId(const Labels& labels) {
  // The encoding of SeriesIdOf (model/metric_labels.cc), into a reused buffer.
  scratch_.clear();
  for (const auto& [k, v] : labels) {
    PutLengthPrefixed(&scratch_, k);
    PutLengthPrefixed(&scratch_, v);
  }
  return XXH3_64bits(scratch_.data(), scratch_.size());
}

uint32_t SeriesIndex::Add(const Labels& labels, MetricKind kind) {
  return Insert(NaturalId(labels), labels, kind);
}

uint32_t SeriesIndex::Add(uint64_t id, const Labels& labels, MetricKind kind) {
  // A stored id off its label set's probe path (its collision partner was not loaded first)
  // can only be found through the postings from now on.
  if (id != NaturalId(labels)) off_path_ = true;
  return Insert(id, labels, kind);
}

std::optional<uint32_t> SeriesIndex::FindExact(const Labels& labels) const {
  RoaringBitmap candidates;
  bool first = true;
  for (const auto& [k, v] : labels) {
    auto name_it = postings_.find(k);
    if (name_it == postings_.end()) return std::nullopt;
    auto value_it = name_it->second.find(v);
    if (value_it == name_it->second.end()) return std::nullopt;
    if (first) {
      candidates = value_it->second;
      first = false;
    } else {
      candidates &= value_it->second;
    }
  }
  for (uint32_t ord : candidates) {
    if (series_[ord].labels == labels) return ord;
  }
  return std::nullopt;
}

uint32_t SeriesIndex::Insert(uint64_t id, const Labels& labels, MetricKind kind) {
  bool probed = false;
  for (uint32_t ord = by_id_.Find(id); ord != SeriesIdMap::kNone; ord = by_id_.Find(id)) {
    SeriesInfo& info = series_[ord];
    if (info.labels == labels) {
      if (info.kind == MetricKind::kUnknown) info.kind = kind;
      return ord;
    }
    probed = true;
    id += kSeriesIdProbe;
  }
  if (off_path_) {
    if (auto ord = FindExact(labels)) {
      SeriesInfo& info = series_[*ord];
      if (info.kind == MetricKind::kUnknown) info.kind = kind;
      return *ord;
    }
  }
  if (probed) {
    ++collisions_;
    g_collisions->Add();
  }
  const uint32_t ordinal = static_cast<uint32_t>(series_.size());
  by_id_.Insert(id, ordinal);
  series_.push_back({id, labels, kind});
  for (const auto& [k, v] : labels) postings_[k][v].add(ordinal);
  all_.add(ordinal);
  return ordinal;
}

void SeriesIndex::SetKindOfName(std::string_view name, MetricKind kind) {
  auto names = postings_.find("__name__");
  if (names == postings_.end()) return;
  auto series = names->second.find(std::string(name));
  if (series == names->second.end()) return;
  for (uint32_t ord : series->second) {
    if (series_[ord].kind == MetricKind::kUnknown) series_[ord].kind = kind;
  }
}

std::optional<uint32_t> SeriesIndex::Find(uint64_t id) const {
  const uint32_t ord = by_id_.Find(id);
  if (ord == SeriesIdMap::kNone) return std::nullopt;
  return ord;
}

RoaringBitmap SeriesIndex::Select(const std::vector<LabelMatcher>& matchers) const {
  RoaringBitmap result = all_;
  // Equality matchers first: they narrow the most for the least work.
  std::vector<const LabelMatcher*> ordered;
  for (const auto& m : matchers) {
    if (m.op() == MatchOp::kEqual) ordered.push_back(&m);
  }
  for (const auto& m : matchers) {
    if (m.op() != MatchOp::kEqual) ordered.push_back(&m);
  }
  for (const LabelMatcher* m : ordered) {
    if (result.isEmpty()) break;
    auto name_it = postings_.find(m->name());
    if (m->op() == MatchOp::kEqual && !m->value().empty()) {
      if (name_it == postings_.end()) return {};
      auto v = name_it->second.find(m->value());
      if (v == name_it->second.end()) return {};
      result &= v->second;
      continue;
    }
    RoaringBitmap matching, not_matching;
    if (name_it != postings_.end()) {
      for (const auto& [value, ords] : name_it->second) {
        (m->Matches(value) ? matching : not_matching) |= ords;
      }
    }
    if (m->Matches("")) {
      result -= not_matching;  // series without the label match too
    } else {
      result &= matching;
    }
  }
  return result;
}

std::vector<std::string> SeriesIndex::LabelNames(const RoaringBitmap* among) const {
  std::vector<std::string> out;
  for (const auto& [name, values] : postings_) {
    if (!among) {
      out.push_back(name);
      continue;
    }
    for (const auto& [value, ords] : values) {
      if (ords.intersect(*among)) {
        out.push_back(name);
        break;
      }
    }
  }
  return out;
}

std::vector<std::string> SeriesIndex::LabelValues(const std::string& name,
                                                  const RoaringBitmap* among) const {
  std::vector<std::string> out;
  auto it = postings_.find(name);
  if (it == postings_.end()) return out;
  for (const auto& [value, ords] : it->second) {
    if (!among || ords.intersect(*among)) out.push_back(value);
  }
  return out;
}

}  // namespace periscope
