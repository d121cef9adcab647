#include "model/resource.h"

namespace periscope {

namespace {
std::string StringOf(const Attributes& attrs, std::string_view key) {
  const AnyValue* v = FindAttribute(attrs, key);
  return v ? v->ToString() : std::string();
}
}  // namespace

UnifiedTags ExtractUnifiedTags(const Attributes& attrs) {
  UnifiedTags tags;
  tags.service = StringOf(attrs, "service.name");
  if (tags.service.empty()) tags.service = "unknown_service";
  tags.env = StringOf(attrs, "deployment.environment.name");
  if (tags.env.empty()) tags.env = StringOf(attrs, "deployment.environment");
  tags.version = StringOf(attrs, "service.version");
  tags.host = StringOf(attrs, "host.name");
  return tags;
}

}  // namespace periscope
