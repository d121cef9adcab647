#pragma once

// On-disk layout of WAL segments and records; see docs/storage-format-wal.md.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "base/crc32c.h"
#include "base/status.h"

namespace periscope {

// Segment header: magic[8] | version u32 | reserved u32 (zero), little-endian.
inline constexpr char kWalMagic[8] = {'P', 'S', 'C', 'O', 'P', 'W', 'A', 'L'};
inline constexpr uint32_t kWalFormatVersion = 1;
inline constexpr size_t kWalSegmentHeaderSize = 16;

// Record header: crc u32 | len u32 | type u8 | seq u64, followed by len payload bytes.
// crc is CRC-32C over the payload followed by header bytes [4, 17) (len, type, seq).
inline constexpr size_t kWalRecordHeaderSize = 17;
inline constexpr size_t kWalCoveredHeaderOffset = 4;
inline constexpr uint32_t kWalMaxPayloadBytes = 64u << 20;

// Fields of one decoded record header. Value type.
struct WalRecordHeader {
  uint32_t crc = 0;
  uint32_t len = 0;
  uint8_t type = 0;
  uint64_t seq = 0;
};

inline void EncodeWalSegmentHeader(char* dst) {
  std::memcpy(dst, kWalMagic, sizeof(kWalMagic));
  uint32_t version = kWalFormatVersion;
  uint32_t reserved = 0;
  std::memcpy(dst + 8, &version, 4);
  std::memcpy(dst + 12, &reserved, 4);
}

// Returns Corruption for a wrong magic or non-zero reserved field, Unsupported for a version
// this build cannot read.
inline Status CheckWalSegmentHeader(const char* src) {
  if (std::memcmp(src, kWalMagic, sizeof(kWalMagic)) != 0) {
    return Status::Corruption("bad WAL segment magic");
  }
  uint32_t version;
  uint32_t reserved;
  std::memcpy(&version, src + 8, 4);
  std::memcpy(&reserved, src + 12, 4);
  if (version != kWalFormatVersion) {
    return Status::Unsupported("WAL segment format version {} (this build reads {})", version,
                               kWalFormatVersion);
  }
  if (reserved != 0) return Status::Corruption("non-zero reserved field in WAL segment header");
  return Status::Ok();
}

// Completes the CRC of a record whose payload CRC-32C is payload_crc; header holds len, type, seq.
inline uint32_t WalRecordCrc(uint32_t payload_crc, const char* header) {
  return Crc32c(header + kWalCoveredHeaderOffset, kWalRecordHeaderSize - kWalCoveredHeaderOffset,
                payload_crc);
}

// Writes the 17-byte header of a record with the given payload CRC-32C.
inline void EncodeWalRecordHeader(char* dst, uint32_t payload_crc, uint32_t len, uint8_t type,
                                  uint64_t seq) {
  std::memcpy(dst + 4, &len, 4);
  dst[8] = static_cast<char>(type);
  std::memcpy(dst + 9, &seq, 8);
  uint32_t crc = WalRecordCrc(payload_crc, dst);
  std::memcpy(dst, &crc, 4);
}

inline WalRecordHeader DecodeWalRecordHeader(const char* src) {
  WalRecordHeader h;
  std::memcpy(&h.crc, src, 4);
  std::memcpy(&h.len, src + 4, 4);
  h.type = static_cast<uint8_t>(src[8]);
  std::memcpy(&h.seq, src + 9, 8);
  return h;
}

}  // namespace periscope
