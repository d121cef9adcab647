#include "periscope/trace/metrics.h"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <thread>

#include "sdk/timeout_diagnostic.h"

namespace periscope::trace {
namespace internal {
namespace {

constexpr size_t kMaxAttributeSets = 2000;

void AppendKey(const AttributeValue& v, std::string* out);

void AppendString(std::string_view s, std::string* out) {
  out->append(std::to_string(s.size()));
  out->push_back(':');
  out->append(s);
}

void AppendAttributes(const Attributes& attrs, std::string* out) {
  std::vector<const KeyValue*> sorted;
  for (const KeyValue& kv : attrs) sorted.push_back(&kv);
  std::sort(sorted.begin(), sorted.end(),
            [](const KeyValue* a, const KeyValue* b) { return a->first < b->first; });
  out->push_back('{');
  for (const KeyValue* kv : sorted) {
    AppendString(kv->first, out);
    AppendKey(kv->second, out);
  }
  out->push_back('}');
}

void AppendKey(const AttributeValue& v, std::string* out) {
  const auto& s = v.storage();
  out->push_back(static_cast<char>('0' + s.index()));
  if (auto* b = std::get_if<bool>(&s)) out->push_back(*b ? '1' : '0');
  if (auto* i = std::get_if<int64_t>(&s)) AppendString(std::to_string(*i), out);
  if (auto* d = std::get_if<double>(&s)) AppendString(std::to_string(*d), out);
  if (auto* str = std::get_if<std::string>(&s)) AppendString(*str, out);
  if (auto* bytes = std::get_if<Bytes>(&s)) {
    AppendString(
        std::string_view(reinterpret_cast<const char*>(bytes->data.data()), bytes->data.size()),
        out);
  }
  if (auto* arr = std::get_if<AttributeArray>(&s)) {
    out->push_back('[');
    for (const AttributeValue& e : *arr) AppendKey(e, out);
    out->push_back(']');
  }
  if (auto* kv = std::get_if<Attributes>(&s)) AppendAttributes(*kv, out);
}

}  // namespace

// One instrument's aggregation state, keyed by attribute set. Thread-safe.
class Instrument {
 public:
  enum Kind { kInt64Counter = 0, kDoubleCounter = 1, kHistogram = 2 };

  Instrument(Kind kind, std::string name, std::string description, std::string unit,
             std::vector<double> bounds, std::shared_ptr<const InstrumentationScope> scope)
      : kind_(kind),
        name_(std::move(name)),
        description_(std::move(description)),
        unit_(std::move(unit)),
        bounds_(std::move(bounds)),
        scope_(std::move(scope)) {
    std::sort(bounds_.begin(), bounds_.end());
    bounds_.erase(std::unique(bounds_.begin(), bounds_.end()), bounds_.end());
    std::erase_if(bounds_, [](double b) { return !std::isfinite(b); });
  }

  Kind kind() const { return kind_; }

  void Add(double d, int64_t i, const Attributes& attrs) {
    std::lock_guard<std::mutex> lock(mu_);
    Cell& c = CellFor(attrs);
    c.i += i;
    c.d += d;
  }

  void Record(double v, const Attributes& attrs) {
    std::lock_guard<std::mutex> lock(mu_);
    Cell& c = CellFor(attrs);
    HistogramPoint& h = c.h;
    if (h.bucket_counts.empty()) h.bucket_counts.assign(bounds_.size() + 1, 0);
    size_t bucket =
        static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
    h.bucket_counts[bucket]++;
    h.min = h.count == 0 ? v : std::min(h.min, v);
    h.max = h.count == 0 ? v : std::max(h.max, v);
    h.count++;
    h.sum += v;
  }

  MetricData Snapshot(Timestamp start, Timestamp now) const {
    MetricData m;
    m.name = name_;
    m.description = description_;
    m.unit = unit_;
    m.kind = kind_ == kHistogram ? MetricData::Kind::kHistogram : MetricData::Kind::kSum;
    m.bounds = bounds_;
    m.start_time = start;
    m.time = now;
    m.scope = scope_;
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [key, c] : cells_) {
      if (kind_ == kHistogram) {
        HistogramPoint h = c.h;
        h.attributes = c.attributes;
        if (h.bucket_counts.empty()) h.bucket_counts.assign(bounds_.size() + 1, 0);
        m.histograms.push_back(std::move(h));
      } else if (kind_ == kInt64Counter) {
        m.sums.push_back({c.attributes, c.i});
      } else {
        m.sums.push_back({c.attributes, c.d});
      }
    }
    return m;
  }

