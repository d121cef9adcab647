#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/metric_batch.h"
#include "storage/metrics/label_matcher.h"
#include "storage/metrics/metric_memtable.h"
#include "storage/metrics/metric_part.h"
#include "storage/metrics/series_index.h"
#include "storage/metrics/series_key_cache.h"

namespace periscope {

struct MetricTableOptions {
  std::string dir;  // parts live in dir/<tenant>/part-*.msp
  int64_t retention_ms = 30LL * 86400 * 1000;
  size_t merge_fan_in = 8;  // merge a tenant's parts once it has this many small ones
  uint64_t max_merged_part_bytes = 512ull << 20;
};

// One selected series with its samples in [min, max] time, sorted and deduplicated. Value type.
struct SelectedSeries {
  uint64_t id = 0;
  MetricSeries series;  // labels and kind filled
};

// The metric table of every tenant: a series index per tenant, a queryable memtable of
// acknowledged samples and immutable parts on disk, with flush, merge and retention.
// Thread-safe.
class MetricTable {
 public:
  // Opens every part under options.dir and indexes its series. Leftover ".tmp" files are
  // deleted; a part that fails to open is renamed to "*.corrupt" with a warning.
  static Result<std::unique_ptr<MetricTable>> Open(const MetricTableOptions& options);

  // Highest WAL sequence number covered by the parts on disk.
  uint64_t flushed_wal_seq() const;

  // Adds an acknowledged batch (WAL record `seq`) to the memtable; queryable on return.
  void Insert(uint64_t seq, const MetricBatch& batch);
  // The same for a batch whose series were looked up in KeyCache(batch.tenant): series i goes
  // to ordinals[i] unless that is SeriesKeyCache::kNone, in which case its labels are indexed
  // and, when keys[i] is not empty, cached under keys[i]. Both spans are empty or one per series.
  void Insert(uint64_t seq, const MetricBatch& batch, std::span<const uint32_t> ordinals,
              std::span<const std::string_view> keys);
  // Remembers the kind of every series named `name` of `tenant` (from Prometheus metadata): known
  // series of unknown kind take it now, new series of unknown kind when they arrive.
  void SetNameKinds(const std::string& tenant,
                    const std::vector<std::pair<std::string, MetricKind>>& kinds);
  // The raw-label cache of a tenant's series; null for a tenant without series yet.
  std::shared_ptr<SeriesKeyCache> KeyCache(const std::string& tenant) const;

  // Moves the memtable aside (still queryable); returns the highest seq in it. Call with
  // ingest paused. WriteFrozen writes it as one part per tenant covering seqs <= covered_seq;
  // on error the frozen samples stay queryable and are retried by the next call.
  uint64_t Freeze();
  Status WriteFrozen(uint64_t covered_seq);

  // Merges the smallest parts of one tenant when it has at least merge_fan_in of them; true
  // when it merged something.
  Result<bool> MergeOnce();
  // Deletes parts whose newest sample is older than now - retention; returns parts removed.
  Result<size_t> ApplyRetention(int64_t now_ms);

  // Series of `tenant` matching every matcher, with their samples in [min_ms, max_ms]; series
  // without samples there are left out. Corruption/IOError when a part cannot be read.
  Result<std::vector<SelectedSeries>> Select(const std::string& tenant,
                                             const std::vector<LabelMatcher>& matchers,
                                             int64_t min_ms, int64_t max_ms) const;
  // Calls visit(ordinal, series) for every series of `tenant` matching every matcher that has
  // samples in [min_ms, max_ms] (sorted, deduplicated, newest write wins a tie), one series at
  // a time in label order; the visitor may move from `series`. `ordinal` numbers series in
  // index (arrival) order, the order Select returns. Corruption/IOError when a part cannot be
  // read (series visited before stay visited).
  using ScanVisitor = std::function<void(uint32_t ordinal, SelectedSeries& series)>;
  Status Scan(const std::string& tenant, const std::vector<LabelMatcher>& matchers, int64_t min_ms,
              int64_t max_ms, const ScanVisitor& visit) const;
  // Label sets of the matching series (no samples read; every series ever indexed).
  std::vector<SeriesInfo> Series(const std::string& tenant,
                                 const std::vector<LabelMatcher>& matchers) const;
  // Sorted label names, or values of one label, among the matching series.
  std::vector<std::string> LabelNames(const std::string& tenant,
                                      const std::vector<LabelMatcher>& matchers) const;
  std::vector<std::string> LabelValues(const std::string& tenant, const std::string& name,
                                       const std::vector<LabelMatcher>& matchers) const;

  size_t memtable_samples() const;
  size_t memtable_bytes() const;
  size_t series_count() const;
  size_t part_count() const;
  uint64_t part_bytes() const;
  uint64_t part_samples() const;

 private:
  struct Tenant {
    explicit Tenant(SampleBlockPool* pool) : active(pool), frozen(pool) {}
    SeriesIndex index;
    MetricMemtable active;  // by ordinal
    MetricMemtable frozen;
    std::vector<std::shared_ptr<MetricPart>> parts;
    std::shared_ptr<SeriesKeyCache> keys = std::make_shared<SeriesKeyCache>();
    std::map<std::string, MetricKind, std::less<>> name_kinds;  // see SetNameKinds
    // s.kind, else the kind remembered for its name.
    MetricKind KindOf(const MetricSeries& s) const;
  };

  explicit MetricTable(MetricTableOptions options) : options_(std::move(options)) {}
  Status LoadParts();
  std::string PartPath(const std::string& tenant, uint64_t id) const;
  void AddPartLocked(std::shared_ptr<MetricPart> part);
  const Tenant* FindTenant(const std::string& tenant) const;
  Tenant& TenantLocked(const std::string& tenant);  // created when new

  MetricTableOptions options_;
  SampleBlockPool pool_;  // before tenants_, whose memtables give blocks back
  mutable std::shared_mutex mu_;
  std::map<std::string, Tenant> tenants_;
  uint64_t active_max_seq_ = 0;
  uint64_t frozen_max_seq_ = 0;
  uint64_t next_part_id_ = 1;
  uint64_t flushed_wal_seq_ = 0;
  std::mutex write_mu_;  // one flush or merge at a time
};

}  // namespace periscope
