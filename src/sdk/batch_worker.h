#pragma once

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "periscope/trace/processor.h"

namespace periscope::trace::internal {

// A bounded queue drained in batches by one background thread that calls `export_fn`. Push never
// waits for an export: a full queue refuses (and counts) the item. Thread-safe.
template <class T>
class BatchWorker {
 public:
  using ExportFn = std::function<ExportResult(std::span<const T>)>;

  // interrupt is called when a shutdown times out, to cut an export short (may be empty).
  BatchWorker(ExportFn export_fn, BatchOptions options, std::function<void()> interrupt)
      : export_fn_(std::move(export_fn)), interrupt_(std::move(interrupt)), options_(options) {
    options_.max_queue_size = std::max<size_t>(options_.max_queue_size, 1);
    options_.max_export_batch_size =
        std::clamp<size_t>(options_.max_export_batch_size, 1, options_.max_queue_size);
    thread_ = std::thread([this] { Run(); });
  }

  ~BatchWorker() { Shutdown(options_.export_timeout); }

  bool Push(T&& item) {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_ || queue_.size() >= options_.max_queue_size) {
      stats_.dropped++;
      return false;
    }
    queue_.push_back(std::move(item));
    stats_.queued++;
    if (queue_.size() == options_.max_export_batch_size) wake_.notify_one();
    return true;
  }

  bool Flush(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    if (finished_) return true;
    uint64_t ticket = ++flush_requested_;
    wake_.notify_one();
    return done_.wait_for(lock, timeout, [&] { return flush_done_ >= ticket || finished_; });
  }

  bool Shutdown(std::chrono::milliseconds timeout) {
    bool in_time;
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (!stop_) {
        stop_ = true;
        ++flush_requested_;
        wake_.notify_one();
      }
      in_time = done_.wait_for(lock, timeout, [&] { return finished_; });
    }
    if (!in_time && interrupt_) interrupt_();
    if (thread_.joinable()) thread_.join();
    return in_time;
  }

  BatchStats stats() const {
    std::lock_guard<std::mutex> lock(mu_);
    return stats_;
  }

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      wake_.wait_for(lock, options_.schedule_delay, [&] {
        return stop_ || queue_.size() >= options_.max_export_batch_size ||
               flush_requested_ > flush_done_;
      });
      const uint64_t flush_target = flush_requested_;
      const bool stopping = stop_;
      while (!queue_.empty()) {
        size_t n = std::min(queue_.size(), options_.max_export_batch_size);
        std::vector<T> batch(std::make_move_iterator(queue_.begin()),
                             std::make_move_iterator(queue_.begin() + static_cast<long>(n)));
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<long>(n));
        lock.unlock();
        ExportResult result = export_fn_(std::span<const T>(batch));
        lock.lock();
        (result.ok() ? stats_.exported : stats_.failed) += n;
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

  const ExportFn export_fn_;
  const std::function<void()> interrupt_;
  BatchOptions options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable done_;
  std::deque<T> queue_;
  BatchStats stats_;
  uint64_t flush_requested_ = 0;
  uint64_t flush_done_ = 0;
  bool stop_ = false;
  bool finished_ = false;
  std::thread thread_;
};

}  // namespace periscope::trace::internal
