#include "loadgen/metric_workload.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "loadgen/log_proto_wire.h"
#include "loadgen/split_mix.h"

namespace periscope::loadgen {
namespace {

using wire::LengthDelimitedSize;
using wire::PutBytes;
using wire::PutLengthPrefix;

// Field numbers of prometheus/remote.proto and types.proto.
constexpr int kWriteRequestTimeseries = 1;
constexpr int kTimeSeriesLabels = 1;
constexpr int kTimeSeriesSamples = 2;
constexpr int kLabelName = 1;
constexpr int kLabelValue = 2;
constexpr int kSampleValue = 1;
constexpr int kSampleTimestamp = 2;

using Labels = std::vector<std::pair<std::string, std::string>>;

double Uniform(SplitMix& rng) { return static_cast<double>(rng.Next() >> 11) * 0x1.0p-53; }

double Quantize(double v, double quantum) { return std::round(v / quantum) * quantum; }

class SeriesBuilder {
 public:
  SeriesBuilder(int instance, uint64_t seed)
      : rng_(seed * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(instance)),
        instance_(fmt(instance)) {}

  void Add(std::string name, Labels extra, SeriesShape shape, double start, double step,
           double quantum, double still = 0) {
    MetricSeriesSpec s;
    s.labels = std::move(extra);
    s.labels.emplace_back("__name__", std::move(name));
    s.labels.emplace_back("instance", instance_);
    s.labels.emplace_back("job", "node");
    std::sort(s.labels.begin(), s.labels.end());
    s.shape = shape;
    s.start = Quantize(start, quantum);
    s.step = step;
    s.quantum = quantum;
    s.still_chance = still;
    out_.push_back(std::move(s));
  }
  // A value in [lo, hi) for this instance.
  double Pick(double lo, double hi) { return lo + (hi - lo) * Uniform(rng_); }
  std::vector<MetricSeriesSpec> Take() { return std::move(out_); }