 private:
  struct Cell {
    Attributes attributes;
    int64_t i = 0;
    double d = 0;
    HistogramPoint h;
  };

  Cell& CellFor(const Attributes& attrs) {
    std::string key;
    AppendAttributes(attrs, &key);
    auto it = cells_.find(key);
    if (it != cells_.end()) return it->second;
    if (cells_.size() >= kMaxAttributeSets) {
      Attributes overflow{{"otel.metric.overflow", true}};
      key.clear();
      AppendAttributes(overflow, &key);
      return cells_.try_emplace(key, Cell{overflow, 0, 0, {}}).first->second;
    }
    return cells_.try_emplace(std::move(key), Cell{attrs, 0, 0, {}}).first->second;
  }

  const Kind kind_;
  const std::string name_, description_, unit_;
  std::vector<double> bounds_;
  const std::shared_ptr<const InstrumentationScope> scope_;
  mutable std::mutex mu_;
  std::map<std::string, Cell> cells_;
};

// Every instrument of a MeterProvider. Thread-safe.
struct MeterRegistry {
  Timestamp start = Clock::now();
  std::mutex mu;
  std::vector<std::shared_ptr<Instrument>> instruments;
  std::map<std::pair<std::string, std::string>, std::shared_ptr<Instrument>> by_name;
};

}  // namespace internal

template <class T>
void Counter<T>::Add(T value, const Attributes& attributes) const {
  if (!inst_) return;
  if constexpr (std::is_floating_point_v<T>) {
    if (!(value >= 0) || !std::isfinite(value)) return;
    inst_->Add(value, 0, attributes);
  } else {
    if (value < 0) return;
    inst_->Add(0, value, attributes);
  }
}
template class Counter<int64_t>;
template class Counter<double>;

void Histogram::Record(double value, const Attributes& attributes) const {
  if (!inst_ || std::isnan(value)) return;
  inst_->Record(value, attributes);
}

std::vector<double> DefaultHistogramBounds() {
  return {0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000};
}

struct Meter::Shared {
  std::shared_ptr<internal::MeterRegistry> registry;
  std::shared_ptr<const InstrumentationScope> scope;
};

std::shared_ptr<internal::Instrument> Meter::GetOrCreate(std::string_view name,
                                                         std::string_view description,
                                                         std::string_view unit, int kind,
                                                         std::vector<double> bounds) {
  internal::MeterRegistry& r = *shared_->registry;
  std::lock_guard<std::mutex> lock(r.mu);
  auto key = std::make_pair(shared_->scope->name, std::string(name));
  auto it = r.by_name.find(key);
  if (it != r.by_name.end()) return it->second;
  auto inst = std::make_shared<internal::Instrument>(
      static_cast<internal::Instrument::Kind>(kind), std::string(name), std::string(description),
      std::string(unit), std::move(bounds), shared_->scope);
  r.by_name.emplace(std::move(key), inst);
  r.instruments.push_back(inst);
  return inst;
}

Counter<int64_t> Meter::CreateInt64Counter(std::string_view name, std::string_view description,
                                           std::string_view unit) {
  auto inst = GetOrCreate(name, description, unit, internal::Instrument::kInt64Counter, {});
  if (inst->kind() != internal::Instrument::kInt64Counter) inst = nullptr;
  return Counter<int64_t>(std::move(inst));
}

Counter<double> Meter::CreateDoubleCounter(std::string_view name, std::string_view description,
                                           std::string_view unit) {
  auto inst = GetOrCreate(name, description, unit, internal::Instrument::kDoubleCounter, {});
  if (inst->kind() != internal::Instrument::kDoubleCounter) inst = nullptr;
  return Counter<double>(std::move(inst));
}

Histogram Meter::CreateHistogram(std::string_view name, std::string_view description,
                                 std::string_view unit, std::vector<double> bounds) {
  auto inst =
      GetOrCreate(name, description, unit, internal::Instrument::kHistogram, std::move(bounds));
  if (inst->kind() != internal::Instrument::kHistogram) inst = nullptr;
  return Histogram(std::move(inst));
}

