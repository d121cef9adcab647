#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/span_batch.h"
#include "storage/part/span_part_format.h"

namespace periscope::part {

// A block ready to be written: its raw (uncompressed) column chunks, its trace-id bloom and
// the index fields known before writing (rows, times, trace-id range, resources).
struct EncodedBlock {
  BlockInfo info;
  std::string bloom;
  std::vector<std::string> chunks;
};

// Rows of one or more batches in write order, without copying them: row i is row refs[i].row
// of *batches[refs[i].batch]. part_resource[b] / part_scope[b] map batch b's resource and scope
// indexes to part dictionary ids. Read-only once filled; the batches must outlive it.
struct SortedRows {
  struct Ref {
    uint32_t batch;
    uint32_t row;
  };
  std::vector<const SpanBatch*> batches;
  std::vector<Ref> refs;
  std::vector<std::vector<uint32_t>> part_resource;
  std::vector<std::vector<uint32_t>> part_scope;

  size_t size() const { return refs.size(); }
  const SpanBatch& batch(size_t i) const { return *batches[refs[i].batch]; }
  size_t row(size_t i) const { return refs[i].row; }
  const TraceId& trace_id(size_t i) const { return batch(i).trace_id[row(i)]; }
  const SpanId& span_id(size_t i) const { return batch(i).span_id[row(i)]; }
  int64_t start_ns(size_t i) const { return batch(i).start_ns[row(i)]; }
  uint32_t resource(size_t i) const {
    return part_resource[refs[i].batch][batch(i).resource_index[row(i)]];
  }
  uint32_t scope(size_t i) const { return part_scope[refs[i].batch][batch(i).scope_index[row(i)]]; }
};

// Encodes rows [begin, end) of `rows`, which must be sorted so that each trace's rows are
// contiguous and ordered by start.
EncodedBlock EncodeSpanBlock(const SortedRows& rows, size_t begin, size_t end);

// Decodes the trace-id column of a block of `rows` rows.
Status DecodeBlockTraceIds(std::string_view chunk, size_t rows, std::vector<TraceId>* out);

// Which rows and columns DecodeSpanBlock materializes. The default is every row and column.
struct BlockSelection {
  size_t begin = 0;
  size_t end = SIZE_MAX;  // clamped to the block's rows
  // Only the summary columns: trace and span ids, parents, times, names, kinds, status codes,
  // resources and scopes (plus attributes with `attributes`); every other column holds empty
  // values. Their chunks need not be read: only kSummaryColumns and, with `attributes`,
  // kColAttrKeys and later.
  bool summary_only = false;
  bool attributes = false;
};

// True when DecodeSpanBlock with `sel` reads chunk `column`.
bool SelectionNeedsColumn(const BlockSelection& sel, size_t column);

// Decodes rows [sel.begin, sel.end) of a block from its decompressed chunks (indexed by
// BlockColumn; chunks the selection does not need may be empty) into *out, whose resources and
// scopes are the ones the block uses. Corruption on malformed input.
Status DecodeSpanBlock(const BlockInfo& info, const std::vector<Resource>& part_resources,
                       const std::vector<Scope>& part_scopes,
                       const std::vector<std::string>& chunks, SpanBatch* out,
                       const BlockSelection& sel = {});

// Finds the rows [*begin, *end) of trace `id` in a block's trace-id chunk; an empty range when
// the block does not hold it. Corruption on malformed input.
Status FindTraceRows(std::string_view chunk, size_t rows, const TraceId& id, size_t* begin,
                     size_t* end);

}  // namespace periscope::part
