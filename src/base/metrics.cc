#include "base/metrics.h"

#include <fmt/format.h>

#include <algorithm>

namespace periscope {

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i] = 0;
}

void Histogram::Observe(double seconds) {
  size_t i = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), seconds) -
                                 bounds_.begin());
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<uint64_t>(std::max(0.0, seconds) * 1e6),
                        std::memory_order_relaxed);
}

double Histogram::sum() const { return static_cast<double>(sum_micros_.load()) / 1e6; }

MetricsRegistry& MetricsRegistry::Global() {
  static auto* registry = new MetricsRegistry();
  return *registry;
}

std::vector<double> MetricsRegistry::DefaultLatencyBounds() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
}

Counter* MetricsRegistry::NewCounter(const std::string& name, const std::string& help) {
  auto e = std::make_unique<Entry>();
  e->name = name;
  e->help = help;
  e->type = "counter";
  e->counter = std::make_unique<Counter>();
  Counter* c = e->counter.get();
  std::lock_guard lock(mu_);
  entries_.push_back(std::move(e));
  return c;
}

Histogram* MetricsRegistry::NewHistogram(const std::string& name, const std::string& help,
                                         std::vector<double> bounds) {
  auto e = std::make_unique<Entry>();
  e->name = name;
  e->help = help;
  e->type = "histogram";
  e->histogram = std::make_unique<Histogram>(std::move(bounds));
  Histogram* h = e->histogram.get();
  std::lock_guard lock(mu_);
  entries_.push_back(std::move(e));
  return h;
}

uint64_t MetricsRegistry::NewGauge(const std::string& name, const std::string& help,
                                   std::function<double()> read) {
  auto e = std::make_unique<Entry>();
  e->name = name;
  e->help = help;
  e->type = "gauge";
  e->gauge = std::move(read);
  std::lock_guard lock(mu_);
  e->id = next_gauge_id_++;
  const uint64_t id = e->id;
  entries_.push_back(std::move(e));
  return id;
}

void MetricsRegistry::RemoveGauge(uint64_t id) {
  std::lock_guard lock(mu_);
  std::erase_if(entries_, [id](const std::unique_ptr<Entry>& e) { return e->id == id; });
}

ScopedGauges::~ScopedGauges() {
  for (uint64_t id : ids_) MetricsRegistry::Global().RemoveGauge(id);
}

void ScopedGauges::Add(const std::string& name, const std::string& help,
                       std::function<double()> read) {
  ids_.push_back(MetricsRegistry::Global().NewGauge(name, help, std::move(read)));
}

std::string MetricsRegistry::RenderPrometheus() const {
  std::string out;
  std::lock_guard lock(mu_);
  for (const auto& e : entries_) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", e->name, e->help, e->name, e->type);
    if (e->counter) {
      out += fmt::format("{} {}\n", e->name, e->counter->value());
    } else if (e->gauge) {
      out += fmt::format("{} {}\n", e->name, e->gauge());
    } else if (e->histogram) {
      const Histogram& h = *e->histogram;
      uint64_t cumulative = 0;
      for (size_t i = 0; i < h.bounds().size(); ++i) {
        cumulative += h.bucket(i);
        out += fmt::format("{}_bucket{{le=\"{}\"}} {}\n", e->name, h.bounds()[i], cumulative);
      }
      cumulative += h.bucket(h.bounds().size());
      out += fmt::format("{}_bucket{{le=\"+Inf\"}} {}\n", e->name, cumulative);
      out += fmt::format("{}_sum {}\n{}_count {}\n", e->name, h.sum(), e->name, h.count());
    }
  }
  return out;
}

}  // namespace periscope
