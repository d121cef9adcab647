#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "periscope/trace/common.h"

namespace periscope::trace {

// One attribute set's cumulative value of a counter.
struct SumPoint {
  Attributes attributes;
  std::variant<int64_t, double> value;
};

// One attribute set's cumulative histogram; bucket_counts has bounds.size() + 1 entries, bucket i
// counting values in (bounds[i-1], bounds[i]].
struct HistogramPoint {
  Attributes attributes;
  uint64_t count = 0;
  double sum = 0;
  double min = 0;
  double max = 0;
  std::vector<uint64_t> bucket_counts;
};

// A snapshot of one instrument, as handed to exporters: a monotonic cumulative sum, or a
// cumulative explicit-bucket histogram.
struct MetricData {
  enum class Kind { kSum, kHistogram };
  std::string name;
  std::string description;
  std::string unit;
  Kind kind = Kind::kSum;
  std::vector<double> bounds;  // histograms
  std::vector<SumPoint> sums;
  std::vector<HistogramPoint> histograms;
  Timestamp start_time;
  Timestamp time;
  std::shared_ptr<const InstrumentationScope> scope;
};

// Sends metric snapshots somewhere. Export is called by one thread at a time.
class MetricExporter {
 public:
  virtual ~MetricExporter() = default;
  virtual ExportResult Export(const Resource& resource, std::span<const MetricData> metrics) = 0;
  virtual void Shutdown() {}
};

namespace internal {
class Instrument;
}

// A monotonic counter (OTLP Sum, cumulative). Negative increments are ignored. Thread-safe.
template <class T>
class Counter {
 public:
  void Add(T value, const Attributes& attributes = {}) const;

 private:
  friend class Meter;
  explicit Counter(std::shared_ptr<internal::Instrument> inst) : inst_(std::move(inst)) {}
  std::shared_ptr<internal::Instrument> inst_;
};

// A histogram with explicit bucket bounds (OTLP Histogram, cumulative). NaN is ignored.
// Thread-safe.
class Histogram {
 public:
  void Record(double value, const Attributes& attributes = {}) const;

 private:
  friend class Meter;
  explicit Histogram(std::shared_ptr<internal::Instrument> inst) : inst_(std::move(inst)) {}
  std::shared_ptr<internal::Instrument> inst_;
};

// OTel's default histogram bounds: 0, 5, 10, 25, ..., 10000.
std::vector<double> DefaultHistogramBounds();

class MeterProvider;

// Creates instruments for one scope; asking twice for a name returns the same instrument (the
// first kind wins). Thread-safe.
class Meter {
 public:
  Counter<int64_t> CreateInt64Counter(std::string_view name, std::string_view description = {},
                                      std::string_view unit = {});
  Counter<double> CreateDoubleCounter(std::string_view name, std::string_view description = {},
                                      std::string_view unit = {});
  Histogram CreateHistogram(std::string_view name, std::string_view description = {},
                            std::string_view unit = {},
                            std::vector<double> bounds = DefaultHistogramBounds());

 private:
  friend class MeterProvider;
  struct Shared;
  explicit Meter(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}
  std::shared_ptr<internal::Instrument> GetOrCreate(std::string_view name,
                                                    std::string_view description,
                                                    std::string_view unit, int kind,
                                                    std::vector<double> bounds);
  std::shared_ptr<Shared> shared_;
};

struct MeterProviderOptions {
  Resource resource;                         // merged over Resource::Default()
  std::shared_ptr<MetricExporter> exporter;  // may be null: Collect() only
  std::chrono::milliseconds export_interval{60000};
};

// Owns the instruments and, with an exporter, a thread exporting every export_interval, on
// ForceFlush and on Shutdown. Thread-safe; the destructor calls Shutdown().
class MeterProvider {
 public:
  explicit MeterProvider(MeterProviderOptions options);
  ~MeterProvider();
  MeterProvider(const MeterProvider&) = delete;
  MeterProvider& operator=(const MeterProvider&) = delete;

  Meter GetMeter(std::string_view name, std::string_view version = {});
  // A snapshot of every instrument.
  std::vector<MetricData> Collect() const;
  // Collects and exports now, and waits for the export; false if it failed, if the timeout
  // passed first (the export goes on), or after Shutdown.
  bool ForceFlush(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Exports once more and stops; false if that export failed or the timeout passed first. Then
  // the exporter's Shutdown() cuts its retries short, and an export that still does not return
  // is left to its thread: Shutdown never waits for it longer than the timeout.
  bool Shutdown(std::chrono::milliseconds timeout = std::chrono::seconds(30));

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace periscope::trace
