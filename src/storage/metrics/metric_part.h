#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "model/metric_batch.h"

namespace periscope {

// Where one series' samples sit in a part, and their time range. Value type.
struct PartSeriesEntry {
  uint64_t series_id = 0;
  MetricKind kind = MetricKind::kUnknown;
  Labels labels;
  uint32_t chunk = 0;
  uint32_t offset = 0;  // in the decompressed chunk
  uint32_t length = 0;
  uint32_t samples = 0;
  int64_t min_time_ms = 0;
  int64_t max_time_ms = 0;
};

struct MetricPartMeta {
  std::string tenant;
  uint64_t covered_wal_seq = 0;  // every WAL record <= this is in parts
  int64_t min_time_ms = 0;
  int64_t max_time_ms = 0;
  uint64_t samples = 0;
};

// Writes a metric part: series blocks packed into zstd chunks of ~256 KiB, then a zstd footer
// with the series table (id, kind, labels, location, time range). `series` must be sorted and
// deduplicated (SortAndDedupSamples); entries with no samples are skipped. The file is written
// to path + ".tmp", fsynced and renamed. IOError on failure.
Status WriteMetricPart(const std::string& path, const MetricPartMeta& meta,
                       const std::vector<const MetricSeries*>& series);

// An immutable metric part on disk, with its series table in memory. Thread-safe.
class MetricPart {
 public:
  // Corruption when the footer or its checksum is bad; IOError when unreadable.
  static Result<std::shared_ptr<MetricPart>> Open(const std::string& path);
  ~MetricPart();

  const MetricPartMeta& meta() const { return meta_; }
  const std::vector<PartSeriesEntry>& series() const { return series_; }
  // Index into series() of a series id, or -1.
  int64_t Find(uint64_t series_id) const;
  const std::string& path() const { return path_; }
  uint64_t file_bytes() const { return file_bytes_; }

  // Decodes the given entries (indexes into series()), each chunk decompressed once, and calls
  // visit for each with its samples. Corruption on a damaged chunk.
  Status Read(std::span<const uint32_t> entries,
              const std::function<void(uint32_t entry, MetricSeries&& samples)>& visit) const;

 private:
  MetricPart() = default;
  struct Chunk {
    uint64_t offset;
    uint32_t compressed;
    uint32_t raw;
  };
  std::string path_;
  int fd_ = -1;
  uint64_t file_bytes_ = 0;
  MetricPartMeta meta_;
  std::vector<PartSeriesEntry> series_;
  std::vector<Chunk> chunks_;
  std::unordered_map<uint64_t, uint32_t> by_id_;
};

}  // namespace periscope
