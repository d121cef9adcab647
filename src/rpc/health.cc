#include "periscope/rpc/health.h"

namespace periscope::rpc {

HealthService::HealthService() { statuses_.emplace("", ServingStatus::kServing); }

void HealthService::SetStatus(std::string_view service, ServingStatus status) {
  std::lock_guard lock(mu_);
  statuses_.insert_or_assign(std::string(service), status);
}

void HealthService::Shutdown() {
  std::lock_guard lock(mu_);
  shut_down_ = true;
}

boost::asio::awaitable<Result<HealthCheckReply>> HealthService::Check(HealthCheckRequest request) {
  HealthCheckReply reply;
  {
    std::lock_guard lock(mu_);
    auto it = statuses_.find(request.service);
    if (it == statuses_.end()) {
      co_return Status(StatusCode::kNotFound,
                       "no health status for service \"" + request.service + "\"");
    }
    reply.status = shut_down_ ? ServingStatus::kNotServing : it->second;
  }
  co_return reply;
}

}  // namespace periscope::rpc
