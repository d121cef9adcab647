#include "storage/part/encoding/chunk.h"

#include <zstd.h>

#include "storage/part/encoding/zstd_context.h"

namespace periscope::part {

std::string CompressChunk(std::string_view raw, int level, ChunkCodec* codec) {
  if (raw.size() >= 64) {
    std::string out(ZSTD_compressBound(raw.size()), '\0');
    size_t n = ZSTD_compressCCtx(ThreadCompressContext(), out.data(), out.size(), raw.data(),
                                 raw.size(), level);
    if (!ZSTD_isError(n) && n < raw.size() - raw.size() / 16) {
      out.resize(n);
      *codec = ChunkCodec::kZstd;
      return out;
    }
  }
  *codec = ChunkCodec::kRaw;
  return std::string(raw);
}

Status DecompressChunk(std::string_view stored, ChunkCodec codec, uint32_t raw_len,
                       std::string* out) {
  if (raw_len > kMaxChunkRawBytes) return Status::Corruption("chunk too large: {}", raw_len);
  switch (codec) {
    case ChunkCodec::kRaw:
      if (stored.size() != raw_len) return Status::Corruption("raw chunk size mismatch");
      out->assign(stored);
      return Status::Ok();
    case ChunkCodec::kZstd: {
      unsigned long long size = ZSTD_getFrameContentSize(stored.data(), stored.size());
      if (size != raw_len) return Status::Corruption("zstd chunk size mismatch");
      out->resize(raw_len);
      size_t n = ZSTD_decompressDCtx(ThreadDecompressContext(), out->data(), out->size(),
                                     stored.data(), stored.size());
      if (ZSTD_isError(n) || n != raw_len) {
        return Status::Corruption("zstd chunk does not decode");
      }
      return Status::Ok();
    }
  }
  return Status::Corruption("unknown chunk codec {}", static_cast<int>(codec));
}

}  // namespace periscope::part
