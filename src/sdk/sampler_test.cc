#include "periscope/trace/sampler.h"

#include <gtest/gtest.h>

#include <map>

namespace periscope::trace {
namespace {

TraceId IdWithLow56(uint64_t low) {
  std::array<uint8_t, 16> b{};
  b[0] = 0xab;  // high bytes must not matter
  for (int i = 0; i < 7; ++i) b[15 - i] = static_cast<uint8_t>(low >> (8 * i));
  return TraceId(b);
}

SamplingDecision Decide(const Sampler& s, const TraceId& id, const SpanContext& parent = {}) {
  Attributes attrs;
  std::vector<SpanLink> links;
  return s.ShouldSample({parent, id, "op", SpanKind::kInternal, attrs, links}).decision;
}

TEST(SamplerTest, AlwaysOnAndOff) {
  TraceId id = IdWithLow56(123);
  EXPECT_EQ(Decide(*AlwaysOnSampler(), id), SamplingDecision::kRecordAndSample);
  EXPECT_EQ(Decide(*AlwaysOffSampler(), id), SamplingDecision::kDrop);
}

TEST(SamplerTest, RatioIsDeterministicByTraceId) {
  auto half = TraceIdRatioBasedSampler(0.5);
  const uint64_t kHalf = uint64_t{1} << 55;
  EXPECT_EQ(Decide(*half, IdWithLow56(kHalf - 1)), SamplingDecision::kRecordAndSample);
  EXPECT_EQ(Decide(*half, IdWithLow56(kHalf)), SamplingDecision::kDrop);
  EXPECT_EQ(Decide(*TraceIdRatioBasedSampler(0), IdWithLow56(0)), SamplingDecision::kDrop);
  EXPECT_EQ(Decide(*TraceIdRatioBasedSampler(1), IdWithLow56((uint64_t{1} << 56) - 1)),
            SamplingDecision::kRecordAndSample);

  // Over many pseudo-random ids the sampled fraction is close to the ratio, and the same id always
  // gets the same answer.
  auto tenth = TraceIdRatioBasedSampler(0.1);
  uint64_t x = 0x9e3779b97f4a7c15, sampled = 0;
  for (int i = 0; i < 20000; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    TraceId id = IdWithLow56(x & ((uint64_t{1} << 56) - 1));
    SamplingDecision d = Decide(*tenth, id);
    EXPECT_EQ(d, Decide(*tenth, id));
    sampled += d == SamplingDecision::kRecordAndSample;
  }
  EXPECT_NEAR(static_cast<double>(sampled) / 20000, 0.1, 0.01);
}

TEST(SamplerTest, ParentBasedHonoursSampledFlag) {
  auto sampler = ParentBasedSampler(AlwaysOffSampler());
  TraceId id = IdWithLow56(5);
  SpanContext parent;
  parent.trace_id = id;
  parent.span_id = SpanId(std::array<uint8_t, 8>{1, 2, 3, 4, 5, 6, 7, 8});
  parent.is_remote = true;
  parent.flags.value = TraceFlags::kSampled;
  EXPECT_EQ(Decide(*sampler, id, parent), SamplingDecision::kRecordAndSample);
  parent.flags.value = 0;
  EXPECT_EQ(Decide(*sampler, id, parent), SamplingDecision::kDrop);
  parent.is_remote = false;
  EXPECT_EQ(Decide(*sampler, id, parent), SamplingDecision::kDrop);
  EXPECT_EQ(Decide(*sampler, id), SamplingDecision::kDrop);  // root: AlwaysOff
  EXPECT_EQ(Decide(*ParentBasedSampler(AlwaysOnSampler()), id), SamplingDecision::kRecordAndSample);
}

TEST(SamplerTest, FromEnv) {
  auto env = [](std::map<std::string, std::string> vars) -> EnvGetter {
    return [vars](std::string_view k) -> std::optional<std::string> {
      auto it = vars.find(std::string(k));
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
  };
  EXPECT_EQ(SamplerFromEnv(env({}))->Description(), "ParentBased{root:AlwaysOnSampler}");
  EXPECT_EQ(SamplerFromEnv(env({{"OTEL_TRACES_SAMPLER", "always_off"}}))->Description(),
            "AlwaysOffSampler");
  EXPECT_EQ(SamplerFromEnv(env({{"OTEL_TRACES_SAMPLER", "Always_Off"}}))->Description(),
            "AlwaysOffSampler");
  EXPECT_EQ(SamplerFromEnv(env({{"OTEL_TRACES_SAMPLER", "xray"}}))->Description(),
            "ParentBased{root:AlwaysOnSampler}");
  EXPECT_EQ(SamplerFromEnv(env({{"OTEL_TRACES_SAMPLER", "parentbased_traceidratio"},
                                {"OTEL_TRACES_SAMPLER_ARG", "0.25"}}))
                ->Description(),
            "ParentBased{root:TraceIdRatioBased{0.250000}}");
  EXPECT_EQ(SamplerFromEnv(env({{"OTEL_TRACES_SAMPLER", "traceidratio"},
                                {"OTEL_TRACES_SAMPLER_ARG", "bogus"}}))
                ->Description(),
            "TraceIdRatioBased{1.000000}");
}

}  // namespace
}  // namespace periscope::trace
