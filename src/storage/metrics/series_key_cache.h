#pragma once

#include <cstdint>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace periscope {

// Raw label bytes of a series as some wire format sent them (e.g. the label fields of a
// remote-write TimeSeries) -> the series' ordinal in its SeriesIndex, so that a series seen
// before is found without parsing, sorting or hashing its labels. Keys are compared byte for
// byte, so hash collisions only cost a probe. When the keys would exceed max_bytes the cache
// starts over empty. Thread-safe (its own lock; ordinals never go stale because a SeriesIndex
// never renumbers).
class SeriesKeyCache {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;
  using HashFn = uint64_t (*)(std::string_view key);

  explicit SeriesKeyCache(size_t max_bytes = 64u << 20, HashFn hash = nullptr);

  // Ordinal stored under exactly `key`, or kNone.
  uint32_t Find(std::string_view key) const;
  // Stores key -> ordinal (replacing an existing entry). An empty key is not stored.
  void Insert(std::string_view key, uint32_t ordinal);

  size_t size() const;
  size_t bytes() const;  // keys plus slots
  uint64_t resets() const;

 private:
  struct Slot {
    uint64_t hash = 0;
    uint32_t ordinal = kNone;  // kNone: empty slot
    uint32_t key_size = 0;
    uint64_t key_offset = 0;  // into keys_
  };

  uint64_t Hash(std::string_view key) const;
  // Slot holding key, or the empty slot where it would go.
  size_t Probe(uint64_t hash, std::string_view key) const;
  void Grow();

  const size_t max_bytes_;
  const HashFn hash_;
  mutable std::shared_mutex mu_;
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
  std::string keys_;  // every stored key, back to back
  uint64_t resets_ = 0;
};

}  // namespace periscope
