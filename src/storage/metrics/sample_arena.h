#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

namespace periscope {

// Recycles the 2 MiB blocks of SampleArenas, so that a memtable refilled after a flush reuses
// memory the kernel has already mapped. Blocks are 2 MiB-aligned anonymous mappings advised as
// transparent huge pages (one page fault per block instead of 512 where the kernel allows it).
// Keeps at most max_free blocks. Thread-safe.
class SampleBlockPool {
 public:
  static constexpr size_t kBlockBytes = 2u << 20;

  explicit SampleBlockPool(size_t max_free = 32) : max_free_(max_free) {}
  ~SampleBlockPool();
  SampleBlockPool(const SampleBlockPool&) = delete;
  SampleBlockPool& operator=(const SampleBlockPool&) = delete;

  // A block of kBlockBytes, or null when the system is out of memory.
  std::byte* Take();
  void Give(std::vector<std::byte*>& blocks);  // empties `blocks`
  size_t free_blocks() const;

 private:
  const size_t max_free_;
  mutable std::mutex mu_;
  std::vector<std::byte*> free_;
};

// Bump allocator: 8-byte aligned pieces that live until Clear(), from blocks that double in size
// from 4 KiB up to SampleBlockPool's (taken from and given back to the pool). A request larger
// than a block gets a block of its own. Not thread-safe: the owner locks.
class SampleArena {
 public:
  explicit SampleArena(SampleBlockPool* pool) : pool_(pool) {}
  ~SampleArena() { Clear(); }
  SampleArena(const SampleArena&) = delete;
  SampleArena& operator=(const SampleArena&) = delete;

  void* Allocate(size_t bytes);
  // Frees every piece at once (pool-sized blocks go back to the pool).
  void Clear();
  void Swap(SampleArena& other);
  // Bytes of blocks held.
  size_t bytes() const { return bytes_; }

 private:
  static constexpr size_t kFirstBlockBytes = 4096;

  SampleBlockPool* pool_;
  std::vector<std::byte*> blocks_;                   // from the pool
  std::vector<std::unique_ptr<std::byte[]>> other_;  // smaller or larger than pool blocks
  std::byte* next_ = nullptr;
  size_t left_ = 0;
  size_t bytes_ = 0;
};

}  // namespace periscope