 private:
  static std::string fmt(int instance) {
    return "10.0." + std::to_string(instance / 250) + "." + std::to_string(instance % 250 + 1) +
           ":9100";
  }
  SplitMix rng_;
  std::string instance_;
  std::vector<MetricSeriesSpec> out_;
};

}  // namespace

std::vector<MetricSeriesSpec> NodeExporterSeries(int instance, uint64_t seed) {
  using S = SeriesShape;
  SeriesBuilder b(instance, seed);
  constexpr double kGiB = 1024.0 * 1024 * 1024;
  double mem_total = std::round(b.Pick(8, 64)) * kGiB;
  b.Add("up", {}, S::kConstant, 1, 0, 1);
  b.Add("node_boot_time_seconds", {}, S::kConstant, 1.79e9 + std::round(b.Pick(0, 3e6)), 0, 1);
  b.Add("node_memory_MemTotal_bytes", {}, S::kConstant, mem_total, 0, 4096);
  b.Add("node_memory_SwapTotal_bytes", {}, S::kConstant, 2 * kGiB, 0, 4096);
  b.Add("node_memory_SwapFree_bytes", {}, S::kConstant, 2 * kGiB - 4096 * 37, 0, 4096);
  b.Add("node_filefd_maximum", {}, S::kConstant, 9223372036854775807.0, 0, 1);
  for (const char* m : {"MemFree", "MemAvailable", "Cached", "Buffers"}) {
    b.Add(std::string("node_memory_") + m + "_bytes", {}, S::kIntGauge,
          mem_total * b.Pick(0.05, 0.5), 4096 * b.Pick(10, 400), 4096);
  }
  for (const char* l : {"node_load1", "node_load5", "node_load15"}) {
    b.Add(l, {}, S::kFloatGauge, b.Pick(0.2, 3), 0.1, 0.01);
  }
  struct Mode {
    const char* name;
    double step;
    double still;
  };
  constexpr std::array<Mode, 8> kModes = {{{"idle", 9.2, 0},
                                           {"user", 0.45, 0},
                                           {"system", 0.18, 0},
                                           {"iowait", 0.03, 0.3},
                                           {"irq", 0.01, 0.9},
                                           {"softirq", 0.02, 0.5},
                                           {"steal", 0, 1},
                                           {"nice", 0.01, 0.97}}};
  double uptime = b.Pick(1e5, 3e6);
  for (int cpu = 0; cpu < 4; ++cpu) {
    for (const Mode& m : kModes) {
      b.Add("node_cpu_seconds_total", {{"cpu", std::to_string(cpu)}, {"mode", m.name}}, S::kCounter,
            uptime * m.step / 10, m.step, 0.01, m.still);
    }
  }
  for (const char* dev : {"eth0", "lo"}) {
    double scale = dev[0] == 'e' ? 1 : 0.1;
    for (const char* dir : {"receive", "transmit"}) {
      std::string p = std::string("node_network_") + dir + "_";
      b.Add(p + "bytes_total", {{"device", dev}}, S::kCounter, uptime * 5e3 * scale, 6e4 * scale, 1,
            0.02);
      b.Add(p + "packets_total", {{"device", dev}}, S::kCounter, uptime * 40 * scale, 450 * scale,
            1, 0.02);
      b.Add(p + "errs_total", {{"device", dev}}, S::kCounter, std::round(b.Pick(0, 20)), 1, 1,
            0.98);
      b.Add(p + "drop_total", {{"device", dev}}, S::kCounter, std::round(b.Pick(0, 200)), 2, 1,
            0.95);
    }
  }
  for (const char* dev : {"sda", "sdb"}) {
    Labels d = {{"device", dev}};
    b.Add("node_disk_reads_completed_total", d, S::kCounter, uptime * 3, 30, 1, 0.1);
    b.Add("node_disk_writes_completed_total", d, S::kCounter, uptime * 8, 80, 1, 0.05);
    b.Add("node_disk_read_bytes_total", d, S::kCounter, uptime * 3 * 16384, 30 * 16384, 512, 0.1);
    b.Add("node_disk_written_bytes_total", d, S::kCounter, uptime * 8 * 8192, 80 * 8192, 512, 0.05);
    b.Add("node_disk_io_time_seconds_total", d, S::kCounter, uptime * 0.02, 0.2, 0.001, 0.1);
  }
  struct Mount {
    const char* device;
    const char* fstype;
    const char* mountpoint;
    double size;
  };
  constexpr std::array<Mount, 3> kMounts = {{{"/dev/sda1", "ext4", "/", 100 * kGiB},
                                             {"/dev/sdb1", "xfs", "/data", 1000 * kGiB},
                                             {"tmpfs", "tmpfs", "/run", 2 * kGiB}}};
  for (const Mount& m : kMounts) {
    Labels l = {{"device", m.device}, {"fstype", m.fstype}, {"mountpoint", m.mountpoint}};
    double avail = m.size * b.Pick(0.2, 0.8);
    b.Add("node_filesystem_size_bytes", l, S::kConstant, m.size, 0, 4096);
    b.Add("node_filesystem_avail_bytes", l, S::kIntGauge, avail, 4096 * b.Pick(1, 300), 4096);
    b.Add("node_filesystem_free_bytes", l, S::kIntGauge, avail + 0.05 * m.size,
          4096 * b.Pick(1, 300), 4096);
  }
  for (int t = 1; t <= 4; ++t) {
    b.Add("node_hwmon_temp_celsius",
          {{"chip", "platform_coretemp_0"}, {"sensor", "temp" + std::to_string(t)}}, S::kFloatGauge,
          b.Pick(38, 60), 0.5, 0.01);
  }
  b.Add("node_context_switches_total", {}, S::kCounter, uptime * 3000, 30000, 1);
  b.Add("node_intr_total", {}, S::kCounter, uptime * 1500, 15000, 1);
  b.Add("node_forks_total", {}, S::kCounter, uptime * 2, 20, 1, 0.05);
  b.Add("node_procs_running", {}, S::kIntGauge, 2, 1, 1);
  b.Add("node_procs_blocked", {}, S::kIntGauge, 0, 0.3, 1);
  b.Add("node_sockstat_TCP_inuse", {}, S::kIntGauge, b.Pick(20, 400), 3, 1);
  b.Add("node_sockstat_TCP_tw", {}, S::kIntGauge, b.Pick(10, 200), 5, 1);
  b.Add("node_sockstat_UDP_inuse", {}, S::kIntGauge, b.Pick(2, 20), 0.4, 1);
  b.Add("node_sockstat_sockets_used", {}, S::kIntGauge, b.Pick(200, 900), 4, 1);
  b.Add("node_filefd_allocated", {}, S::kIntGauge, b.Pick(1000, 9000), 6, 1);
  b.Add("node_entropy_available_bits", {}, S::kIntGauge, 256, 0, 1);
  b.Add("node_time_seconds", {}, S::kClock, 0, 0, 0.001);
  for (const char* v : {"pgfault", "pgmajfault", "pgpgin", "pgpgout"}) {
    bool major = v[2] == 'm';
    b.Add(std::string("node_vmstat_") + v, {}, S::kCounter, uptime * (major ? 0.01 : 500),
          major ? 1 : 5000, 1, major ? 0.9 : 0.01);
  }
  return b.Take();
}

MetricWorkload::MetricWorkload(const MetricWorkloadOptions& options) : options_(options) {
  int instances = std::max(0, options.series) / kMetricSeriesPerInstance;
  for (int i = 0; i < instances; ++i) {
    for (MetricSeriesSpec& s : NodeExporterSeries(i, options.seed)) specs_.push_back(std::move(s));
  }
  for (const MetricSeriesSpec& s : specs_) {
    std::string bytes;
    for (const auto& [name, value] : s.labels) {
      PutLengthPrefix(&bytes, kTimeSeriesLabels,
                      LengthDelimitedSize(name.size()) + LengthDelimitedSize(value.size()));
      PutBytes(&bytes, kLabelName, name);
      PutBytes(&bytes, kLabelValue, value);
    }
    label_bytes_.push_back(std::move(bytes));
    values_.push_back(s.start);
  }
}

uint64_t MetricWorkload::total_samples() const {
  return static_cast<uint64_t>(specs_.size()) *
         static_cast<uint64_t>(std::max(0, options_.scrapes));
}

int64_t MetricWorkload::SampleTimeMs(int series_index, int scrape) const {
  int instance = series_index / kMetricSeriesPerInstance;
  uint64_t h = static_cast<uint64_t>(instance) * 0x9E3779B97F4A7C15ull ^
               static_cast<uint64_t>(scrape) * 0xC2B2AE3D27D4EB4Full;
  int64_t offset =
      (static_cast<int64_t>(instance) * 7919) % std::max<int64_t>(1, options_.interval_ms);
  int64_t jitter = static_cast<int64_t>(SplitMix(h).Next() % 3);  // scrape-time jitter, ms
  return options_.start_ms + static_cast<int64_t>(scrape) * options_.interval_ms + offset + jitter;
}

double MetricWorkload::Advance(size_t i, double value, uint64_t rng_seed, int scrape) const {
  const MetricSeriesSpec& s = specs_[i];
  SplitMix rng(rng_seed);
  switch (s.shape) {
    case SeriesShape::kConstant:
      return value;
    case SeriesShape::kClock:
      return static_cast<double>(SampleTimeMs(static_cast<int>(i), scrape)) / 1000.0;
    case SeriesShape::kCounter:
      if (s.step == 0 || Uniform(rng) < s.still_chance) return value;
      return value + std::max(s.quantum, Quantize(s.step * (0.5 + Uniform(rng)), s.quantum));
    case SeriesShape::kIntGauge: {
      double delta = Quantize(s.step * (Uniform(rng) + Uniform(rng) - 1) * 2, s.quantum);
      return std::max(0.0, value + delta);
    }
    case SeriesShape::kFloatGauge: {
      double pull = (s.start - value) * 0.1;
      return std::max(0.0, Quantize(value + pull + s.step * (Uniform(rng) - 0.5), s.quantum));
    }
  }
  return value;
}

size_t MetricWorkload::NextRequest(std::string* body) {
  body->clear();
  int per_request = std::max(1, options_.series_per_request);
  int per_series = std::max(1, options_.samples_per_series);
  int total = static_cast<int>(specs_.size());
  if (total == 0 || next_chunk_scrape_ >= options_.scrapes) return 0;
  int first = next_group_ * per_request;
  int last = std::min(total, first + per_request);
  int scrape_end = std::min(options_.scrapes, next_chunk_scrape_ + per_series);
  size_t samples = 0;
  for (int i = first; i < last; ++i) {
    size_t idx = static_cast<size_t>(i);
    samples_.clear();
    for (int k = next_chunk_scrape_; k < scrape_end; ++k) {
      uint64_t seed = options_.seed * 0xD6E8FEB86659FD93ull ^
                      static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ull ^
                      static_cast<uint64_t>(k) * 0xC2B2AE3D27D4EB4Full;
      if (k > 0 || specs_[idx].shape == SeriesShape::kClock) {
        values_[idx] = Advance(idx, values_[idx], seed, k);
      }
      auto ts = static_cast<uint64_t>(SampleTimeMs(i, k));
      PutLengthPrefix(&samples_, kTimeSeriesSamples, 9 + 1 + wire::VarintSize(ts));
      wire::PutTag(&samples_, kSampleValue, wire::kFixed64);
      wire::PutDouble(&samples_, values_[idx]);
      wire::PutTag(&samples_, kSampleTimestamp, wire::kVarint);
      wire::PutVarint(&samples_, ts);
      ++samples;
    }
    PutLengthPrefix(body, kWriteRequestTimeseries, label_bytes_[idx].size() + samples_.size());
    body->append(label_bytes_[idx]);
    body->append(samples_);
  }
  if (last >= total) {
    next_group_ = 0;
    next_chunk_scrape_ = scrape_end;
  } else {
    ++next_group_;
  }
  return samples;
}

}  // namespace periscope::loadgen
