#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/span_batch.h"
#include "model/span_query.h"

namespace periscope {

// What a span part holds, kept in its footer and readable without touching the columns.
struct SpanPartMeta {
  uint64_t part_id = 0;
  std::string tenant = "default";
  uint32_t level = 0;  // 0 = flushed from the memtable; merges raise it
  uint64_t rows = 0;
  int64_t min_start_ns = 0;
  int64_t max_start_ns = 0;
  uint64_t max_wal_seq = 0;  // every WAL record with seq <= this is in this part or older ones
  std::vector<uint64_t> replaces;  // part ids this part was merged from (deleted on open if left)
};

// A distinct (service, span name, span kind) present in a part.
struct OperationKey {
  std::string service;
  std::string name;
  SpanKind kind = SpanKind::kUnspecified;
  auto operator<=>(const OperationKey&) const = default;
};

// Called for each matching row; `batch` is a decoded block that stays valid only during the
// call. Return false to stop the scan.
using SpanVisitor = std::function<bool(const SpanBatch& batch, size_t row)>;

// How SpanPart::Scan walks a part.
struct SpanScanOptions {
  // Visit blocks by descending newest start instead of file order.
  bool newest_first = false;
  // Visited batches hold only the columns a trace summary and SpanQuery need: trace and span
  // ids, parents, start and end, name, kind, status code, resources and scopes (attributes too
  // when the query filters on them); every other column holds empty values.
  bool summary_only = false;
  // Called before each block that may match with the block's newest start; returning false
  // ends the scan (with newest_first, every later block is older).
  std::function<bool(int64_t block_max_start_ns)> before_block;
};

// Writes `rows` as an immutable part file at `path`: rows sorted, columns encoded and
// compressed, footer with meta, operations, block index and trace-id blooms. Writes to
// path + ".tmp", fsyncs, renames, and fsyncs the directory. meta.rows, min/max start are filled
// from the rows. Fails on I/O errors (nothing is left at `path` then).
Status WriteSpanPart(const std::string& path, SpanBatch rows, const SpanPartMeta& meta);
// Same, from several batches of meta.tenant at once without copying them (empty ones are
// skipped); InvalidArgument when they hold no row or one is of another tenant.
Status WriteSpanPart(const std::string& path,
                     const std::vector<std::shared_ptr<const SpanBatch>>& batches,
                     const SpanPartMeta& meta);

// An open, immutable span part file. Thread-safe for concurrent scans.
class SpanPart {
 public:
  virtual ~SpanPart() = default;

  // Opens and validates the footer (magic, version, checksums); Corruption on any mismatch.
  static Result<std::shared_ptr<SpanPart>> Open(const std::string& path);

  virtual const SpanPartMeta& meta() const = 0;
  virtual const std::vector<OperationKey>& operations() const = 0;
  virtual const std::string& path() const = 0;
  virtual uint64_t file_bytes() const = 0;

  // False when the part certainly holds no span of this trace (bloom filter).
  virtual bool MayContainTrace(const TraceId& id) const = 0;

  // Visits every row matching `query` (blocks pruned by time, service and trace-id blooms).
  // Corruption when a block fails its checksum or does not decode.
  Status Scan(const SpanQuery& query, const SpanVisitor& visit) const {
    return Scan(query, SpanScanOptions(), visit);
  }
  // Same, walking the part as `options` say. A trace-id query decodes only that trace's rows.
  virtual Status Scan(const SpanQuery& query, const SpanScanOptions& options,
                      const SpanVisitor& visit) const = 0;
  // Decodes every block, in file order (rows sorted as WriteSpanPart orders them). Corruption
  // as Scan.
  virtual Result<std::vector<std::shared_ptr<const SpanBatch>>> ReadAllBlocks() const = 0;
};

}  // namespace periscope
