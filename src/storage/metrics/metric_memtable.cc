#include "storage/metrics/metric_memtable.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <utility>

namespace periscope {

MetricMemtable::Chunk* MetricMemtable::NewChunk(Head& head, size_t needed, int64_t base) {
  uint32_t capacity;
  if (head.last == nullptr) {
    const size_t want = std::clamp<size_t>(needed, kFirstChunkMin, kMaxChunkSamples);
    capacity = static_cast<uint32_t>(std::bit_ceil(want));
  } else {
    capacity = std::min(head.last->capacity * 2, kMaxChunkSamples);
  }
  void* mem =
      arena_.Allocate(sizeof(Chunk) + size_t{capacity} * (sizeof(int32_t) + sizeof(double)));
  Chunk* c = new (mem) Chunk{nullptr, base, 0, capacity};
  if (head.last == nullptr) {
    head.first = c;
  } else {
    head.last->next = c;
  }
  head.last = c;
  return c;
}

void MetricMemtable::AppendSamples(Head& head, const int64_t* t, const double* v, size_t n) {
  size_t i = 0;
  while (i < n) {
    Chunk* c = head.last;
    if (c == nullptr || c->size == c->capacity) c = NewChunk(head, n - i, t[i]);
    const size_t room = std::min<size_t>(c->capacity - c->size, n - i);
    int32_t* d = c->deltas() + c->size;
    size_t k = 0;
    for (; k < room; ++k) {
      const auto delta =
          static_cast<int64_t>(static_cast<uint64_t>(t[i + k]) - static_cast<uint64_t>(c->base));
      if (delta < INT32_MIN || delta > INT32_MAX) break;
      d[k] = static_cast<int32_t>(delta);
    }
    if (k == 0) {
      NewChunk(head, n - i, t[i]);  // too far from this chunk's base
      continue;
    }
    std::memcpy(c->values() + c->size, v + i, k * sizeof(double));
    c->size += static_cast<uint32_t>(k);
    i += k;
  }
  head.count += static_cast<uint32_t>(n);
  samples_ += n;
}

void MetricMemtable::Append(uint32_t ordinal, const MetricSeries& s) {
  if (ordinal >= heads_.size()) {
    heads_.resize(std::max<size_t>(size_t{ordinal} + 1, heads_.size() + heads_.size() / 2));
  }
  Head& head = heads_[ordinal];
  const size_t n = std::min(s.time_ms.size(), s.values.size());
  if (n == 0 && s.exemplars.empty()) return;
  if (head.first == nullptr && head.extra == kNoExtra) ordinals_.push_back(ordinal);
  const size_t before = head.count;
  if (head.extra == kNoExtra && (!s.start_ms.empty() || !s.exemplars.empty())) {
    head.extra = static_cast<uint32_t>(extras_.size());
    extras_.emplace_back();
  }
  if (n > 0) AppendSamples(head, s.time_ms.data(), s.values.data(), n);
  if (head.extra == kNoExtra) return;
  Extra& x = extras_[head.extra];
  extra_bytes_ -= ExtraBytes(x);
  if (!s.start_ms.empty()) {
    x.start_ms.resize(before, 0);
    x.start_ms.insert(x.start_ms.end(), s.start_ms.begin(),
                      s.start_ms.begin() + static_cast<ptrdiff_t>(std::min(n, s.start_ms.size())));
    x.start_ms.resize(before + n, 0);
  } else if (!x.start_ms.empty()) {
    x.start_ms.resize(before + n, 0);
  }
  x.exemplars.insert(x.exemplars.end(), s.exemplars.begin(), s.exemplars.end());
  extra_bytes_ += ExtraBytes(x);
}

void MetricMemtable::AppendAll(const MetricMemtable& other) {
  MetricSeries scratch;
  for (uint32_t ord : other.ordinals_) {
    scratch.time_ms.clear();
    scratch.values.clear();
    scratch.start_ms.clear();
    scratch.exemplars.clear();
    other.AppendAllTo(ord, scratch);
    Append(ord, scratch);
  }
}

void MetricMemtable::AppendTo(uint32_t ordinal, int64_t min_ms, int64_t max_ms,
                              MetricSeries& dst) const {
  if (ordinal >= heads_.size()) return;
  const Head& head = heads_[ordinal];
  const Extra* x = head.extra == kNoExtra ? nullptr : &extras_[head.extra];
  const bool src_start = x != nullptr && !x->start_ms.empty();
  if (src_start && dst.start_ms.size() != dst.time_ms.size()) {
    dst.start_ms.resize(dst.time_ms.size(), 0);
  }
  const bool pad_start = !src_start && !dst.start_ms.empty();
  const bool all = min_ms == INT64_MIN && max_ms == INT64_MAX;
  if (all) {
    dst.time_ms.reserve(dst.time_ms.size() + head.count);
    dst.values.reserve(dst.values.size() + head.count);
  }
  size_t index = 0;  // of the chunk's first sample in the series
  for (const Chunk* c = head.first; c != nullptr; index += c->size, c = c->next) {
    const double* v = c->values();
    if (all) {
      for (uint32_t i = 0; i < c->size; ++i) dst.time_ms.push_back(c->time(i));
      dst.values.insert(dst.values.end(), v, v + c->size);
      if (src_start) {
        const auto from = x->start_ms.begin() + static_cast<ptrdiff_t>(index);
        dst.start_ms.insert(dst.start_ms.end(), from, from + c->size);
      }
      continue;
    }
    for (uint32_t i = 0; i < c->size; ++i) {
      const int64_t t = c->time(i);
      if (t < min_ms || t > max_ms) continue;
      dst.time_ms.push_back(t);
      dst.values.push_back(v[i]);
      if (src_start) dst.start_ms.push_back(x->start_ms[index + i]);
    }
  }
  if (pad_start) dst.start_ms.resize(dst.time_ms.size(), 0);
  if (x != nullptr) {
    for (const auto& e : x->exemplars) {
      if (e.time_ms >= min_ms && e.time_ms <= max_ms) dst.exemplars.push_back(e);
    }
  }
}

size_t MetricMemtable::ExtraBytes(const Extra& x) {
  return x.start_ms.capacity() * sizeof(int64_t) + x.exemplars.capacity() * sizeof(MetricExemplar);
}

size_t MetricMemtable::bytes() const {
  return arena_.bytes() + heads_.capacity() * sizeof(Head) +
         ordinals_.capacity() * sizeof(uint32_t) + extras_.capacity() * sizeof(Extra) +
         extra_bytes_;
}

void MetricMemtable::Clear() {
  for (uint32_t ord : ordinals_) heads_[ord] = Head{};
  ordinals_.clear();
  extras_.clear();
  extra_bytes_ = 0;
  arena_.Clear();
  samples_ = 0;
}

void MetricMemtable::Swap(MetricMemtable& other) {
  arena_.Swap(other.arena_);
  heads_.swap(other.heads_);
  ordinals_.swap(other.ordinals_);
  extras_.swap(other.extras_);
  std::swap(samples_, other.samples_);
  std::swap(extra_bytes_, other.extra_bytes_);
}

}  // namespace periscope
