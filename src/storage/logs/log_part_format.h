#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/resource.h"
#include "storage/logs/log_part.h"
#include "storage/part/encoding/chunk.h"

// Constants and footer structures of the log part file; see docs/storage-format.md.
namespace periscope::logs {

inline constexpr char kLogPartMagic[8] = {'P', 'S', 'C', 'L', 'O', 'G', 'P', '1'};
// Version 2 puts every token in the block blooms; version 1 left all-digit tokens out.
inline constexpr uint32_t kLogFormatVersion = 2;
inline constexpr uint32_t kLogOldestFormatVersion = 1;
inline constexpr size_t kLogHeaderSize = 12;   // magic, fixed32 version
inline constexpr size_t kLogTrailerSize = 16;  // fixed32 footer length, footer CRC; magic
inline constexpr size_t kMaxRowsPerLogBlock = 32768;
inline constexpr size_t kMaxLogBlockBodyBytes = 8u << 20;
inline constexpr int kLogZstdLevel = 3;

// Position of each column chunk inside a block.
enum LogColumn : uint32_t {
  kLogColTimes = 0,
  kLogColObserved,
  kLogColSeverityNumbers,
  kLogColSeverityTexts,
  kLogColBodyTypes,
  kLogColBodyTemplates,
  kLogColBodyInts,
  kLogColBodyStrings,
  kLogColBodyOther,
  kLogColTraceIds,
  kLogColSpanIds,
  kLogColFlags,
  kLogColEventNames,
  kLogColAttributes,
  kLogColDropped,
  kLogColResources,
  kLogColScopes,
  kLogColumnCount,
};

// Where a chunk lies in the file and how to check and decode it.
struct LogChunkInfo {
  uint64_t offset = 0;
  uint32_t stored_len = 0;
  uint32_t raw_len = 0;
  part::ChunkCodec codec = part::ChunkCodec::kRaw;
  uint32_t crc = 0;  // CRC32C of the stored bytes
};

struct LogBlockEntry {
  LogBlockInfo info;
  LogChunkInfo bloom;  // raw token bloom
  std::vector<LogChunkInfo> chunks;
};

struct LogPartFooter {
  LogPartMeta meta;
  std::vector<Resource> resources;
  std::vector<Scope> scopes;
  std::vector<LogBlockEntry> blocks;
};

void EncodeLogFooter(const LogPartFooter& footer, std::string* out);
// Corruption when malformed or when a chunk lies outside [kLogHeaderSize, data_end).
Status DecodeLogFooter(std::string_view data, uint64_t data_end, LogPartFooter* out);

}  // namespace periscope::logs
