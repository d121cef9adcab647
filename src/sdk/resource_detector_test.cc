#include <gtest/gtest.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <map>

#include "periscope/trace.h"
#include "sdk/captured_diagnostics.h"
#include "sdk/resource_detectors.h"

namespace periscope::trace {
namespace {

EnvGetter FakeEnv(std::map<std::string, std::string> vars) {
  return [vars](std::string_view k) -> std::optional<std::string> {
    auto it = vars.find(std::string(k));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string StringAttribute(const Resource& resource, std::string_view key) {
  const AttributeValue* value = FindAttribute(resource.attributes, key);
  if (value == nullptr || value->get_if<std::string>() == nullptr) return "<missing>";
  return *value->get_if<std::string>();
}

TEST(ResourceDetectorTest, DetectsThisProcessAndHost) {
  const Resource detected = DetectResource();

  const AttributeValue* pid = FindAttribute(detected.attributes, "process.pid");
  ASSERT_NE(pid, nullptr);
  ASSERT_NE(pid->get_if<int64_t>(), nullptr);
  EXPECT_EQ(*pid->get_if<int64_t>(), static_cast<int64_t>(getpid()));
  EXPECT_EQ(StringAttribute(detected, "process.executable.name"), "periscope_sdk_test");
  const std::string path = StringAttribute(detected, "process.executable.path");
  EXPECT_TRUE(path.starts_with("/")) << path;
  EXPECT_TRUE(path.ends_with("/periscope_sdk_test")) << path;
  EXPECT_EQ(StringAttribute(detected, "os.type"), "linux");

  char host[256] = {};
  ASSERT_EQ(gethostname(host, sizeof(host) - 1), 0);
  EXPECT_EQ(StringAttribute(detected, "host.name"), host);
  utsname system;
  ASSERT_EQ(uname(&system), 0);
  EXPECT_EQ(StringAttribute(detected, "host.arch"), internal::HostArch(system.machine));
#if defined(__x86_64__)
  EXPECT_EQ(StringAttribute(detected, "host.arch"), "amd64");
#elif defined(__aarch64__)
  EXPECT_EQ(StringAttribute(detected, "host.arch"), "arm64");
#endif
  EXPECT_EQ(FindAttribute(detected.attributes, "service.name"), nullptr);
}

TEST(ResourceDetectorTest, HostArchUsesSemanticConventionNames) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"x86_64", "amd64"}, {"aarch64", "arm64"}, {"arm64", "arm64"},
      {"i686", "x86"},     {"armv7l", "arm32"},  {"ppc64le", "ppc64"},
      {"s390x", "s390x"},  {"ia64", "ia64"},     {"riscv64", "riscv64"}};
  for (const auto& [machine, arch] : cases) {
    EXPECT_EQ(internal::HostArch(machine), arch) << machine;
  }
}

TEST(ResourceDetectorTest, ResourceFromEnvDefaultsTheServiceNameToTheExecutable) {
  const Resource resource = ResourceFromEnv(FakeEnv({}));
  EXPECT_EQ(StringAttribute(resource, "service.name"), "unknown_service:periscope_sdk_test");
  EXPECT_EQ(StringAttribute(resource, "telemetry.sdk.name"), "periscope");
  EXPECT_EQ(*FindAttribute(resource.attributes, "process.pid"),
            AttributeValue(static_cast<int64_t>(getpid())));
  EXPECT_EQ(StringAttribute(resource, "host.name"), StringAttribute(DetectResource(), "host.name"));
  // Resource::Default(), for providers built by hand, detects nothing.
  EXPECT_EQ(StringAttribute(Resource::Default(), "service.name"), "unknown_service");
  EXPECT_EQ(FindAttribute(Resource::Default().attributes, "process.pid"), nullptr);
}

TEST(ResourceDetectorTest, EnvironmentWinsOverDetection) {
  struct Case {
    std::map<std::string, std::string> env;
    std::string key;
    std::string expected;
  };
  const Case cases[] = {
      {{{"OTEL_RESOURCE_ATTRIBUTES", "host.name=web-3"}}, "host.name", "web-3"},
      {{{"OTEL_RESOURCE_ATTRIBUTES", "process.executable.name=renamed"}},
       "process.executable.name",
       "renamed"},
      {{{"OTEL_RESOURCE_ATTRIBUTES", "service.name=from-attributes"}},
       "service.name",
       "from-attributes"},
      {{{"OTEL_SERVICE_NAME", "checkout"}}, "service.name", "checkout"},
      {{{"OTEL_RESOURCE_ATTRIBUTES", "service.name=from-attributes"},
        {"OTEL_SERVICE_NAME", "checkout"}},
       "service.name",
       "checkout"},
      {{{"OTEL_SERVICE_NAME", ""}}, "service.name", "unknown_service:periscope_sdk_test"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(StringAttribute(ResourceFromEnv(FakeEnv(c.env)), c.key), c.expected) << c.key;
  }
  // Values from OTEL_RESOURCE_ATTRIBUTES are strings, even where the detected one is an int.
  EXPECT_EQ(
      *FindAttribute(
          ResourceFromEnv(FakeEnv({{"OTEL_RESOURCE_ATTRIBUTES", "process.pid=7"}})).attributes,
          "process.pid"),
      AttributeValue("7"));
}

TEST(ResourceDetectorTest, ProviderFromEnvCarriesTheDetectedResource) {
  auto provider = MakeTracerProviderFromEnv(FakeEnv({{"OTEL_TRACES_EXPORTER", "none"}}));
  EXPECT_EQ(StringAttribute(provider->resource(), "service.name"),
            "unknown_service:periscope_sdk_test");
  EXPECT_EQ(StringAttribute(provider->resource(), "process.executable.name"), "periscope_sdk_test");
}

TEST(ResourceFromEnvTest, AMalformedEntryDiscardsTheWholeValueAndIsNamed) {
  struct Case {
    std::string value;
    std::string bad;
  };
  const Case cases[] = {
      {"team=a,novalue", "bad entry \"novalue\" (no '=')"},
      {"team=a, = x", "bad entry \"= x\" (empty key)"},
      {"team=a,tier=%zz", "bad entry \"tier=%zz\" (bad percent-encoding)"},
      {"team=a,tier=50%", "bad entry \"tier=50%\" (bad percent-encoding)"},
      {"x,team=a,=y", "bad entry \"x\" (no '='), bad entry \"=y\" (empty key)"},
  };
  for (const Case& c : cases) {
    const EnvGetter env =
        FakeEnv({{"OTEL_RESOURCE_ATTRIBUTES", c.value}, {"OTEL_SERVICE_NAME", "checkout"}});
    const Resource resource = ResourceFromEnv(env);
    EXPECT_EQ(StringAttribute(resource, "team"), "<missing>") << c.value;
    EXPECT_EQ(StringAttribute(resource, "service.name"), "checkout") << c.value;
    EXPECT_EQ(
        EnvConfigWarnings(env),
        std::vector<std::string>{"OTEL_RESOURCE_ATTRIBUTES=\"" + c.value + "\" ignored: " + c.bad +
                                 "; the whole value is discarded, as the OpenTelemetry "
                                 "specification asks"})
        << c.value;
  }
}

TEST(ResourceFromEnvTest, EmptyEntriesAndSpacesAreNoError) {
  const EnvGetter env = FakeEnv({{"OTEL_RESOURCE_ATTRIBUTES", " team = a%20b ,, tier=1,"}});
  const Resource resource = ResourceFromEnv(env);
  EXPECT_EQ(StringAttribute(resource, "team"), "a b");
  EXPECT_EQ(StringAttribute(resource, "tier"), "1");
  EXPECT_TRUE(EnvConfigWarnings(env).empty());
}

TEST(ResourceFromEnvTest, ProviderFromEnvReportsAMalformedEntry) {
  testing::CapturedDiagnostics diagnostics(DiagnosticLevel::kWarn);
  auto provider = MakeTracerProviderFromEnv(
      FakeEnv({{"OTEL_TRACES_EXPORTER", "none"}, {"OTEL_RESOURCE_ATTRIBUTES", "team=a,tier"}}));
  EXPECT_EQ(StringAttribute(provider->resource(), "team"), "<missing>");
  const std::vector<std::string> warnings = diagnostics.messages(DiagnosticLevel::kWarn);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].rfind("OTEL_RESOURCE_ATTRIBUTES=\"team=a,tier\" ignored: bad entry "
                              "\"tier\" (no '=')",
                              0),
            0u)
      << warnings[0];
}

}  // namespace
}  // namespace periscope::trace
