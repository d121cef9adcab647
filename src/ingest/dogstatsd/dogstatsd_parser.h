#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace periscope {

// DogStatsD metric types: c, g, ms, h, s, d.
enum class DogStatsdType : uint8_t { kCounter, kGauge, kTimer, kHistogram, kSet, kDistribution };

// One parsed metric line `name:v[:v...]|type[|@rate][|#tags][|T<ts>][|c:<container>]`. The
// views point into the datagram, so it lives only as long as the packet buffer. Value type.
struct DogStatsdMetric {
  std::string_view name;
  DogStatsdType type = DogStatsdType::kGauge;
  std::vector<double> values;             // every type but sets
  std::vector<std::string_view> members;  // sets: the raw members
  double sample_rate = 1.0;               // in (0, 1]
  std::vector<std::string_view> tags;     // raw `key:value` or `key`
  int64_t timestamp_s = 0;                // 0 when the line has no `|T`
};

// What one line of a packet is.
enum class DogStatsdLineKind : uint8_t { kMetric, kEvent, kServiceCheck };

// Parses one line (no trailing newline). InvalidArgument with a reason when malformed; unknown
// `|x:` extension fields (container id, external data) are ignored.
Result<DogStatsdLineKind> ParseDogStatsdLine(std::string_view line, DogStatsdMetric* metric);

// Per-packet tallies of ParseDogStatsdPacket. Value type.
struct DogStatsdPacketStats {
  uint64_t metric_lines = 0;
  uint64_t events = 0;
  uint64_t service_checks = 0;
  uint64_t malformed = 0;
};

// Splits a datagram on '\n' (a trailing "\r" and empty lines are skipped) and calls
// `on_metric(const DogStatsdMetric&)` for every well-formed metric line and
// `on_other(DogStatsdLineKind, std::string_view line)` for every well-formed event and service
// check line; malformed lines are counted and skipped.
template <typename OnMetric, typename OnOther>
DogStatsdPacketStats ParseDogStatsdPacket(std::string_view packet, OnMetric&& on_metric,
                                          OnOther&& on_other) {
  DogStatsdPacketStats stats;
  DogStatsdMetric metric;
  while (!packet.empty()) {
    const size_t nl = packet.find('\n');
    std::string_view line = packet.substr(0, nl);
    packet.remove_prefix(nl == std::string_view::npos ? packet.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    auto kind = ParseDogStatsdLine(line, &metric);
    if (!kind.ok()) {
      ++stats.malformed;
    } else if (*kind == DogStatsdLineKind::kMetric) {
      ++stats.metric_lines;
      on_metric(static_cast<const DogStatsdMetric&>(metric));
    } else {
      ++(*kind == DogStatsdLineKind::kEvent ? stats.events : stats.service_checks);
      on_other(*kind, line);
    }
  }
  return stats;
}

template <typename OnMetric>
DogStatsdPacketStats ParseDogStatsdPacket(std::string_view packet, OnMetric&& on_metric) {
  return ParseDogStatsdPacket(packet, std::forward<OnMetric>(on_metric),
                              [](DogStatsdLineKind, std::string_view) {});
}

}  // namespace periscope
