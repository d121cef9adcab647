#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/metric_batch.h"
#include "storage/metrics/series_id_map.h"

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

// One series to write into a part: its id (the SeriesIndex id, which is SeriesIdOf(labels)
// unless that collided) and its samples. Value type.
struct PartSeriesRef {
  uint64_t id = 0;
  const MetricSeries* series = nullptr;
};

// Writes a metric part: series blocks packed into zstd chunks of ~256 KiB, then a zstd footer
// with the series table (id, kind, labels, location, time range). `series` must be sorted and
// deduplicated (SortAndDedupSamples); entries with no samples are skipped. The file is written
// to path + ".tmp", fsynced and renamed. IOError on failure.
Status WriteMetricPart(const std::string& path, const MetricPartMeta& meta,
                       const std::vector<PartSeriesRef>& series);

// The decompressed chunk last read by one reader of a part, reused by the next read. Not
// thread-safe: one per reader.
struct PartChunkCursor {
  int64_t chunk = -1;
  std::string compressed;
  std::string raw;
};

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
  // Decodes one entry into `out` (its vectors reused), decompressing its chunk only when the
  // cursor does not hold it already: read entries in ascending order to decompress each chunk
  // once. Corruption on a damaged chunk.
  Status ReadEntry(uint32_t entry, PartChunkCursor& cursor, MetricSeries* out) const;

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
  SeriesIdMap by_id_;
};

}  // namespace periscope
