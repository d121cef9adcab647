#include "periscope/trace/common.h"

#include <cstdlib>

namespace periscope::trace {

void SetAttribute(Attributes& attrs, std::string_view key, AttributeValue value) {
  for (auto& [k, v] : attrs) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  attrs.emplace_back(std::string(key), std::move(value));
}

const AttributeValue* FindAttribute(std::span<const KeyValue> attrs, std::string_view key) {
  for (const auto& [k, v] : attrs) {
    if (k == key) return &v;
  }
  return nullptr;
}

Resource Resource::Default() {
  return Resource{{{"service.name", "unknown_service"},
                   {"telemetry.sdk.name", "periscope"},
                   {"telemetry.sdk.language", "cpp"},
                   {"telemetry.sdk.version", "0.1.0"}}};
}

Resource Resource::MergedOverDefault() const {
  Resource out = Default();
  for (const auto& [k, v] : attributes) SetAttribute(out.attributes, k, v);
  return out;
}

EnvGetter SystemEnv() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

}  // namespace periscope::trace
