#include "storage/metrics/series_key_cache.h"

#include <xxhash.h>

#include <mutex>

#include "base/metrics.h"

namespace periscope {

namespace {

Counter* const g_resets = MetricsRegistry::Global().NewCounter(
    "periscope_metric_series_key_cache_resets_total",
    "Times a tenant's raw-label -> series cache was emptied because it reached its size limit.");

uint64_t DefaultHash(std::string_view key) { return XXH3_64bits(key.data(), key.size()); }

}  // namespace

SeriesKeyCache::SeriesKeyCache(size_t max_bytes, HashFn hash)
    : max_bytes_(max_bytes), hash_(hash ? hash : &DefaultHash) {}

uint64_t SeriesKeyCache::Hash(std::string_view key) const { return hash_(key); }

size_t SeriesKeyCache::Probe(uint64_t hash, std::string_view key) const {
  for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
    const Slot& s = slots_[i];
    if (s.ordinal == kNone) return i;
    if (s.hash == hash && s.key_size == key.size() &&
        std::string_view(keys_).substr(s.key_offset, s.key_size) == key) {
      return i;
    }
  }
}

uint32_t SeriesKeyCache::Find(std::string_view key) const {
  const uint64_t hash = Hash(key);
  std::shared_lock lock(mu_);
  if (slots_.empty()) return kNone;
  return slots_[Probe(hash, key)].ordinal;
}

void SeriesKeyCache::Insert(std::string_view key, uint32_t ordinal) {
  if (key.empty() || ordinal == kNone) return;
  const uint64_t hash = Hash(key);
  std::unique_lock lock(mu_);
  if (!slots_.empty()) {
    Slot& s = slots_[Probe(hash, key)];
    if (s.ordinal != kNone) {
      s.ordinal = ordinal;
      return;
    }
  }
  if (keys_.size() + key.size() + (size_ + 1) * 2 * sizeof(Slot) > max_bytes_ && size_ > 0) {
    slots_.clear();
    mask_ = 0;
    size_ = 0;
    keys_.clear();
    ++resets_;
    g_resets->Add();
  }
  if ((size_ + 1) * 2 > slots_.size()) Grow();
  Slot& s = slots_[Probe(hash, key)];
  s = {hash, ordinal, static_cast<uint32_t>(key.size()), keys_.size()};
  keys_.append(key);
  ++size_;
}

void SeriesKeyCache::Grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{});
  mask_ = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.ordinal == kNone) continue;
    size_t i = s.hash & mask_;
    while (slots_[i].ordinal != kNone) i = (i + 1) & mask_;
    slots_[i] = s;
  }
}

size_t SeriesKeyCache::size() const {
  std::shared_lock lock(mu_);
  return size_;
}

size_t SeriesKeyCache::bytes() const {
  std::shared_lock lock(mu_);
  return keys_.capacity() + slots_.capacity() * sizeof(Slot);
}

uint64_t SeriesKeyCache::resets() const {
  std::shared_lock lock(mu_);
  return resets_;
}

}  // namespace periscope
