#include "storage/metrics/series_index.h"

namespace periscope {

uint32_t SeriesIndex::Add(uint64_t id, const Labels& labels, MetricKind kind) {
  auto [it, inserted] = by_id_.emplace(id, static_cast<uint32_t>(series_.size()));
  if (!inserted) {
    SeriesInfo& info = series_[it->second];
    if (info.kind == MetricKind::kUnknown) info.kind = kind;
    return it->second;
  }
  const uint32_t ordinal = it->second;
  series_.push_back({id, labels, kind});
  for (const auto& [k, v] : labels) postings_[k][v].add(ordinal);
  all_.add(ordinal);
  return ordinal;
}

std::optional<uint32_t> SeriesIndex::Find(uint64_t id) const {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return std::nullopt;
  return it->second;
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
