#include "periscope/trace/sampler.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "sdk/env_config.h"
#include "sdk/env_reader.h"
#include "sdk/tracer_shared.h"

namespace periscope::trace {
namespace {

class ConstantSampler final : public Sampler {
 public:
  explicit ConstantSampler(bool on) : on_(on) {}
  SamplingResult ShouldSample(const SamplingParameters& params) const override {
    SamplingResult r;
    r.decision = on_ ? SamplingDecision::kRecordAndSample : SamplingDecision::kDrop;
    if (params.parent.IsValid()) r.trace_state = params.parent.trace_state;
    return r;
  }
  std::string Description() const override { return on_ ? "AlwaysOnSampler" : "AlwaysOffSampler"; }
  bool on() const { return on_; }

 private:
  bool on_;
};

class RatioSampler final : public Sampler {
 public:
  explicit RatioSampler(double ratio)
      : ratio_(std::isnan(ratio) ? 0 : std::clamp(ratio, 0.0, 1.0)) {
    threshold_ = static_cast<uint64_t>(std::ldexp(ratio_, 56));
  }
  SamplingResult ShouldSample(const SamplingParameters& params) const override {
    uint64_t random = 0;
    const auto& b = params.trace_id.bytes();
    for (size_t i = 9; i < 16; ++i) random = random << 8 | b[i];
    SamplingResult r;
    r.decision = random < threshold_ ? SamplingDecision::kRecordAndSample : SamplingDecision::kDrop;
    if (params.parent.IsValid()) r.trace_state = params.parent.trace_state;
    return r;
  }
  std::string Description() const override {
    return "TraceIdRatioBased{" + std::to_string(ratio_) + "}";
  }

 private:
  double ratio_;
  uint64_t threshold_;
};

class ParentBased final : public Sampler {
 public:
  ParentBased(std::shared_ptr<const Sampler> root, ParentBasedOptions o)
      : root_(std::move(root)), o_(std::move(o)) {}
  SamplingResult ShouldSample(const SamplingParameters& params) const override {
    const SpanContext& p = params.parent;
    if (!p.IsValid()) return root_->ShouldSample(params);
    const Sampler* s;
    if (p.is_remote) {
      s = p.sampled() ? o_.remote_parent_sampled.get() : o_.remote_parent_not_sampled.get();
    } else {
      s = p.sampled() ? o_.local_parent_sampled.get() : o_.local_parent_not_sampled.get();
    }
    return s->ShouldSample(params);
  }
  std::string Description() const override {
    return "ParentBased{root:" + root_->Description() + "}";
  }
  const Sampler& root() const { return *root_; }
  // Whether every per-parent sampler is the default: follow the parent's sampled flag.
  bool FollowsParentFlag() const {
    const auto on = [](const std::shared_ptr<const Sampler>& s) {
      const auto* c = dynamic_cast<const ConstantSampler*>(s.get());
      return c != nullptr && c->on();
    };
    const auto off = [](const std::shared_ptr<const Sampler>& s) {
      const auto* c = dynamic_cast<const ConstantSampler*>(s.get());
      return c != nullptr && !c->on();
    };
    return on(o_.remote_parent_sampled) && on(o_.local_parent_sampled) &&
           off(o_.remote_parent_not_sampled) && off(o_.local_parent_not_sampled);
  }

 private:
  std::shared_ptr<const Sampler> root_;
  ParentBasedOptions o_;
};

}  // namespace

namespace internal {

SamplerShortcut ShortcutFor(const Sampler& sampler) {
  if (const auto* c = dynamic_cast<const ConstantSampler*>(&sampler)) {
    return c->on() ? SamplerShortcut::kAlwaysOn : SamplerShortcut::kAlwaysOff;
  }
  const auto* p = dynamic_cast<const ParentBased*>(&sampler);
  if (p == nullptr || !p->FollowsParentFlag()) return SamplerShortcut::kNone;
  const auto* root = dynamic_cast<const ConstantSampler*>(&p->root());
  if (root == nullptr) return SamplerShortcut::kNone;
  return root->on() ? SamplerShortcut::kParentBasedAlwaysOn
                    : SamplerShortcut::kParentBasedAlwaysOff;
}

}  // namespace internal

std::shared_ptr<const Sampler> AlwaysOnSampler() {
  static const auto* s =
      new std::shared_ptr<const Sampler>(std::make_shared<ConstantSampler>(true));
  return *s;
}

std::shared_ptr<const Sampler> AlwaysOffSampler() {
  static const auto* s =
      new std::shared_ptr<const Sampler>(std::make_shared<ConstantSampler>(false));
  return *s;
}

std::shared_ptr<const Sampler> TraceIdRatioBasedSampler(double ratio) {
  return std::make_shared<RatioSampler>(ratio);
}

std::shared_ptr<const Sampler> ParentBasedSampler(std::shared_ptr<const Sampler> root,
                                                  ParentBasedOptions options) {
  if (!root) root = AlwaysOnSampler();
  return std::make_shared<ParentBased>(std::move(root), std::move(options));
}

namespace internal {

std::shared_ptr<const Sampler> SamplerFromEnv(const EnvReader& env) {
  const std::string name =
      AsciiLower(env.Get("OTEL_TRACES_SAMPLER").value_or("parentbased_always_on"));
  const bool takes_ratio = name == "traceidratio" || name == "parentbased_traceidratio";
  double ratio = 1.0;
  if (std::optional<std::string> arg = env.Get("OTEL_TRACES_SAMPLER_ARG"); arg && takes_ratio) {
    char* end = nullptr;
    double v = std::strtod(arg->c_str(), &end);
    if (end != arg->c_str() && *end == '\0' && v >= 0 && v <= 1) {
      ratio = v;
    } else {
      env.Warn("OTEL_TRACES_SAMPLER_ARG", *arg, "not a ratio in [0, 1], 1.0 used");
    }
  }
  if (name == "always_on") return AlwaysOnSampler();
  if (name == "always_off") return AlwaysOffSampler();
  if (name == "traceidratio") return TraceIdRatioBasedSampler(ratio);
  if (name == "parentbased_always_off") return ParentBasedSampler(AlwaysOffSampler());
  if (name == "parentbased_traceidratio") {
    return ParentBasedSampler(TraceIdRatioBasedSampler(ratio));
  }
  if (name != "parentbased_always_on") {
    env.Warn("OTEL_TRACES_SAMPLER", name, "unknown sampler, parentbased_always_on used");
  }
  return ParentBasedSampler(AlwaysOnSampler());
}

}  // namespace internal

std::shared_ptr<const Sampler> SamplerFromEnv(const EnvGetter& env) {
  return internal::SamplerFromEnv(internal::EnvReader(env, nullptr));
}

}  // namespace periscope::trace
