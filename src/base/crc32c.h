#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace periscope {

// CRC-32C (Castagnoli), the checksum of WAL records and part sections.
uint32_t Crc32c(const void* data, size_t n, uint32_t seed = 0);
inline uint32_t Crc32c(std::string_view s) { return Crc32c(s.data(), s.size()); }

}  // namespace periscope
