#include "storage/part/bloom_filter.h"

#include <xxhash.h>

namespace periscope::part {

namespace {
constexpr uint8_t kProbes = 7;
constexpr uint8_t kMaxProbes = 30;

uint64_t Hash(const TraceId& id) { return XXH3_64bits(id.bytes.data(), id.bytes.size()); }
}  // namespace

BloomFilterBuilder::BloomFilterBuilder(size_t expected_ids) {
  size_t bytes = (expected_ids * 10 + 7) / 8;
  if (bytes < 8) bytes = 8;
  data_.assign(1 + bytes, '\0');
  data_[0] = static_cast<char>(kProbes);
}

void BloomFilterBuilder::Add(const TraceId& id) {
  const uint64_t bits = (data_.size() - 1) * 8;
  const uint64_t h = Hash(id);
  uint64_t h1 = h & 0xffffffff, h2 = (h >> 32) | 1;
  for (uint8_t i = 0; i < kProbes; ++i) {
    uint64_t bit = (h1 + i * h2) % bits;
    data_[1 + bit / 8] =
        static_cast<char>(static_cast<uint8_t>(data_[1 + bit / 8]) | 1u << (bit % 8));
  }
}

bool BloomFilterView::Valid(std::string_view data) {
  return data.size() >= 2 && static_cast<uint8_t>(data[0]) >= 1 &&
         static_cast<uint8_t>(data[0]) <= kMaxProbes;
}

bool BloomFilterView::MayContain(const TraceId& id) const {
  if (!Valid(data_)) return true;
  const uint64_t bits = (data_.size() - 1) * 8;
  const uint64_t h = Hash(id);
  uint64_t h1 = h & 0xffffffff, h2 = (h >> 32) | 1;
  const uint8_t probes = static_cast<uint8_t>(data_[0]);
  for (uint8_t i = 0; i < probes; ++i) {
    uint64_t bit = (h1 + i * h2) % bits;
    if (!(static_cast<uint8_t>(data_[1 + bit / 8]) & (1u << (bit % 8)))) return false;
  }
  return true;
}

}  // namespace periscope::part
