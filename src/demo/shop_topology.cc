#include "demo/shop_topology.h"

#include <array>

namespace periscope::demo {
namespace {

struct ServiceSpec {
  std::string_view language;
  std::string_view sdk_version;
  std::string_view prod_version;
  std::string_view canary_version;  // empty: no canary
  std::string_view staging_version;
  int prod_pods;
  std::string_view pod_hash;
};

constexpr std::array<ServiceSpec, kShopServiceCount> kSpecs = {{
    {"nodejs", "1.26.0", "2.14.0", "", "2.15.0-rc.1", 3, "5c9f7d8b6"},
    {"go", "1.28.0", "1.8.3", "1.9.0", "1.9.1", 2, "7d4b9c5f8"},
    {"dotnet", "1.9.0", "3.2.1", "", "3.3.0", 2, "6b8d5f9c7"},
    {"nodejs", "1.26.0", "1.4.7", "", "1.5.0", 2, "84f6c9d7b"},
    {"java", "1.42.1", "5.0.2", "", "5.1.0", 2, "9f7b6c4d5"},
}};

constexpr std::array<std::string_view, 6> kPodSuffixes = {"x2k4q", "m7tzp", "c9wfd",
                                                          "r4hnb", "v8jls", "q3gxe"};

}  // namespace

std::string_view ShopServiceName(ShopService service) {
  static constexpr std::array<std::string_view, kShopServiceCount> kNames = {
      "frontend", "checkout", "cart", "payment", "inventory"};
  return kNames[static_cast<size_t>(service)];
}

void FillResource(const ServiceInstance& si,
                  ::opentelemetry::proto::resource::v1::Resource* resource) {
  auto* attrs = resource->mutable_attributes();
  auto add = [&](std::string_view k, std::string_view v) {
    auto* kv = attrs->Add();
    kv->set_key(std::string(k));
    kv->mutable_value()->set_string_value(std::string(v));
  };
  std::string name(ShopServiceName(si.service));
  add("service.name", name);
  add("service.version", si.version);
  add("service.namespace", "shop");
  add("service.instance.id", si.pod);
  add("deployment.environment.name", si.env);
  add("host.name", si.host);
  add("k8s.namespace.name", "shop-" + si.env);
  add("k8s.deployment.name", name);
  add("k8s.pod.name", si.pod);
  add("telemetry.sdk.name", "opentelemetry");
  add("telemetry.sdk.language", si.sdk_language);
  add("telemetry.sdk.version", si.sdk_version);
}

ShopTopology::ShopTopology() {
  int node = 0;
  for (int s = 0; s < kShopServiceCount; ++s) {
    const ServiceSpec& spec = kSpecs[static_cast<size_t>(s)];
    auto service = static_cast<ShopService>(s);
    std::string name(ShopServiceName(service));
    auto add = [&](bool staging, bool canary, std::string_view version, int ordinal) {
      ServiceInstance inst;
      inst.service = service;
      inst.env = staging ? "staging" : "prod";
      inst.version = std::string(version);
      inst.canary = canary;
      inst.host = staging ? "staging-node-1" : "prod-node-" + std::to_string(node++ % 4 + 1);
      std::string hash(spec.pod_hash);
      if (canary) hash = std::string(spec.pod_hash.substr(3)) + "a1b";
      inst.pod = name + (staging ? "-staging-" : "-") + hash + "-" +
                 std::string(kPodSuffixes[static_cast<size_t>(ordinal) % kPodSuffixes.size()]);
      inst.sdk_language = std::string(spec.language);
      inst.sdk_version = std::string(spec.sdk_version);
      pods_[s][staging][canary].push_back(instances_.size());
      instances_.push_back(std::move(inst));
    };
    for (int p = 0; p < spec.prod_pods; ++p) add(false, false, spec.prod_version, p);
    if (!spec.canary_version.empty()) add(false, true, spec.canary_version, spec.prod_pods);
    add(true, false, spec.staging_version, 0);
  }
}

const std::vector<size_t>& ShopTopology::Pods(ShopService service, bool staging,
                                              bool canary) const {
  return pods_[static_cast<int>(service)][staging][canary];
}

}  // namespace periscope::demo
