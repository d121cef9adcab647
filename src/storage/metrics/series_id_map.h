#pragma once

#include <cstdint>
#include <vector>

namespace periscope {

// Series id -> ordinal, an open-addressing table with linear probing (ids are already hashes,
// so their low bits pick the slot). Kept at most half full. Not thread-safe: the owner locks.
class SeriesIdMap {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // Ordinal stored for id, or kNone.
  uint32_t Find(uint64_t id) const {
    if (slots_.empty()) return kNone;
    for (size_t i = id & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.ordinal == kNone) return kNone;
      if (s.id == id) return s.ordinal;
    }
  }

  // Stores id -> ordinal; id must not be present.
  void Insert(uint64_t id, uint32_t ordinal) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    Place(id, ordinal);
    ++size_;
  }

  size_t size() const { return size_; }

 private:
  struct Slot {
    uint64_t id = 0;
    uint32_t ordinal = kNone;
  };

  void Place(uint64_t id, uint32_t ordinal) {
    size_t i = id & mask_;
    while (slots_[i].ordinal != kNone) i = (i + 1) & mask_;
    slots_[i] = {id, ordinal};
  }

  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{});
    mask_ = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.ordinal != kNone) Place(s.id, s.ordinal);
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace periscope
