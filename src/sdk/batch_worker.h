#pragma once

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "periscope/trace/processor.h"
#include "sdk/span_pool.h"

namespace periscope::trace::internal {

// Starts loading every 64-byte line of `item` into the cache, for writing, however it is aligned:
// a line per 64 bytes from its start, and the line of its last byte. Always inlined: GCC 12 deems
// a function that only prefetches pure and drops calls to it.
template <class Item>
[[gnu::always_inline]] inline void PrefetchForWrite(const Item& item) noexcept {
  const char* bytes = reinterpret_cast<const char*>(&item);
#pragma GCC unroll 8
  for (size_t at = 0; at < sizeof(Item); at += 64) __builtin_prefetch(bytes + at, 1);
  __builtin_prefetch(bytes + sizeof(Item) - 1, 1);
}

// Adds `nice` to the calling thread's nice value (Linux: a thread's own; nothing elsewhere or for
// 0) and, with `sched_idle`, puts the thread under the SCHED_IDLE policy. Failures are ignored:
// the thread then keeps what it had.
void LowerThreadPriority(int nice, bool sched_idle) noexcept;

// A bounded queue drained in batches by one background thread that calls `export_fn`. Push never
// waits for an export: a full queue refuses (and counts) the item. Thread-safe. The lock is a
// spin lock (held for a few stores by Push, and by the worker only to take the queue), with
// condition_variable_any for the worker's and the flushers' waits.
//
// With a Compact type, items may also be queued in that smaller form (PushCompact); the worker
// turns each into a T with ExpandCompact(const Compact& item, Compact& last, T& out) (found by
// argument-dependent lookup) before exporting it, where `out` is reused from batch to batch and
// `last` is what ExpandCompact kept of the item it expanded into `out` before (default-constructed
// the first time), so that it may write only what differs. Both forms count against the one queue
// size.
template <class T, class Compact = void>
class BatchWorker {
  struct NoCompactQueue {};
  using CompactQueue =
      std::conditional_t<std::is_void_v<Compact>, NoCompactQueue, std::vector<Compact>>;

 public:
  using ExportFn = std::function<ExportResult(std::span<const T>)>;

  // interrupt is called when a shutdown times out, to cut an export short (may be empty).
  BatchWorker(ExportFn export_fn, BatchOptions options, std::function<void()> interrupt)
      : export_fn_(std::move(export_fn)), interrupt_(std::move(interrupt)), options_(options) {
    options_.max_queue_size = std::max<size_t>(options_.max_queue_size, 1);
    options_.max_export_batch_size =
        std::clamp<size_t>(options_.max_export_batch_size, 1, options_.max_queue_size);
    thread_ = std::thread([this] {
      LowerThreadPriority(options_.worker_nice, options_.worker_sched_idle);
      Run();
    });
  }

  ~BatchWorker() { Shutdown(options_.export_timeout); }

  bool Push(T&& item) {
    std::lock_guard<SpinLock> lock(mu_);
    if (!Admit()) return false;
    // A slot left by an earlier export is reused on the producing thread, never freed on the
    // worker: a span is written into it (see MoveSpanDataToSlot: the span data keeps its name and
    // takes the slot's old vectors back to the span free list, capacity intact), a new slot
    // starts empty the same way; other items overwrite it.
    if constexpr (std::is_same_v<T, SpanData>) {
      if (count_ == queue_.size()) queue_.emplace_back();
      MoveSpanDataToSlot(queue_[count_], item);
    } else if (count_ < queue_.size()) {
      queue_[count_] = std::move(item);
    } else {
      queue_.push_back(std::move(item));
    }
    ++count_;
    stats_.queued++;
    if constexpr (std::is_same_v<T, SpanData>) PrefetchNextSlot();
    if (count_ + compact_count_ == options_.max_export_batch_size) [[unlikely]]
      WakeWorker();
    return true;
  }

  // Queues an item in its compact form, written by write(Compact& slot) into a slot that holds an
  // already exported item (or a new one).
  template <class Write>
  [[gnu::always_inline]] bool PushCompact(Write&& write) {
    static_assert(!std::is_void_v<Compact>);
    std::lock_guard<SpinLock> lock(mu_);
    if (!Admit()) return false;
    // Slots by address: no size computed (a division by the slot's size).
    Compact* slot = compact_.data() + compact_count_;
    if (slot == std::to_address(compact_.end())) [[unlikely]] {
      compact_.emplace_back();
      slot = &compact_.back();
    }
    write(*slot);
    ++compact_count_;
    stats_.queued++;
    // The next slot, last touched by an export, is loaded while the caller goes on.
    if (slot + 1 != std::to_address(compact_.end())) PrefetchForWrite(slot[1]);
    if (count_ + compact_count_ == options_.max_export_batch_size) [[unlikely]]
      WakeWorker();
    return true;
  }

  bool Flush(std::chrono::milliseconds timeout) {
    std::unique_lock<SpinLock> lock(mu_);
    if (finished_) return true;
    uint64_t ticket = ++flush_requested_;
    wake_.notify_one();
    return done_.wait_for(lock, timeout, [&] { return flush_done_ >= ticket || finished_; });
  }

