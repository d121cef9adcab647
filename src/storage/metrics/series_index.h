#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <roaring/roaring.hh>
#include <string>
#include <vector>

#include "model/metric_batch.h"
#include "storage/metrics/label_matcher.h"
#include "storage/metrics/series_id_map.h"

namespace periscope {

// CRoaring 0.2 declares its C++ bitmap in the global namespace; newer releases in `roaring`.
using RoaringBitmap = ::Roaring;

// A known series: its id (hash of labels, see SeriesIndex), labels and kind. Value type.
struct SeriesInfo {
  uint64_t id = 0;
  Labels labels;
  MetricKind kind = MetricKind::kUnknown;
};

// The series of one tenant, numbered densely (ordinals) in arrival order, with an inverted
// index label name -> value -> roaring bitmap of ordinals. A series' id is SeriesIdOf(labels);
// when two label sets hash alike the later one takes the next free id of the probe sequence
// id + k * kSeriesIdProbe, so ids stay unique. Not thread-safe: the owner locks.
class SeriesIndex {
 public:
  static constexpr uint64_t kSeriesIdProbe = 0x9e3779b97f4a7c15ull;

  // Ordinal of the series with these (normalized) labels, adding it when new. A known series
  // of unknown kind takes `kind`. Computes the id without allocating.
  uint32_t Add(const Labels& labels, MetricKind kind);
  // Same, for a series whose id is already known (read from a part): the id is kept unless
  // another label set holds it, in which case the series is probed as above.
  uint32_t Add(uint64_t id, const Labels& labels, MetricKind kind);
  std::optional<uint32_t> Find(uint64_t id) const;
  // Series named `name` (label __name__) of unknown kind take `kind`.
  void SetKindOfName(std::string_view name, MetricKind kind);
  // Label sets seen with an id that another label set already held.
  uint64_t collisions() const { return collisions_; }
  // Stays at its address while the index lives (its labels and id never change; its kind may
  // once, under the owner's exclusive lock).
  const SeriesInfo& info(uint32_t ordinal) const { return series_[ordinal]; }
  size_t size() const { return series_.size(); }

  // Ordinals whose labels satisfy every matcher (all series when there is none).
  RoaringBitmap Select(const std::vector<LabelMatcher>& matchers) const;
  // Sorted label names / values of `name` among `among` (every series when null).
  std::vector<std::string> LabelNames(const RoaringBitmap* among) const;
  std::vector<std::string> LabelValues(const std::string& name, const RoaringBitmap* among) const;

 private:
  uint64_t NaturalId(const Labels& labels);
  uint32_t Insert(uint64_t id, const Labels& labels, MetricKind kind);
  std::optional<uint32_t> FindExact(const Labels& labels) const;

  std::string scratch_;  // the hashed encoding of a label set, reused
  uint64_t collisions_ = 0;
  bool off_path_ = false;          // some id was stored off its label set's probe path
  std::deque<SeriesInfo> series_;  // a deque: adding never moves the others
  SeriesIdMap by_id_;
  std::map<std::string, std::map<std::string, RoaringBitmap>, std::less<>> postings_;
  RoaringBitmap all_;
};

}  // namespace periscope
