#include "query/logs/log_tail.h"

namespace periscope {

LogTailSubscription::LogTailSubscription(std::string tenant, LogSearchNode query,
                                         size_t max_pending)
    : tenant_(std::move(tenant)), query_(std::move(query)), max_pending_(max_pending) {
  pending_.tenant = tenant_;
}

void LogTailSubscription::Offer(const LogBatch& batch) {
  if (batch.tenant != tenant_) return;
  std::vector<size_t> rows;
  for (size_t row = 0; row < batch.size(); ++row) {
    if (query_.Matches(batch, row)) rows.push_back(row);
  }
  if (rows.empty()) return;
  std::lock_guard lock(mu_);
  for (size_t row : rows) {
    if (pending_.size() >= max_pending_) {
      ++dropped_;
      continue;
    }
    pending_.AppendRow(batch, row);
  }
}

uint64_t LogTailSubscription::Drain(LogBatch* out) {
  std::lock_guard lock(mu_);
  *out = std::move(pending_);
  pending_ = LogBatch();
  pending_.tenant = tenant_;
  const uint64_t dropped = dropped_;
  dropped_ = 0;
  return dropped;
}

std::shared_ptr<LogTailSubscription> LogTailHub::Subscribe(std::string tenant, LogSearchNode query,
                                                           size_t max_pending) {
  std::lock_guard lock(mu_);
  PruneLocked();
  if (subscribers_.size() >= max_subscriptions_) return nullptr;
  auto sub =
      std::make_shared<LogTailSubscription>(std::move(tenant), std::move(query), max_pending);
  subscribers_.push_back(sub);
  live_.store(subscribers_.size(), std::memory_order_relaxed);
  return sub;
}

void LogTailHub::PruneLocked() {
  std::erase_if(subscribers_, [](const auto& w) { return w.expired(); });
  live_.store(subscribers_.size(), std::memory_order_relaxed);
}

void LogTailHub::Publish(const LogBatch& batch) {
  if (live_.load(std::memory_order_relaxed) == 0 || batch.empty()) return;
  std::vector<std::shared_ptr<LogTailSubscription>> targets;
  {
    std::lock_guard lock(mu_);
    PruneLocked();
    for (const auto& w : subscribers_) {
      if (auto s = w.lock()) targets.push_back(std::move(s));
    }
  }
  for (const auto& s : targets) s->Offer(batch);
}

}  // namespace periscope
