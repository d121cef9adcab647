#include "periscope/trace/tracer.h"

#include <random>
#include <thread>

#include "sdk/tracer_shared.h"

namespace periscope::trace {
namespace internal {
namespace {

std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng([] {
    std::random_device rd;
    std::seed_seq seq{
        rd(), rd(), rd(), rd(),
        static_cast<unsigned>(std::hash<std::thread::id>()(std::this_thread::get_id()))};
    return std::mt19937_64(seq);
  }());
  return rng;
}

template <class Id>
Id NewId() {
  std::array<uint8_t, Id::kSize> bytes;
  do {
    for (size_t i = 0; i < Id::kSize; i += 8) {
      uint64_t r = Rng()();
      for (size_t j = 0; j < 8 && i + j < Id::kSize; ++j)
        bytes[i + j] = static_cast<uint8_t>(r >> (8 * j));
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
  for (size_t i = 0; i < attributes.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (attributes[i].first == attributes[j].first) return false;
    }
  }
  return true;
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
  SamplingResult result = provider.sampler->ShouldSample(
      {parent, sc.trace_id, name, options.kind, options.attributes, options.links});
  if (result.decision == SamplingDecision::kRecordAndSample) sc.flags.value |= TraceFlags::kSampled;
  if (result.trace_state) {
    sc.trace_state = std::move(*result.trace_state);
  } else if (parent.IsValid()) {
    sc.trace_state = parent.trace_state;
  }
  if (result.decision == SamplingDecision::kDrop || provider.shut_down.load()) {
    return Span::NonRecording(sc);
  }

  // Span and data in one allocation. The span is not shared yet: its data is filled without
  // locking.
  auto span = std::make_shared<Span>(Span::PrivateTag(), sc, shared_);
  SpanData& data = span->data_;
  data.context = sc;
  data.parent_span_id = parent.IsValid() ? parent.span_id : SpanId();
  data.parent_is_remote = parent.is_remote;
  data.name = std::string(name);
  data.kind = options.kind;
  data.start_time = options.start_time.value_or(Clock::now());
  data.resource = provider.resource;
  data.scope = shared_->scope;
  // Room for a few attributes set while it runs (a status code, say) saves a reallocation.
  constexpr size_t kRoomForLaterAttributes = 4;
  const size_t wanted = options.attributes.size() + result.attributes.size() + 1;
  if (UsableAsIs(options.attributes, provider.limits)) {
    data.attributes = std::move(options.attributes);
    if (data.attributes.capacity() < wanted) {
      data.attributes.reserve(wanted - 1 + kRoomForLaterAttributes);
    }
  } else {
    data.attributes.reserve(wanted - 1 + kRoomForLaterAttributes);
    for (auto& [key, value] : options.attributes) {
      internal::AddSpanAttribute(data, provider.limits, key, std::move(value));
    }
  }
  for (auto& [key, value] : result.attributes) {
    internal::AddSpanAttribute(data, provider.limits, key, std::move(value));
  }
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
