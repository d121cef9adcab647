#pragma once

#include <zstd.h>

namespace periscope::part {

// The calling thread's zstd contexts, created on first use and reused by every compression and
// decompression of that thread: ZSTD_compress and ZSTD_decompress allocate and initialise a
// context (hundreds of KiB of fresh memory) on every call. Parameters are reset before use.
ZSTD_CCtx* ThreadCompressContext();
ZSTD_DCtx* ThreadDecompressContext();

}  // namespace periscope::part
