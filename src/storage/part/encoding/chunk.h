#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace periscope::part {

// How a stored column chunk is compressed.
enum class ChunkCodec : uint8_t { kRaw = 0, kZstd = 1 };

// Largest decoded chunk a reader accepts; bounds allocations driven by file contents.
inline constexpr uint32_t kMaxChunkRawBytes = 256u << 20;

// Compresses `raw` with zstd at `level` unless that does not save at least 1/16 of the size
// (small or incompressible chunks stay raw). Sets *codec to the codec used.
std::string CompressChunk(std::string_view raw, int level, ChunkCodec* codec);

// Decodes a stored chunk into *out; Corruption when the codec is unknown, the data does not
// decompress, or the decoded size differs from raw_len.
Status DecompressChunk(std::string_view stored, ChunkCodec codec, uint32_t raw_len,
                       std::string* out);

}  // namespace periscope::part
