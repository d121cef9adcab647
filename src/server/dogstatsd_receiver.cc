#include "server/dogstatsd_receiver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "base/log.h"
#include "base/metrics.h"
#include "base/time.h"
#include "ingest/dogstatsd/dogstatsd_aggregator.h"
#include "ingest/dogstatsd/dogstatsd_event.h"
#include "ingest/otlp/log_decoder.h"
#include "ingest/promrw/remote_write_encoder.h"

namespace periscope {

namespace {

Counter* const g_packets = MetricsRegistry::Global().NewCounter("periscope_dogstatsd_packets_total",
                                                                "DogStatsD datagrams received.");
Counter* const g_metric_lines = MetricsRegistry::Global().NewCounter(
    "periscope_dogstatsd_metric_lines_total", "DogStatsD metric lines parsed.");
Counter* const g_malformed = MetricsRegistry::Global().NewCounter(
    "periscope_dogstatsd_malformed_lines_total", "DogStatsD lines skipped as malformed.");
Counter* const g_events = MetricsRegistry::Global().NewCounter(
    "periscope_dogstatsd_events_total", "DogStatsD events received (counted, not stored yet).");
Counter* const g_service_checks = MetricsRegistry::Global().NewCounter(
    "periscope_dogstatsd_service_checks_total",
    "DogStatsD service checks received (counted, not stored yet).");
Counter* const g_flush_failures = MetricsRegistry::Global().NewCounter(
    "periscope_dogstatsd_flush_failures_total",
    "DogStatsD flush intervals whose samples could not be stored durably (dropped).");

constexpr size_t kMaxDatagram = 65536;
constexpr int kPollCapMs = 100;

void SetReceiveBuffer(int fd, int bytes) {
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes)) != 0) {
    LogWarn("dogstatsd: SO_RCVBUF {}: {}", bytes, std::strerror(errno));
  }
}

}  // namespace

DogStatsdReceiver::DogStatsdReceiver(DogStatsdOptions options, MetricsPipeline& pipeline,
                                     LogPipeline* logs)
    : options_(std::move(options)), pipeline_(pipeline), logs_(logs) {}

DogStatsdReceiver::~DogStatsdReceiver() { Stop(); }

