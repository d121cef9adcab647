#pragma once

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

// Encodes rows [begin, end) of `batch`, which must be sorted so that each trace's rows are
// contiguous and ordered by start. part_resource / part_scope map the batch's resource and
// scope indexes to part dictionary ids.
EncodedBlock EncodeSpanBlock(const SpanBatch& batch, size_t begin, size_t end,
                             const std::vector<uint32_t>& part_resource,
                             const std::vector<uint32_t>& part_scope);

// Decodes the trace-id column of a block of `rows` rows.
Status DecodeBlockTraceIds(std::string_view chunk, size_t rows, std::vector<TraceId>* out);

// Decodes a whole block from its decompressed chunks (indexed by BlockColumn) into *out, whose
// resources and scopes are the ones the block uses. Corruption on malformed input.
Status DecodeSpanBlock(const BlockInfo& info, const std::vector<Resource>& part_resources,
                       const std::vector<Scope>& part_scopes,
                       const std::vector<std::string>& chunks, SpanBatch* out);

}  // namespace periscope::part
