#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <roaring/roaring.hh>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/metric_batch.h"
#include "storage/metrics/label_matcher.h"

namespace periscope {

// CRoaring 0.2 declares its C++ bitmap in the global namespace; newer releases in `roaring`.
using RoaringBitmap = ::Roaring;

// A known series: its id (hash of labels), labels and kind. Value type.
struct SeriesInfo {
  uint64_t id = 0;
  Labels labels;
  MetricKind kind = MetricKind::kUnknown;
};

// The series of one tenant, numbered densely (ordinals) in arrival order, with an inverted
// index label name -> value -> roaring bitmap of ordinals. Not thread-safe: the owner locks.
class SeriesIndex {
 public:
  // Ordinal of the series, adding it when new. A known series of unknown kind takes `kind`.
  uint32_t Add(uint64_t id, const Labels& labels, MetricKind kind);
  std::optional<uint32_t> Find(uint64_t id) const;
  const SeriesInfo& info(uint32_t ordinal) const { return series_[ordinal]; }
  size_t size() const { return series_.size(); }

  // Ordinals whose labels satisfy every matcher (all series when there is none).
  RoaringBitmap Select(const std::vector<LabelMatcher>& matchers) const;
  // Sorted label names / values of `name` among `among` (every series when null).
  std::vector<std::string> LabelNames(const RoaringBitmap* among) const;
  std::vector<std::string> LabelValues(const std::string& name, const RoaringBitmap* among) const;

 private:
  std::vector<SeriesInfo> series_;
  std::unordered_map<uint64_t, uint32_t> by_id_;
  std::map<std::string, std::map<std::string, RoaringBitmap>, std::less<>> postings_;
  RoaringBitmap all_;
};

}  // namespace periscope
