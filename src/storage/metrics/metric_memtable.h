#pragma once

#include <cstdint>
#include <vector>

#include "model/metric_batch.h"
#include "storage/metrics/sample_arena.h"

namespace periscope {

// The unflushed samples of one tenant's series, keyed by series ordinal: per series a list of
// chunks carved from one SampleArena (up to 64 samples each: a base time, int32 time deltas and
// double values, 12 bytes a sample; a time more than +-2^31 ms from its chunk's base starts a new
// chunk), so appending never copies samples; start times and exemplars sit on the side for the
// series that have them. Samples stay in arrival order (readers sort and deduplicate). Not
// thread-safe: the owner locks.
class MetricMemtable {
 public:
  static constexpr uint32_t kFirstChunkMin = 4;
  static constexpr uint32_t kMaxChunkSamples = 64;

  explicit MetricMemtable(SampleBlockPool* pool) : arena_(pool) {}
  MetricMemtable(const MetricMemtable&) = delete;
  MetricMemtable& operator=(const MetricMemtable&) = delete;

  // Appends the samples, start times and exemplars of `s` (labels and kind are not kept) to
  // series `ordinal`.
  void Append(uint32_t ordinal, const MetricSeries& s);
  // Appends every series of `other` (which is left unchanged).
  void AppendAll(const MetricMemtable& other);
  // Appends the samples of `ordinal` with time in [min_ms, max_ms] (and exemplars there) to
  // dst; dst.start_ms stays either empty or one per sample.
  void AppendTo(uint32_t ordinal, int64_t min_ms, int64_t max_ms, MetricSeries& dst) const;
  void AppendAllTo(uint32_t ordinal, MetricSeries& dst) const {
    AppendTo(ordinal, INT64_MIN, INT64_MAX, dst);
  }
  bool Has(uint32_t ordinal) const {
    return ordinal < heads_.size() && heads_[ordinal].first != nullptr;
  }

  // Ordinals with samples, in order of their first append.
  const std::vector<uint32_t>& ordinals() const { return ordinals_; }
  bool empty() const { return ordinals_.empty(); }
  size_t samples() const { return samples_; }
  // Bytes held: arena blocks, per-ordinal heads and side vectors.
  size_t bytes() const;

  // Drops every sample; keeps the per-ordinal table's memory for the next fill.
  void Clear();
  void Swap(MetricMemtable& other);

 private:
  struct Chunk {
    Chunk* next;
    int64_t base;  // time of the first sample; times are base + delta (mod 2^64)
    uint32_t size;
    uint32_t capacity;  // a power of two >= 4, so values stay 8-byte aligned
    int32_t* deltas() { return reinterpret_cast<int32_t*>(this + 1); }
    double* values() { return reinterpret_cast<double*>(deltas() + capacity); }
    const int32_t* deltas() const { return reinterpret_cast<const int32_t*>(this + 1); }
    const double* values() const { return reinterpret_cast<const double*>(deltas() + capacity); }
    int64_t time(uint32_t i) const {
      return static_cast<int64_t>(static_cast<uint64_t>(base) +
                                  static_cast<uint64_t>(int64_t{deltas()[i]}));
    }
  };
  static constexpr uint32_t kNoExtra = UINT32_MAX;
  struct Head {
    Chunk* first = nullptr;
    Chunk* last = nullptr;
    uint32_t count = 0;
    uint32_t extra = kNoExtra;  // index into extras_
  };
  struct Extra {
    std::vector<int64_t> start_ms;  // empty, or one per sample
    std::vector<MetricExemplar> exemplars;
  };

  static size_t ExtraBytes(const Extra& x);
  Chunk* NewChunk(Head& head, size_t needed, int64_t base);
  void AppendSamples(Head& head, const int64_t* t, const double* v, size_t n);

  SampleArena arena_;
  std::vector<Head> heads_;  // by ordinal
  std::vector<uint32_t> ordinals_;
  std::vector<Extra> extras_;
  size_t samples_ = 0;
  size_t extra_bytes_ = 0;  // capacity of the vectors in extras_
};

}  // namespace periscope
