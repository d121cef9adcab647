#include "sdk/resource_detectors.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <utility>

#include "periscope/trace/common.h"
#include "periscope/trace/otlp.h"
#include "sdk/env_config.h"
#include "sdk/env_reader.h"
#include "sdk/resource_attributes_env.h"

namespace periscope::trace {
namespace {

void DetectHost(Attributes& attributes) {
  std::array<char, 256> name{};
  if (::gethostname(name.data(), name.size() - 1) == 0 && name[0] != '\0') {
    SetAttribute(attributes, "host.name", std::string(name.data()));
  }
  struct utsname system;
  if (::uname(&system) == 0)
    SetAttribute(attributes, "host.arch", internal::HostArch(system.machine));
}

void DetectOs(Attributes& attributes) {
#ifdef __linux__
  SetAttribute(attributes, "os.type", "linux");
#else
  (void)attributes;
#endif
}

void DetectProcess(Attributes& attributes) {
  SetAttribute(attributes, "process.pid", static_cast<int64_t>(::getpid()));
  std::error_code error;
  std::string path = std::filesystem::read_symlink("/proc/self/exe", error).string();
  if (error || path.empty()) return;
  constexpr std::string_view kDeleted = " (deleted)";  // the binary was replaced since it started
  if (path.ends_with(kDeleted)) path.resize(path.size() - kDeleted.size());
  SetAttribute(attributes, "process.executable.name",
               std::filesystem::path(path).filename().string());
  SetAttribute(attributes, "process.executable.path", path);
}

}  // namespace

namespace internal {

std::string HostArch(std::string_view machine) {
  static constexpr std::pair<std::string_view, std::string_view> kArchs[] = {
      {"x86_64", "amd64"},  {"amd64", "amd64"},  {"aarch64", "arm64"}, {"arm64", "arm64"},
      {"i386", "x86"},      {"i486", "x86"},     {"i586", "x86"},      {"i686", "x86"},
      {"armv7l", "arm32"},  {"armv6l", "arm32"}, {"arm", "arm32"},     {"ppc64", "ppc64"},
      {"ppc64le", "ppc64"}, {"ppc", "ppc32"},    {"s390x", "s390x"},   {"ia64", "ia64"}};
  for (const auto& [uname_machine, arch] : kArchs) {
    if (machine == uname_machine) return std::string(arch);
  }
  return std::string(machine);
}

}  // namespace internal

Resource DetectResource() {
  Resource resource;
  DetectHost(resource.attributes);
  DetectOs(resource.attributes);
  DetectProcess(resource.attributes);
  return resource;
}

namespace internal {

Resource ResourceFromEnv(const EnvReader& env) {
  Resource resource = Resource::Default();
  for (auto& [key, value] : DetectResource().attributes) {
    SetAttribute(resource.attributes, key, std::move(value));
  }
  const AttributeValue* executable = FindAttribute(resource.attributes, "process.executable.name");
  if (executable != nullptr && executable->get_if<std::string>() != nullptr) {
    std::string service = "unknown_service:" + *executable->get_if<std::string>();
    SetAttribute(resource.attributes, "service.name", std::move(service));
  }
  if (std::optional<std::string> value = env.Get("OTEL_RESOURCE_ATTRIBUTES")) {
    std::string error;
    if (auto attributes = ParseResourceAttributes(*value, &error)) {
      for (auto& [key, decoded] : *attributes) {
        SetAttribute(resource.attributes, key, std::move(decoded));
      }
    } else {
      env.Warn("OTEL_RESOURCE_ATTRIBUTES", *value,
               error + "; the whole value is discarded, as the OpenTelemetry specification asks");
    }
  }
  if (std::optional<std::string> name = env.Get("OTEL_SERVICE_NAME")) {
    SetAttribute(resource.attributes, "service.name", *name);
  }
  return resource;
}

}  // namespace internal

Resource ResourceFromEnv(const EnvGetter& env) {
  return internal::ResourceFromEnv(internal::EnvReader(env, nullptr));
}

}  // namespace periscope::trace