  bool Shutdown(std::chrono::milliseconds timeout) {
    bool in_time;
    {
      std::unique_lock<SpinLock> lock(mu_);
      if (!stop_) {
        stop_ = true;
        ++flush_requested_;
        wake_.notify_one();
      }
      in_time = done_.wait_for(lock, timeout, [&] { return finished_; });
    }
    if (!in_time && interrupt_) interrupt_();
    if (thread_.joinable()) thread_.join();
    // The exported items kept for reuse (and anything a timed-out shutdown left) are freed now,
    // not when the last span recycled on some thread lets go of this worker.
    std::vector<T> released;
    CompactQueue released_compact;
    {
      std::lock_guard<SpinLock> lock(mu_);
      released.swap(queue_);
      count_ = 0;
      std::swap(released_compact, compact_);
      compact_count_ = 0;
    }
    return in_time;
  }

  BatchStats stats() const {
    std::lock_guard<SpinLock> lock(mu_);
    return stats_;
  }

 private:
  void Run() {
    // Swapped with queue_: the worker takes everything queued at once and hands back the
    // vector of the previous export, whose items the producers overwrite (see Push).
    std::vector<T> taken;
    CompactQueue taken_compact;
    // The compact items of one export batch, expanded, and what ExpandCompact kept of each;
    // reused from batch to batch.
    std::vector<T> expanded;
    CompactQueue expanded_from;
    std::unique_lock<SpinLock> lock(mu_);
    for (;;) {
      wake_.wait_for(lock, options_.schedule_delay, [&] {
        return stop_ || count_ + compact_count_ >= options_.max_export_batch_size ||
               flush_requested_ > flush_done_;
      });
      const uint64_t flush_target = flush_requested_;
      const bool stopping = stop_;
      // One take per wake-up: everything queued before a flush or a stop is in it, and items
      // that arrive while exporting wait for the next full batch or the next delay, instead of
      // keeping the worker busy with small batches (and the producers' lock contended).
      if (count_ + compact_count_ > 0) {
        taken.swap(queue_);
        const size_t n_taken = count_;
        count_ = 0;
        std::swap(taken_compact, compact_);
        const size_t n_compact = compact_count_;
        compact_count_ = 0;
        held_ = n_taken + n_compact;
        lock.unlock();
        uint64_t exported = 0;
        uint64_t failed = 0;
        for (size_t at = 0; at < n_taken; at += options_.max_export_batch_size) {
          const size_t n = std::min(n_taken - at, options_.max_export_batch_size);
          ExportResult result = export_fn_(std::span<const T>(taken.data() + at, n));
          (result.ok() ? exported : failed) += n;
        }
        if constexpr (!std::is_void_v<Compact>) {
          for (size_t at = 0; at < n_compact; at += options_.max_export_batch_size) {
            const size_t n = std::min(n_compact - at, options_.max_export_batch_size);
            if (expanded.size() < n) {
              expanded.resize(n);
              expanded_from.resize(n);
            }
            for (size_t i = 0; i < n; ++i) {
              ExpandCompact(taken_compact[at + i], expanded_from[i], expanded[i]);
            }
            ExportResult result = export_fn_(std::span<const T>(expanded.data(), n));
            (result.ok() ? exported : failed) += n;
          }
        }
        lock.lock();
        held_ = 0;
        stats_.exported += exported;
        stats_.failed += failed;
      }
      flush_done_ = flush_target;
      if (stopping) {
        finished_ = true;
        done_.notify_all();
        return;
      }
      done_.notify_all();
    }
  }

  // The slot the next push fills was last touched by an export, hundreds of calls ago, and is
  // most often out of the cache by now: it is loaded while the caller goes on with its work.
  [[gnu::always_inline]] void PrefetchNextSlot() const noexcept {
    if (count_ < queue_.size()) PrefetchForWrite(queue_[count_]);
  }

  // Whether one more item fits (counting a refusal); under mu_. Queued plus taken by the worker
  // stays within a full queue and one export batch.
  // Out of line: the pushes run it once per batch.
  [[gnu::noinline]] void WakeWorker() { wake_.notify_one(); }

  [[gnu::always_inline]] bool Admit() {
    const size_t queued = count_ + compact_count_;
    if (stop_ || queued >= options_.max_queue_size ||
        queued + held_ >= options_.max_queue_size + options_.max_export_batch_size) [[unlikely]] {
      stats_.dropped++;
      return false;
    }
    return true;
  }

  const ExportFn export_fn_;
  const std::function<void()> interrupt_;
  BatchOptions options_;
  mutable SpinLock mu_;
  std::condition_variable_any wake_;
  std::condition_variable_any done_;
  std::vector<T> queue_;  // the first count_ items are queued; the rest were exported already
  size_t count_ = 0;
  CompactQueue compact_;  // likewise, the first compact_count_
  size_t compact_count_ = 0;
  size_t held_ = 0;  // items the worker took out of queue_ and has not finished exporting
  BatchStats stats_;
  uint64_t flush_requested_ = 0;
  uint64_t flush_done_ = 0;
  bool stop_ = false;
  bool finished_ = false;
  std::thread thread_;
};

}  // namespace periscope::trace::internal
