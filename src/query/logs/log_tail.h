#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "model/log_batch.h"
#include "query/logs/log_search_query.h"

namespace periscope {

// One live-tail client: the rows that matched its query since its last Drain, up to a bound
// (older rows are dropped and counted when the client falls behind). Thread-safe.
class LogTailSubscription {
 public:
  LogTailSubscription(std::string tenant, LogSearchNode query, size_t max_pending);

  // Moves the pending rows (oldest first) into *out; returns the number of rows dropped since
  // the previous call.
  uint64_t Drain(LogBatch* out);

 private:
  friend class LogTailHub;
  void Offer(const LogBatch& batch);

  const std::string tenant_;
  const LogSearchNode query_;
  const size_t max_pending_;
  std::mutex mu_;
  LogBatch pending_;
  uint64_t dropped_ = 0;
};

// Fans freshly acknowledged log rows out to live-tail subscriptions. Publishing costs one atomic
// load while nobody tails. Thread-safe.
class LogTailHub {
 public:
  explicit LogTailHub(size_t max_subscriptions = 64) : max_subscriptions_(max_subscriptions) {}

  // A new subscription, or nullptr when max_subscriptions are live. It ends when released.
  std::shared_ptr<LogTailSubscription> Subscribe(std::string tenant, LogSearchNode query,
                                                 size_t max_pending = 2000);
  void Publish(const LogBatch& batch);
  size_t subscriptions() const { return live_.load(std::memory_order_relaxed); }

 private:
  void PruneLocked();

  const size_t max_subscriptions_;
  std::mutex mu_;
  std::vector<std::weak_ptr<LogTailSubscription>> subscribers_;
  std::atomic<size_t> live_{0};
};

}  // namespace periscope
