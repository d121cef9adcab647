#include "periscope/trace/tracer.h"

#include <cstring>
#include <random>
#include <thread>

#include "sdk/span_pool.h"
#include "sdk/tracer_shared.h"

namespace periscope::trace {
namespace internal {
namespace {

// xoshiro256** (Blackman and Vigna): fast, and ids need no more than statistical randomness.
// Seeded per thread from std::random_device through splitmix64.
class IdRng {
 public:
  IdRng() {
    std::random_device rd;
    uint64_t seed =
        (uint64_t{rd()} << 32) ^ rd() ^ std::hash<std::thread::id>()(std::this_thread::get_id());
    for (uint64_t& word : s_) word = SplitMix64(seed);
  }
  uint64_t operator()() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t SplitMix64(uint64_t& state) {
    uint64_t z = (state += 0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return z ^ (z >> 31);
  }
  uint64_t s_[4];
};

thread_local IdRng rng;

template <class Id>
Id NewId() {
  std::array<uint8_t, Id::kSize> bytes;
  do {
    for (size_t i = 0; i < Id::kSize; i += 8) {
      const uint64_t r = rng();
      std::memcpy(bytes.data() + i, &r, 8);
    }
  } while (!Id(bytes).IsValid());
  return Id(bytes);
}

}  // namespace

TraceId NewTraceId() { return NewId<TraceId>(); }
SpanId NewSpanId() { return NewId<SpanId>(); }

}  // namespace internal

namespace {

// Whether the attributes can become the span's as they are: within the limits, no key twice.
bool UsableAsIs(const Attributes& attributes, const SpanLimits& limits) {
  constexpr size_t kMaxChecked = 16;
  if (limits.max_attribute_value_length != 0 || attributes.size() > limits.max_attributes ||
      attributes.size() > kMaxChecked) {
    return false;
  }
  for (size_t i = 1; i < attributes.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (attributes[i].first == attributes[j].first) return false;
    }
  }
  return true;
}

// Sets the recycled data's attributes to `owned` (moved), within the limits, reusing the
// strings already there.
void SetStartAttributes(SpanData& data, Attributes& owned, const SpanLimits& limits) {
  Attributes& attrs = data.attributes;
  if (!UsableAsIs(owned, limits)) {
    attrs.clear();
    for (auto& [key, value] : owned)
      internal::AddSpanAttribute(data, limits, key, std::move(value));
    return;
  }
  const size_t kept = std::min(attrs.size(), owned.size());
  for (size_t i = 0; i < kept; ++i) {
    attrs[i].first = std::move(owned[i].first);
    attrs[i].second = std::move(owned[i].second);
  }
  attrs.erase(attrs.begin() + static_cast<ptrdiff_t>(kept), attrs.end());
  for (size_t i = kept; i < owned.size(); ++i) attrs.push_back(std::move(owned[i]));
}

}  // namespace

std::shared_ptr<Span> Tracer::StartSpan(std::string_view name, StartSpanOptions options) const {
  static const SpanContext kNoParent;
  const SpanContext* parent_ptr = &kNoParent;
  if (options.remote_parent) {
    options.remote_parent->is_remote = true;
    parent_ptr = &*options.remote_parent;
  } else {
    const Context& parent_ctx = options.parent ? *options.parent : internal::CurrentContextRef();
    if (parent_ctx.span()) parent_ptr = &parent_ctx.span()->context();
  }
  const SpanContext& parent = *parent_ptr;
  const internal::ProviderState& provider = *shared_->provider;

  SpanContext sc;
  sc.trace_id = parent.IsValid() ? parent.trace_id : internal::NewTraceId();
  sc.span_id = internal::NewSpanId();
  // The sampler sees every starting attribute in one list.
  Attributes merged;
  std::span<const KeyValue> sampled_attributes = options.attributes;
  if (options.shared_attributes && !options.shared_attributes->empty()) {
    if (options.attributes.empty()) {
      sampled_attributes = *options.shared_attributes;
    } else {
      merged = *options.shared_attributes;
      for (const KeyValue& kv : options.attributes) SetAttribute(merged, kv.first, kv.second);
      sampled_attributes = merged;
    }
  }
  SamplingResult result = provider.sampler->ShouldSample(
      {parent, sc.trace_id, name, options.kind, sampled_attributes, options.links});
  if (result.decision == SamplingDecision::kRecordAndSample) sc.flags.value |= TraceFlags::kSampled;
  if (result.trace_state) {
    sc.trace_state = std::move(*result.trace_state);
  } else if (parent.IsValid()) {
    sc.trace_state = parent.trace_state;
  }
  if (result.decision == SamplingDecision::kDrop || provider.shut_down.load()) {
    return Span::NonRecording(sc);
  }

  // The span and its control block come from a per-thread free list, its data (with the
  // capacity of an earlier span's strings) from another. It is not shared yet: its data is
  // filled without locking, every field overwritten.
  auto span = std::allocate_shared<Span>(internal::SpanBlockAllocator<Span>(), Span::PrivateTag(),
                                         sc, shared_);
  SpanData& data = *span->data_;
  data.context = sc;
  data.parent_span_id = parent.IsValid() ? parent.span_id : SpanId();
  data.parent_is_remote = parent.is_remote;
  data.name.assign(name);
  data.kind = options.kind;
  data.start_time = options.start_time.value_or(Clock::now());
  data.end_time = Timestamp();
  data.status = StatusCode::kUnset;
  data.status_message.clear();
  data.dropped_attributes = 0;
  data.dropped_events = 0;
  data.dropped_links = 0;
  if (data.resource != provider.resource) data.resource = provider.resource;
  if (data.scope != shared_->scope) data.scope = shared_->scope;
  SetStartAttributes(data, options.attributes, provider.limits);
  if (data.shared_attributes != options.shared_attributes) {
    data.shared_attributes = std::move(options.shared_attributes);
  }
  for (auto& [key, value] : result.attributes) {
    internal::AddSpanAttribute(data, provider.limits, key, std::move(value));
  }
  data.events.clear();
  data.links.clear();
  for (SpanLink& link : options.links) {
    if (!link.context.IsValid()) continue;
    if (data.links.size() >= provider.limits.max_links) {
      data.dropped_links++;
      continue;
    }
    data.links.push_back({link.context, std::move(link.attributes)});
  }
  return span;
}

TracerProvider::TracerProvider(TracerProviderOptions options)
    : shared_(std::make_shared<internal::TracerShared>()) {
  auto state = std::make_shared<internal::ProviderState>();
  state->resource = std::make_shared<const Resource>(options.resource.MergedOverDefault());
  state->sampler = options.sampler ? options.sampler : ParentBasedSampler(AlwaysOnSampler());
  state->processors = std::move(options.processors);
  std::erase(state->processors, nullptr);
  state->limits = options.limits;
  shared_->provider = std::move(state);
}

TracerProvider::~TracerProvider() { Shutdown(); }

Tracer TracerProvider::GetTracer(std::string_view name, std::string_view version) {
  auto shared = std::make_shared<internal::TracerShared>();
  shared->provider = shared_->provider;
  shared->scope = std::make_shared<const InstrumentationScope>(
      InstrumentationScope{std::string(name), std::string(version)});
  return Tracer(std::move(shared));
}

const Resource& TracerProvider::resource() const { return *shared_->provider->resource; }

bool TracerProvider::ForceFlush(std::chrono::milliseconds timeout) {
  bool ok = true;
  for (auto& p : shared_->provider->processors) ok = p->ForceFlush(timeout) && ok;
  return ok;
}

bool TracerProvider::Shutdown(std::chrono::milliseconds timeout) {
  if (shared_->provider->shut_down.exchange(true)) return true;
  bool ok = true;
  for (auto& p : shared_->provider->processors) ok = p->Shutdown(timeout) && ok;
  return ok;
}

}  // namespace periscope::trace
