#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "opentelemetry/proto/resource/v1/resource.pb.h"

namespace periscope::demo {

// The shop's services, in a fixed order (index = ShopService value).
enum class ShopService : int { kFrontend = 0, kCheckout, kCart, kPayment, kInventory };
constexpr int kShopServiceCount = 5;
std::string_view ShopServiceName(ShopService service);

// One running process of a shop service (a pod): what its OTel resource says. Value type.
struct ServiceInstance {
  ShopService service;
  std::string env;  // "prod" or "staging"
  std::string version;
  std::string host;  // node the pod runs on
  std::string pod;
  std::string sdk_language;
  std::string sdk_version;
  bool canary = false;
};

// Sets the OTel resource attributes `instance`'s SDK reports (service.name, service.version,
// deployment.environment.name, host.name, k8s and telemetry.sdk attributes).
void FillResource(const ServiceInstance& instance,
                  ::opentelemetry::proto::resource::v1::Resource* resource);

// Every instance of the shop: several pods per service in prod (checkout with a stable version
// and a newer canary), one pod per service in staging; fewer than 64 instances (ShopBatch keeps a
// bit per instance). Immutable after construction; thread-safe.
class ShopTopology {
 public:
  ShopTopology();

  const std::vector<ServiceInstance>& instances() const { return instances_; }
  // Indices into instances() of `service`'s pods in `env`, canary or not (checkout only has
  // canaries; for other services canary=true yields nothing).
  const std::vector<size_t>& Pods(ShopService service, bool staging, bool canary) const;

 private:
  std::vector<ServiceInstance> instances_;
  std::vector<size_t> pods_[kShopServiceCount][2][2];
};

}  // namespace periscope::demo