// The instruments, and the exporter with the thread that calls it: every interval, on a
// ForceFlush and once more on Shutdown. Exports run on that thread only, so that a caller waits
// for one no longer than its timeout. Thread-safe.
struct MeterProvider::Impl {
  std::shared_ptr<internal::MeterRegistry> registry = std::make_shared<internal::MeterRegistry>();
  Resource resource;
  std::shared_ptr<MetricExporter> exporter;
  std::chrono::milliseconds interval;
  std::mutex mu;
  std::condition_variable wake;  // the thread's: an interval, a flush or the stop
  std::condition_variable done;  // the flushers' and the stopper's
  uint64_t flush_requested = 0;  // guarded by mu, like the fields below
  uint64_t flush_done = 0;
  bool last_export_ok = true;
  bool stop = false;
  bool finished = false;   // the thread exported for the last time
  bool abandoned = false;  // by a timed-out Shutdown: the thread exports no more
  std::thread thread;

  std::vector<MetricData> Collect() const {
    std::vector<std::shared_ptr<internal::Instrument>> instruments;
    {
      std::lock_guard<std::mutex> lock(registry->mu);
      instruments = registry->instruments;
    }
    Timestamp now = Clock::now();
    std::vector<MetricData> out;
    for (const auto& inst : instruments) out.push_back(inst->Snapshot(registry->start, now));
    return out;
  }

  bool Export() {
    std::vector<MetricData> data = Collect();
    if (data.empty()) return true;
    return exporter->Export(resource, data).ok();
  }

  // The export thread; `self` keeps the provider's state alive for a thread left behind by a
  // timed-out Shutdown.
  static void Run(std::shared_ptr<Impl> self) {
    std::unique_lock<std::mutex> lock(self->mu);
    for (;;) {
      self->wake.wait_for(lock, self->interval,
                          [&] { return self->stop || self->flush_requested > self->flush_done; });
      if (self->abandoned) return;
      const uint64_t flush_target = self->flush_requested;
      const bool stopping = self->stop;
      lock.unlock();
      const bool ok = self->Export();
      lock.lock();
      self->flush_done = flush_target;
      self->last_export_ok = ok;
      self->finished = stopping;
      self->done.notify_all();
      if (stopping) return;
    }
  }
};

MeterProvider::MeterProvider(MeterProviderOptions options) : impl_(std::make_shared<Impl>()) {
  impl_->resource = options.resource.MergedOverDefault();
  impl_->exporter = std::move(options.exporter);
  impl_->interval = std::max(options.export_interval, std::chrono::milliseconds(1));
  if (impl_->exporter) impl_->thread = std::thread(&Impl::Run, impl_);
}

MeterProvider::~MeterProvider() { Shutdown(); }

Meter MeterProvider::GetMeter(std::string_view name, std::string_view version) {
  auto shared = std::make_shared<Meter::Shared>();
  shared->registry = impl_->registry;
  shared->scope = std::make_shared<const InstrumentationScope>(
      InstrumentationScope{std::string(name), std::string(version)});
  return Meter(std::move(shared));
}

std::vector<MetricData> MeterProvider::Collect() const { return impl_->Collect(); }

bool MeterProvider::ForceFlush(std::chrono::milliseconds timeout) {
  if (!impl_->exporter) return true;
  {
    std::unique_lock<std::mutex> lock(impl_->mu);
    if (impl_->stop) return false;
    const uint64_t ticket = ++impl_->flush_requested;
    impl_->wake.notify_one();
    const bool in_time = impl_->done.wait_for(
        lock, timeout, [&] { return impl_->flush_done >= ticket || impl_->finished; });
    if (in_time) return impl_->last_export_ok;
  }
  internal::DiagnoseTimeout("MeterProvider", "ForceFlush", timeout,
                            "the export is still in progress");
  return false;
}

bool MeterProvider::Shutdown(std::chrono::milliseconds timeout) {
  bool in_time;
  {
    std::unique_lock<std::mutex> lock(impl_->mu);
    if (impl_->stop) return true;
    impl_->stop = true;
    if (!impl_->exporter) return true;
    impl_->wake.notify_one();
    in_time = impl_->done.wait_for(lock, timeout, [&] { return impl_->finished; });
    impl_->abandoned = !in_time;
  }
  impl_->exporter->Shutdown();
  if (!in_time) {
    // The thread is stuck in the exporter: it is left to finish (or not) on its own.
    impl_->thread.detach();
    internal::DiagnoseTimeout("MeterProvider", "shutdown", timeout,
                              "the export in progress was cut short, and the metrics it held may "
                              "be lost");
    return false;
  }
  impl_->thread.join();
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->last_export_ok;
}

}  // namespace periscope::trace
