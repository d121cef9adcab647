#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace periscope {

// Monotonic counter; thread-safe, lock-free.
class Counter {
 public:
  void Add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// Histogram of seconds with fixed buckets; thread-safe, lock-free.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double seconds);
  const std::vector<double>& bounds() const { return bounds_; }
  uint64_t bucket(size_t i) const { return counts_[i].load(std::memory_order_relaxed); }
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_micros_{0};
};

// Process-wide registry of self-metrics rendered at /metrics; registration is thread-safe and
// metrics live for the whole process.
class MetricsRegistry {
 public:
  static MetricsRegistry& Global();

  Counter* NewCounter(const std::string& name, const std::string& help);
  Histogram* NewHistogram(const std::string& name, const std::string& help,
                          std::vector<double> bounds = DefaultLatencyBounds());
  // A gauge read at render time; the id removes it again.
  uint64_t NewGauge(const std::string& name, const std::string& help, std::function<double()> read);
  // Waits for a render in progress, so `read` is never called after this returns.
  void RemoveGauge(uint64_t id);

  // Prometheus text exposition format 0.0.4.
  std::string RenderPrometheus() const;
  static std::vector<double> DefaultLatencyBounds();

 private:
  struct Entry {
    uint64_t id = 0;
    std::string name, help, type;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Histogram> histogram;
    std::function<double()> gauge;
  };
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Entry>> entries_;
  uint64_t next_gauge_id_ = 1;  // guarded by mu_
};

// Gauges of an object that does not live as long as the process: removed on destruction, so
// declare it after the members its gauges read. Not thread-safe.
class ScopedGauges {
 public:
  ScopedGauges() = default;
  ScopedGauges(const ScopedGauges&) = delete;
  ScopedGauges& operator=(const ScopedGauges&) = delete;
  ~ScopedGauges();

  void Add(const std::string& name, const std::string& help, std::function<double()> read);

 private:
  std::vector<uint64_t> ids_;
};

}  // namespace periscope