Status DogStatsdReceiver::OpenUdp() {
  const size_t colon = options_.listen.rfind(':');
  if (colon == std::string::npos) {
    return Status::InvalidArgument("dogstatsd listen '{}' is not host:port", options_.listen);
  }
  std::string host = options_.listen.substr(0, colon);
  const std::string port_text = options_.listen.substr(colon + 1);
  char* end = nullptr;
  const long port = std::strtol(port_text.c_str(), &end, 10);
  if (port_text.empty() || *end != '\0' || port < 0 || port > 65535) {
    return Status::InvalidArgument("dogstatsd listen '{}': bad port", options_.listen);
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) host = "0.0.0.0";
  sockaddr_storage addr{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    len = sizeof(*v4);
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    len = sizeof(*v6);
  } else {
    return Status::InvalidArgument("dogstatsd listen '{}': host must be an IP address",
                                   options_.listen);
  }
  udp_fd_ = socket(addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (udp_fd_ < 0) return Status::IOError("dogstatsd socket: {}", std::strerror(errno));
  SetReceiveBuffer(udp_fd_, options_.receive_buffer_bytes);
  if (bind(udp_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    return Status::IOError("dogstatsd bind {}: {}", options_.listen, std::strerror(errno));
  }
  sockaddr_storage bound{};
  socklen_t bound_len = sizeof(bound);
  getsockname(udp_fd_, reinterpret_cast<sockaddr*>(&bound), &bound_len);
  port_ = ntohs(bound.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&bound)->sin_port
                                           : reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
  return Status::Ok();
}

Status DogStatsdReceiver::OpenUnix() {
  sockaddr_un addr{};
  if (options_.unix_socket_path.size() >= sizeof(addr.sun_path)) {
    return Status::InvalidArgument("dogstatsd socket path '{}' is too long",
                                   options_.unix_socket_path);
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, options_.unix_socket_path.data(), options_.unix_socket_path.size());
  ::unlink(options_.unix_socket_path.c_str());  // a stale socket of a previous run
  unix_fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (unix_fd_ < 0) return Status::IOError("dogstatsd unix socket: {}", std::strerror(errno));
  SetReceiveBuffer(unix_fd_, options_.receive_buffer_bytes);
  if (bind(unix_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    return Status::IOError("dogstatsd bind {}: {}", options_.unix_socket_path,
                           std::strerror(errno));
  }
  return Status::Ok();
}

Status DogStatsdReceiver::Start() {
  if (options_.flush_interval_ns <= 0) {
    return Status::InvalidArgument("dogstatsd flush interval must be positive");
  }
  Status s = options_.listen.empty() ? Status::Ok() : OpenUdp();
  if (s.ok() && !options_.unix_socket_path.empty()) s = OpenUnix();
  if (!s.ok()) {
    Stop();
    return s;
  }
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
  LogInfo("dogstatsd listening on udp :{}{}{}", port_,
          options_.unix_socket_path.empty() ? "" : " and unix ", options_.unix_socket_path);
  return Status::Ok();
}

void DogStatsdReceiver::Loop() {
  DogStatsdAggregatorOptions agg_options;
  agg_options.tenant = options_.tenant;
  DogStatsdAggregator aggregator(agg_options);
  std::vector<char> buf(kMaxDatagram);
  auto on_metric = [&aggregator](const DogStatsdMetric& m) { aggregator.Add(m); };
  std::vector<DogStatsdEvent> events;
  std::vector<DogStatsdServiceCheck> checks;
  // Events and service checks become log rows at the next flush; a check is also the gauge
  // `service_check_status` (0 OK .. 3 UNKNOWN) tagged with `check`.
  auto on_other = [&](DogStatsdLineKind kind, std::string_view line) {
    if (kind == DogStatsdLineKind::kEvent) {
      if (auto e = ParseDogStatsdEvent(line); e.ok()) events.push_back(std::move(e).value());
      return;
    }
    auto c = ParseDogStatsdServiceCheck(line);
    if (!c.ok()) return;
    std::vector<std::string> tags = c->tags;
    tags.push_back("check:" + c->name);
    if (!c->hostname.empty()) tags.push_back("host:" + c->hostname);
    DogStatsdMetric m;
    m.name = "service_check.status";
    m.type = DogStatsdType::kGauge;
    m.values = {static_cast<double>(c->status)};
    m.timestamp_s = c->timestamp_s;
    for (const std::string& t : tags) m.tags.push_back(t);
    aggregator.Add(m);
    checks.push_back(std::move(c).value());
  };
  auto flush_logs = [&] {
    if (!logs_ || (events.empty() && checks.empty())) return;
    const int64_t now = NowNanos();
    auto request = DogStatsdToOtlpLogs(events, checks, now);
    events.clear();
    checks.clear();
    DecodedLogs decoded = DecodeLogsMessage(request, options_.tenant, now);
    if (Status s = logs_->Ingest(std::move(decoded)); !s.ok()) {
      g_flush_failures->Add();
      LogError("dogstatsd events flush failed: {}", s.ToString());
    }
  };
  auto flush = [&] {
    flush_logs();
    MetricBatch batch = aggregator.Flush(NowNanos() / 1000000);
    if (batch.series.empty()) return;
    const std::string payload = EncodeRemoteWrite(batch);
    if (Status s = pipeline_.Ingest(std::move(batch), WalRecordType::kPromRemoteWrite, payload);
        !s.ok()) {
      g_flush_failures->Add();
      LogError("dogstatsd flush failed: {}", s.ToString());
    }
  };
  // Reads every datagram queued on fd without blocking.
  auto drain = [&](int fd) {
    for (int i = 0; i < 4096; ++i) {
      const ssize_t n = recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
      if (n < 0) break;
      g_packets->Add();
      DogStatsdPacketStats st = ParseDogStatsdPacket(
          std::string_view(buf.data(), static_cast<size_t>(n)), on_metric, on_other);
      g_metric_lines->Add(st.metric_lines);
      g_malformed->Add(st.malformed);
      g_events->Add(st.events);
      g_service_checks->Add(st.service_checks);
    }
  };
  std::vector<pollfd> fds;
  for (int fd : {udp_fd_, unix_fd_}) {
    if (fd >= 0) fds.push_back({fd, POLLIN, 0});
  }
  int64_t next_flush = MonotonicNanos() + options_.flush_interval_ns;
  while (!stopping_.load(std::memory_order_acquire)) {
    const int64_t wait_ms =
        std::clamp<int64_t>((next_flush - MonotonicNanos()) / 1000000, 0, kPollCapMs);
    const int ready = poll(fds.data(), fds.size(), static_cast<int>(wait_ms));
    if (ready > 0) {
      for (const pollfd& p : fds) {
        if (p.revents & POLLIN) drain(p.fd);
      }
    }
    if (MonotonicNanos() >= next_flush) {
      flush();
      next_flush += options_.flush_interval_ns;
      if (next_flush < MonotonicNanos()) next_flush = MonotonicNanos() + options_.flush_interval_ns;
    }
  }
  for (const pollfd& p : fds) drain(p.fd);
  flush();
}

void DogStatsdReceiver::Stop() {
  stopping_.store(true, std::memory_order_release);
  if (thread_.joinable()) thread_.join();
  if (udp_fd_ >= 0) ::close(udp_fd_);
  if (unix_fd_ >= 0) {
    ::close(unix_fd_);
    ::unlink(options_.unix_socket_path.c_str());
  }
  udp_fd_ = unix_fd_ = -1;
}

}  // namespace periscope
