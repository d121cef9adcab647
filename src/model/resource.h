#pragma once

#include <cstdint>
#include <string>

#include "model/any_value.h"

namespace periscope {

// The unified tags every row of every signal carries. Value type.
struct UnifiedTags {
  std::string service;  // service.name; "unknown_service" when absent
  std::string env;      // deployment.environment.name, else deployment.environment
  std::string version;  // service.version
  std::string host;     // host.name
  bool operator==(const UnifiedTags&) const = default;
};

// Derives unified tags from OTLP resource attributes.
UnifiedTags ExtractUnifiedTags(const Attributes& resource_attributes);

// An OTLP resource with its derived unified tags. Value type.
struct Resource {
  Attributes attributes;
  uint32_t dropped_attributes_count = 0;
  std::string schema_url;
  UnifiedTags tags;
  bool operator==(const Resource&) const = default;
};

// An OTLP instrumentation scope. Value type.
struct Scope {
  std::string name;
  std::string version;
  Attributes attributes;
  uint32_t dropped_attributes_count = 0;
  std::string schema_url;
  bool operator==(const Scope&) const = default;
};

}  // namespace periscope
