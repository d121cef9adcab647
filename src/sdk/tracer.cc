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

std::shared_ptr<Span> Tracer::StartSpan(std::string_view name, StartSpanOptions options) const {
  const Context parent_ctx = options.parent ? *options.parent : Context::Current();
  const SpanContext parent = parent_ctx.span_context();
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

  auto data = std::make_unique<SpanData>();
  data->context = sc;
  data->parent_span_id = parent.IsValid() ? parent.span_id : SpanId();
  data->parent_is_remote = parent.is_remote;
  data->name = std::string(name);
  data->kind = options.kind;
  data->start_time = options.start_time.value_or(Clock::now());
  data->resource = provider.resource;
  data->scope = shared_->scope;
  // The span is not shared yet: its attributes go straight into its data, without locking.
  // Room for a few more set while it runs (a status code, say) saves a reallocation.
  constexpr size_t kRoomForLaterAttributes = 4;
  data->attributes.reserve(options.attributes.size() + result.attributes.size() +
                           kRoomForLaterAttributes);
  for (auto& [key, value] : options.attributes) {
    internal::AddSpanAttribute(*data, provider.limits, key, std::move(value));
  }
  for (auto& [key, value] : result.attributes) {
    internal::AddSpanAttribute(*data, provider.limits, key, std::move(value));
  }
  std::vector<SpanLink> links = std::move(options.links);
  auto span = std::shared_ptr<Span>(new Span(sc, shared_, std::move(data)));
  for (SpanLink& link : links) span->AddLink(link.context, std::move(link.attributes));
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
