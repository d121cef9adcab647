#include "storage/logs/token_bloom.h"

#include <algorithm>

namespace periscope::logs {

namespace {
constexpr uint8_t kProbes = 7;
constexpr uint8_t kMaxProbes = 30;
constexpr size_t kBitsPerToken = 10;

inline void Probe(uint64_t h, uint64_t bits, uint8_t i, uint64_t* bit) {
  const uint64_t h1 = h & 0xffffffff, h2 = (h >> 32) | 1;
  *bit = (h1 + i * h2) % bits;
}
}  // namespace

std::string TokenBloomBuilder::Build(std::vector<uint64_t> hashes) {
  std::sort(hashes.begin(), hashes.end());
  hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
  const size_t bytes = std::max<size_t>(8, (hashes.size() * kBitsPerToken + 7) / 8);
  std::string data(1 + bytes, '\0');
  data[0] = static_cast<char>(kProbes);
  const uint64_t bits = bytes * 8;
  for (uint64_t h : hashes) {
    for (uint8_t i = 0; i < kProbes; ++i) {
      uint64_t bit;
      Probe(h, bits, i, &bit);
      data[1 + bit / 8] =
          static_cast<char>(static_cast<uint8_t>(data[1 + bit / 8]) | 1u << (bit % 8));
    }
  }
  return data;
}

bool TokenBloomView::Valid(std::string_view data) {
  return data.size() >= 2 && static_cast<uint8_t>(data[0]) >= 1 &&
         static_cast<uint8_t>(data[0]) <= kMaxProbes;
}

bool TokenBloomView::MayContain(uint64_t hash) const {
  if (!Valid(data_)) return true;
  const uint64_t bits = (data_.size() - 1) * 8;
  const uint8_t probes = static_cast<uint8_t>(data_[0]);
  for (uint8_t i = 0; i < probes; ++i) {
    uint64_t bit;
    Probe(hash, bits, i, &bit);
    if (!(static_cast<uint8_t>(data_[1 + bit / 8]) & (1u << (bit % 8)))) return false;
  }
  return true;
}

}  // namespace periscope::logs
