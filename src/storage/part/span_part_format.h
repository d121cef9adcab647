#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/resource.h"
#include "storage/part/encoding/chunk.h"
#include "storage/part/span_part.h"

// Constants and footer structures of the span part file; see docs/storage-format.md.
namespace periscope::part {

inline constexpr char kPartMagic[8] = {'P', 'S', 'C', 'S', 'P', 'A', 'N', '1'};
inline constexpr uint32_t kFormatVersion = 1;
inline constexpr size_t kHeaderSize = 12;   // magic, fixed32 version
inline constexpr size_t kTrailerSize = 20;  // fixed32 footer length, footer CRC, version; magic
inline constexpr uint32_t kMaxFooterBytes = 1u << 30;

inline constexpr size_t kTargetRowsPerBlock = 4096;
inline constexpr size_t kMaxRowsPerBlock = 16384;
inline constexpr int64_t kTimeBucketNs = 1'000'000'000;
inline constexpr int kZstdLevel = 3;
inline constexpr size_t kMaxDedicatedColumns = 16;

// Position of each column chunk inside a block; dedicated attribute columns follow the last.
enum BlockColumn : uint32_t {
  kColTraceIds = 0,
  kColSpanIds,
  kColParents,
  kColStarts,
  kColDurations,
  kColNames,
  kColKinds,
  kColStatusCodes,
  kColStatusMessages,
  kColResources,
  kColScopes,
  kColTraceStates,
  kColFlags,
  kColDropped,
  kColEvents,
  kColLinks,
  kColAttrKeys,
  kColAttrShared,
  kColFirstDedicated,
};

// Where a column chunk lies in the file and how to check and decode it.
struct ChunkInfo {
  uint64_t offset = 0;  // absolute file offset
  uint32_t stored_len = 0;
  uint32_t raw_len = 0;
  ChunkCodec codec = ChunkCodec::kRaw;
  uint32_t crc = 0;  // CRC32C of the stored bytes
};

// One block's entry in the footer's block index.
struct BlockInfo {
  uint32_t rows = 0;
  int64_t min_start_ns = 0;
  int64_t max_start_ns = 0;
  TraceId min_trace_id;
  TraceId max_trace_id;
  std::vector<uint32_t> resources;  // part resource ids; the block's row codes index this
  ChunkInfo bloom;                  // trace-id bloom of the block (raw)
  std::vector<ChunkInfo> chunks;
};

// Everything the footer holds.
struct PartFooter {
  SpanPartMeta meta;
  std::vector<Resource> resources;
  std::vector<Scope> scopes;
  std::vector<OperationKey> operations;
  std::vector<BlockInfo> blocks;
  ChunkInfo bloom;  // part-level trace-id bloom (raw)
};

void EncodeFooter(const PartFooter& footer, std::string* out);
// Parses a footer; Corruption when malformed or when any chunk lies outside
// [kHeaderSize, data_end).
Status DecodeFooter(std::string_view data, uint64_t data_end, PartFooter* out);

}  // namespace periscope::part
