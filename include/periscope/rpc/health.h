#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "periscope/rpc/service.h"
#include "periscope/rpc/status.h"

namespace periscope::rpc {

// Whether a server (or one of its services) takes calls, as the Health service reports it.
enum class ServingStatus : uint8_t {
  kUnknown = 0,
  kServing = 1,
  kNotServing = 2,
};

// `service` empty: the whole server.
struct HealthCheckRequest {
  std::string service;
};
struct HealthCheckReply {
  ServingStatus status = ServingStatus::kUnknown;
};

// The health-checking service (the counterpart of grpc.health.v1.Health). A ChannelPool with
// PoolOptions::health_check_interval calls Check on every endpoint; a server without it counts
// as healthy while it answers. Check of a service that was never set is NOT_FOUND.
struct Health {
  RPC_SERVICE("periscope.rpc.Health");
  RPC_IDEMPOTENT(Check, HealthCheckReply(HealthCheckRequest));
};

// The implementation of Health: a serving status per service name, where "" (the whole server)
// is SERVING from the start. Register it with `server.Register<Health>(health)`. Thread-safe.
class HealthService {
 public:
  HealthService();

  void SetStatus(std::string_view service, ServingStatus status);
  // Every service, the whole server included, reports NOT_SERVING from now on: call it before a
  // graceful shutdown so that pools stop sending new calls while the ones in flight finish.
  void Shutdown();

  boost::asio::awaitable<Result<HealthCheckReply>> Check(HealthCheckRequest request);

 private:
  mutable std::mutex mu_;
  std::map<std::string, ServingStatus, std::less<>> statuses_;
  bool shut_down_ = false;
};

}  // namespace periscope::rpc
