#include "storage/metrics/sample_arena.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <utility>

namespace periscope {

namespace {

// A kBlockBytes-aligned mapping of kBlockBytes (the slack of a double-size mapping unmapped).
std::byte* MapBlock() {
  constexpr size_t kSize = SampleBlockPool::kBlockBytes;
  void* p = ::mmap(nullptr, 2 * kSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  const auto start = reinterpret_cast<uintptr_t>(p);
  const uintptr_t aligned = (start + kSize - 1) & ~uintptr_t{kSize - 1};
  if (aligned > start) ::munmap(p, aligned - start);
  if (const uintptr_t end = start + 2 * kSize; end > aligned + kSize) {
    ::munmap(reinterpret_cast<void*>(aligned + kSize), end - (aligned + kSize));
  }
  auto* block = reinterpret_cast<std::byte*>(aligned);
  ::madvise(block, kSize, MADV_HUGEPAGE);  // advice only: 4 KiB pages when refused
  return block;
}

void UnmapBlock(std::byte* block) { ::munmap(block, SampleBlockPool::kBlockBytes); }

}  // namespace

SampleBlockPool::~SampleBlockPool() {
  for (std::byte* b : free_) UnmapBlock(b);
}

std::byte* SampleBlockPool::Take() {
  {
    std::lock_guard lock(mu_);
    if (!free_.empty()) {
      std::byte* block = free_.back();
      free_.pop_back();
      return block;
    }
  }
  return MapBlock();
}

void SampleBlockPool::Give(std::vector<std::byte*>& blocks) {
  std::lock_guard lock(mu_);
  for (std::byte* b : blocks) {
    if (free_.size() < max_free_) {
      free_.push_back(b);
    } else {
      UnmapBlock(b);
    }
  }
  blocks.clear();
}

size_t SampleBlockPool::free_blocks() const {
  std::lock_guard lock(mu_);
  return free_.size();
}

void* SampleArena::Allocate(size_t bytes) {
  bytes = (bytes + 7) & ~size_t{7};
  if (bytes > left_) {
    // Blocks grow with the arena (a small tenant holds little), up to the pooled size.
    size_t size =
        std::max(bytes, std::min(std::max(kFirstBlockBytes, bytes_), SampleBlockPool::kBlockBytes));
    std::byte* block = nullptr;
    if (size == SampleBlockPool::kBlockBytes) block = pool_->Take();
    if (block != nullptr) {
      blocks_.push_back(block);
    } else {
      size = std::max(bytes, std::min(size, SampleBlockPool::kBlockBytes / 2));
      other_.emplace_back(new std::byte[size]);
      block = other_.back().get();
    }
    next_ = block;
    left_ = size;
    bytes_ += size;
  }
  void* p = next_;
  next_ += bytes;
  left_ -= bytes;
  return p;
}

void SampleArena::Clear() {
  pool_->Give(blocks_);
  other_.clear();
  next_ = nullptr;
  left_ = 0;
  bytes_ = 0;
}

void SampleArena::Swap(SampleArena& other) {
  std::swap(pool_, other.pool_);
  blocks_.swap(other.blocks_);
  other_.swap(other.other_);
  std::swap(next_, other.next_);
  std::swap(left_, other.left_);
  std::swap(bytes_, other.bytes_);
}

}  // namespace periscope
