#include "periscope/trace/tracer.h"

#include <pthread.h>

#include <cstring>
#include <optional>
#include <random>
#include <thread>

#include "sdk/equal_text.h"
#include "sdk/span_pool.h"
#include "sdk/tracer_shared.h"

namespace periscope::trace {
namespace internal {
namespace {

__extension__ typedef unsigned __int128 Uint128;

// wyrand (Wang Yi): one 64x64->128-bit multiply per draw, and ids need no more than statistical
// randomness (it passes BigCrush and PractRand). Seeded per thread from std::random_device on
// first use. Plain thread_local data (no constructor), so reaching it costs no initialisation
// check.
struct IdRng {
  uint64_t state;
  bool seeded;

  uint64_t Next() {
    if (!seeded) [[unlikely]]
      Seed();
    state += 0xa0761d6478bd642fULL;
    const Uint128 product = Uint128{state} * (state ^ 0xe7037ed1a0b428dbULL);
    return static_cast<uint64_t>(product >> 64) ^ static_cast<uint64_t>(product);
  }

 private:
  [[gnu::noinline]] void Seed();
};

thread_local IdRng rng;

void IdRng::Seed() {
  // A forked child must not repeat its parent's ids: it draws a new seed (the forking thread is
  // the child's only thread).
  static const bool kReseedAfterFork =
      pthread_atfork(nullptr, nullptr, [] { rng.seeded = false; }) == 0;
  (void)kReseedAfterFork;
  std::random_device rd;
  state = (uint64_t{rd()} << 32) ^ rd() ^ std::hash<std::thread::id>()(std::this_thread::get_id());
  seeded = true;
}

// NewTraceId and NewSpanId, inlined into StartSpan.
inline TraceId TraceIdInline() {
  uint64_t words[2];
  do {
    words[0] = rng.Next();
    words[1] = rng.Next();
  } while ((words[0] | words[1]) == 0);
  std::array<uint8_t, TraceId::kSize> bytes;
  std::memcpy(bytes.data(), words, sizeof(words));
  return TraceId(bytes);
}

inline SpanId SpanIdInline() {
  uint64_t word;
  do {
    word = rng.Next();
  } while (word == 0);
  std::array<uint8_t, SpanId::kSize> bytes;
  std::memcpy(bytes.data(), &word, sizeof(word));
  return SpanId(bytes);
}

}  // namespace

TraceId NewTraceId() { return TraceIdInline(); }
SpanId NewSpanId() { return SpanIdInline(); }

}  // namespace internal

namespace {

constinit const SpanContext kNoParent;

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
// strings already there. Out of line: most spans start with no attributes of their own.
[[gnu::noinline]] void SetStartAttributes(SpanData& data, Attributes& owned,
                                          const SpanLimits& limits) {
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

[[gnu::noinline]] void ClearAttributes(Attributes& attributes) { attributes.clear(); }

// Adds the valid links within the limits.
[[gnu::noinline]] void AddStartLinks(SpanData& data, std::vector<SpanLink>& links,
                                     const SpanLimits& limits) {
  for (SpanLink& link : links) {
    if (!link.context.IsValid()) continue;
    if (data.links.size() >= limits.max_links) {
      data.dropped_links++;
      continue;
    }
    data.links.push_back({link.context, std::move(link.attributes)});
  }
}

// The decision of a sampler that StartSpan knows (see SamplerShortcut).
[[gnu::always_inline]] inline SamplingDecision ShortcutDecision(internal::SamplerShortcut shortcut,
                                                                const SpanContext& parent) {
  using internal::SamplerShortcut;
  bool sampled = false;
  switch (shortcut) {
    case SamplerShortcut::kAlwaysOn:
      sampled = true;
      break;
    case SamplerShortcut::kAlwaysOff:
    case SamplerShortcut::kNone:
      sampled = false;
      break;
    case SamplerShortcut::kParentBasedAlwaysOn:
      sampled = parent.IsValid() ? parent.sampled() : true;
      break;
    case SamplerShortcut::kParentBasedAlwaysOff:
      sampled = parent.IsValid() && parent.sampled();
      break;
  }
  return sampled ? SamplingDecision::kRecordAndSample : SamplingDecision::kDrop;
}

// Asks the provider's sampler, which sees every starting attribute in one list; sets sc's
// tracestate, and `added` to the attributes the sampler adds (if any).
[[gnu::noinline]] SamplingDecision Sample(const Sampler& sampler, const SpanContext& parent,
                                          std::string_view name, const StartSpanOptions& options,
                                          SpanContext& sc, std::optional<Attributes>& added) {
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
  SamplingResult result = sampler.ShouldSample(
      {parent, sc.trace_id, name, options.kind, sampled_attributes, options.links});
  if (result.trace_state) {
    sc.trace_state = std::move(*result.trace_state);
  } else if (parent.IsValid()) {
    sc.trace_state = parent.trace_state;
  }
  if (!result.attributes.empty()) added = std::move(result.attributes);
  return result.decision;
}

// The parent options name: the remote parent, else the span of options.parent or of the
// current context; kNoParent for a root.
inline const SpanContext& ParentOf(StartSpanOptions& options) {
  if (options.remote_parent) {
    options.remote_parent->is_remote = true;
    return *options.remote_parent;
  }
  const Context& parent_ctx = options.parent ? *options.parent : internal::CurrentContextRef();
  return parent_ctx.span() ? parent_ctx.span()->context() : kNoParent;
}

}  // namespace

std::shared_ptr<Span> Tracer::StartSpan(std::string_view name) const {
  StartSpanOptions options;
  return Start(name, nullptr, options, true);
}

std::shared_ptr<Span> Tracer::StartSpan(std::string_view name, StartSpanOptions&& options) const {
  return Start(name, nullptr, options, true);
}

std::shared_ptr<Span> Tracer::StartSpan(std::string_view name,
                                        const StartSpanOptions& options) const {
  StartSpanOptions copy = options;
  return Start(name, nullptr, copy, true);
}

std::shared_ptr<Span> Tracer::StartSpanWithParent(std::string_view name, const SpanContext& parent,
                                                  StartSpanOptions&& options) const {
  return Start(name, &parent, options, true);
}

std::shared_ptr<Span> Tracer::StartSpanWithParent(std::string_view name, const SpanContext& parent,
                                                  const StartSpanOptions& options) const {
  // Start reads options without changing them when it may not take from them.
  return Start(name, &parent, const_cast<StartSpanOptions&>(options), false);
}

std::shared_ptr<Span> Tracer::StartSpanWithParent(std::string_view name, const SpanContext& parent,
                                                  const StartSpanOptions& options,
                                                  Timestamp start_time) const {
  return Start(name, &parent, const_cast<StartSpanOptions&>(options), false, &start_time);
}

namespace {

// The new span's context (trace id, fresh span id, flags, tracestate); false when the sampler
// drops it or the provider is shut down. `sampler_attributes` receives what a sampler adds.
[[gnu::always_inline]] inline bool DecideSpan(const internal::ProviderState& provider,
                                              std::string_view name, const SpanContext& parent,
                                              const StartSpanOptions& options, SpanContext& sc,
                                              std::optional<Attributes>& sampler_attributes) {
  const bool has_parent = parent.IsValid();
  sc.trace_id = has_parent ? parent.trace_id : internal::TraceIdInline();
  sc.span_id = internal::SpanIdInline();
  SamplingDecision decision;
  if (provider.sampler_shortcut != internal::SamplerShortcut::kNone) [[likely]] {
    decision = ShortcutDecision(provider.sampler_shortcut, parent);
    if (has_parent && !parent.trace_state.empty()) sc.trace_state = parent.trace_state;
  } else {
    decision = Sample(*provider.sampler, parent, name, options, sc, sampler_attributes);
  }
  if (decision == SamplingDecision::kRecordAndSample) sc.flags.value |= TraceFlags::kSampled;
  return decision != SamplingDecision::kDrop && !provider.shut_down.load(std::memory_order_acquire);
}

// to = from (copied from an lvalue, moved from an rvalue), for a context whose trace state is
// most often empty on both sides.
template <class From>
[[gnu::always_inline]] inline void AssignSpanContext(SpanContext& to, From&& from) {
  to.trace_id = from.trace_id;
  to.span_id = from.span_id;
  to.flags = from.flags;
  to.is_remote = from.is_remote;
  if (!from.trace_state.empty() || !to.trace_state.empty()) {
    to.trace_state = std::forward<From>(from).trace_state;
  }
}

// Overwrites every field of recycled span data (its strings keep their capacity) for a span
// starting now. take: whether the attributes, shared attributes and links may be moved out of
// options.
[[gnu::always_inline]] inline void FillSpanData(
    SpanData& data, const internal::TracerShared& tracer, const SpanContext& context,
    const SpanContext& parent, std::string_view name, StartSpanOptions& options, bool take,
    const Timestamp* start_time, std::optional<Attributes>& sampler_attributes) {
  const internal::ProviderState& provider = *tracer.provider;
  AssignSpanContext(data.context, context);
  data.parent_span_id = parent.IsValid() ? parent.span_id : SpanId();
  data.parent_is_remote = parent.is_remote;
  // Recycled data mostly held a span of the same name (the same RPC method, say): comparing is
  // cheaper than std::string's general assign.
  if (!internal::EqualText(data.name, name)) data.name.assign(name);
  data.kind = options.kind;
  data.start_time = start_time           ? *start_time
                    : options.start_time ? *options.start_time
                                         : Clock::now();
  data.end_time = Timestamp();
  data.status = StatusCode::kUnset;
  data.status_message.clear();
  data.dropped_attributes = 0;
  data.dropped_events = 0;
  data.dropped_links = 0;
  if (data.resource != provider.resource) data.resource = provider.resource;
  if (data.scope != tracer.scope) data.scope = tracer.scope;
  if (!options.attributes.empty()) {
    if (take) {
      SetStartAttributes(data, options.attributes, provider.limits);
    } else {
      Attributes copy = options.attributes;
      SetStartAttributes(data, copy, provider.limits);
    }
  } else if (!data.attributes.empty()) {
    ClearAttributes(data.attributes);
  }
  if (data.shared_attributes != options.shared_attributes) {
    data.shared_attributes =
        take ? std::move(options.shared_attributes) : options.shared_attributes;
  }
  if (sampler_attributes) [[unlikely]] {
    for (auto& [key, value] : *sampler_attributes) {
      internal::AddSpanAttribute(data, provider.limits, key, std::move(value));
    }
  }
  // The span free list holds data with no events or links (see GiveSpanData).
  if (!options.links.empty()) {
    if (take) {
      AddStartLinks(data, options.links, provider.limits);
    } else {
      std::vector<SpanLink> copy = options.links;
      AddStartLinks(data, copy, provider.limits);
    }
  }
}

}  // namespace

std::shared_ptr<Span> Tracer::Start(std::string_view name, const SpanContext* parent_or_null,
                                    StartSpanOptions& options, bool take,
                                    const Timestamp* start_time) const {
  const SpanContext& parent = parent_or_null ? *parent_or_null : ParentOf(options);
  SpanContext sc;
  // Only when a sampler that is asked adds attributes: most spans never construct (or destroy) it.
  std::optional<Attributes> sampler_attributes;
  if (!DecideSpan(*shared_->provider, name, parent, options, sc, sampler_attributes)) {
    return Span::NonRecording(sc);
  }
  // A released span from this thread's free list, with its data (the capacity of an earlier
  // span's strings) and most often this tracer's reference; its control block from another free
  // list. It is not shared yet: it is filled without locking.
  Span* span = internal::TakeSpan();
  if (span == nullptr) [[unlikely]] {
    span = new Span(Span::PrivateTag(), std::move(sc), shared_);
  } else {
    AssignSpanContext(span->context_, std::move(sc));
    if (span->tracer_ != shared_) [[unlikely]]
      span->tracer_ = shared_;
    span->recording_ = true;
    // A span last started from a shape may have no data.
    if (span->data_ == nullptr) span->data_.reset(internal::TakeSpanData());
  }
  std::shared_ptr<Span> owner(span, internal::SpanRecycler(), internal::SpanBlockAllocator<Span>());
  FillSpanData(*span->data_, *shared_, span->context_, parent, name, options, take, start_time,
               sampler_attributes);
  return owner;
}

UniqueSpan Tracer::StartUniqueSpan(std::string_view name, const SpanContext& parent,
                                   const StartSpanOptions& options) const& {
  return StartUnique(name, parent, options, nullptr);
}

UniqueSpan Tracer::StartUniqueSpan(std::string_view name, const SpanContext& parent,
                                   const StartSpanOptions& options, Timestamp start_time) const& {
  return StartUnique(name, parent, options, &start_time);
}

UniqueSpan Tracer::StartUnique(std::string_view name, const SpanContext& parent,
                               const StartSpanOptions& options, const Timestamp* start_time) const {
  UniqueSpan span;
  std::optional<Attributes> sampler_attributes;
  if (!DecideSpan(*shared_->provider, name, parent, options, span.context_, sampler_attributes)) {
    return span;
  }
  span.tracer_ = shared_.get();
  span.data_.reset(internal::TakeSpanData());
  // FillSpanData reads options without changing them when it may not take from them.
  FillSpanData(*span.data_, *shared_, span.context_, parent, name,
               const_cast<StartSpanOptions&>(options), false, start_time, sampler_attributes);
  return span;
}

Tracer::Tracer(std::shared_ptr<internal::TracerShared> shared)
    : shared_(std::move(shared)), scope_(shared_->scope.get()) {}

std::shared_ptr<const SpanShape> Tracer::MakeSpanShape(std::string_view name, SpanKind kind,
                                                       Attributes attributes) const {
  std::shared_ptr<SpanShape> shape(new SpanShape());
  shape->name_.assign(name);
  shape->kind_ = kind;
  shape->attributes_ = std::make_shared<const Attributes>(std::move(attributes));
  shape->scope_ = shared_->scope;
  shape->resource_ = shared_->provider->resource;
  return shape;
}

bool Tracer::StartsShaped(const SpanShape& shape, const SpanContext& parent) const {
  return shape.MadeBy(*this) &&
         shared_->provider->sampler_shortcut != internal::SamplerShortcut::kNone &&
         parent.trace_state.empty();
}

StartSpanOptions Tracer::ShapeOptions(const SpanShape& shape) const {
  StartSpanOptions options;
  options.kind = shape.kind();
  options.shared_attributes = shape.attributes();
  return options;
}

namespace {

// Whether a shaped start with this parent samples its span (and the provider still runs).
[[gnu::always_inline]] inline bool SampleShaped(const internal::ProviderState& provider,
                                                const SpanContext& parent) {
  return ShortcutDecision(provider.sampler_shortcut, parent) != SamplingDecision::kDrop &&
         !provider.shut_down.load(std::memory_order_acquire);
}

// The context of a span of a shaped start: no tracestate (a parent with one takes the general
// path), not remote.
[[gnu::always_inline]] inline void SetShapedContext(SpanContext& context, const TraceId& trace_id,
                                                    const SpanId& span_id, bool sampled) {
  context.trace_id = trace_id;
  context.span_id = span_id;
  context.flags.value = sampled ? TraceFlags::kSampled : 0;
  context.is_remote = false;
  if (!context.trace_state.empty()) [[unlikely]]
    context.trace_state = TraceState();
}

// The span of a shaped start that sampling dropped: it only carries its context (recycled like a
// sampled span, by Span::NonRecording). Out of line: the sampled start stays one straight run of
// code; not cold: with a ratio sampler most starts take it.
[[gnu::noinline]] std::shared_ptr<Span> DroppedSpan(const TraceId& trace_id,
                                                    const SpanId& span_id) {
  SpanContext context;
  SetShapedContext(context, trace_id, span_id, false);
  return Span::NonRecording(context);
}

// The fields of a span of `shape` started now; the shape is assigned only when it differs (a
// recycled span most often held one of the same shape).
[[gnu::always_inline]] inline void FillShapedSpan(internal::ShapedSpan& span,
                                                  const std::shared_ptr<const SpanShape>& shape,
                                                  const SpanContext& parent, bool has_parent,
                                                  Timestamp start_time) {
  if (span.shape != shape) [[unlikely]]
    span.shape = shape;
  span.parent_span_id = has_parent ? parent.span_id : SpanId();
  span.parent_is_remote = parent.is_remote;
  span.status = StatusCode::kUnset;
  span.start_time = start_time;
}

}  // namespace

std::shared_ptr<Span> Tracer::StartShapedGenerally(const SpanShape& shape,
                                                   const SpanContext& parent,
                                                   Timestamp start_time) const {
  StartSpanOptions options = ShapeOptions(shape);
  return Start(shape.name(), &parent, options, true, &start_time);
}

void Tracer::StartUniqueShapedGenerally(const SpanShape& shape, const SpanContext& parent,
                                        Timestamp start_time, UniqueSpan& span) const {
  span = StartUnique(shape.name(), parent, ShapeOptions(shape), &start_time);
}

Span* Tracer::NewShapedSpan() const {
  auto* span = new Span(Span::PrivateTag(), SpanContext(), shared_);
  span->data_.reset();
  return span;
}

// The sampled path is one straight run; what is rare (the general path, an empty free list) and a
// dropped span are out of line.
std::shared_ptr<Span> Tracer::StartSpan(const std::shared_ptr<const SpanShape>& shape,
                                        const SpanContext& parent, Timestamp start_time) const {
  if (!StartsShaped(*shape, parent)) [[unlikely]]
    return StartShapedGenerally(*shape, parent, start_time);
  const internal::ProviderState& provider = *shared_->provider;
  const bool has_parent = parent.IsValid();
  const TraceId trace_id = has_parent ? parent.trace_id : internal::TraceIdInline();
  const SpanId span_id = internal::SpanIdInline();
  if (!SampleShaped(provider, parent)) return DroppedSpan(trace_id, span_id);
  Span* span = internal::TakeSpan();
  if (span == nullptr) [[unlikely]] {
    span = NewShapedSpan();
  } else {
    if (span->tracer_ != shared_) [[unlikely]]
      span->tracer_ = shared_;
    if (span->data_ != nullptr) [[unlikely]]
      span->data_.reset();
  }
  SetShapedContext(span->context_, trace_id, span_id, true);
  span->recording_ = true;
  FillShapedSpan(span->shaped_, shape, parent, has_parent, start_time);
  return std::shared_ptr<Span>(span, internal::SpanRecycler(),
                               internal::SpanBlockAllocator<Span>());
}

UniqueSpan Tracer::StartUniqueSpan(const std::shared_ptr<const SpanShape>& shape,
                                   const SpanContext& parent, Timestamp start_time) const& {
  UniqueSpan span;
  StartUniqueSpan(shape, parent, start_time, span);
  return span;
}

void Tracer::StartUniqueSpan(const std::shared_ptr<const SpanShape>& shape,
                             const SpanContext& parent, Timestamp start_time,
                             UniqueSpan& span) const& {
  if (!StartsShaped(*shape, parent)) [[unlikely]] {
    StartUniqueShapedGenerally(*shape, parent, start_time, span);
    return;
  }
  if (span.data_ != nullptr) [[unlikely]]
    span.data_.reset();
  const bool has_parent = parent.IsValid();
  const TraceId trace_id = has_parent ? parent.trace_id : internal::TraceIdInline();
  const SpanId span_id = internal::SpanIdInline();
  const bool sampled = SampleShaped(*shared_->provider, parent);
  SetShapedContext(span.context_, trace_id, span_id, sampled);
  if (!sampled) [[unlikely]] {
    span.tracer_ = nullptr;
    return;
  }
  span.tracer_ = shared_.get();
  FillShapedSpan(span.shaped_, shape, parent, has_parent, start_time);
}

TracerProvider::TracerProvider(TracerProviderOptions options)
    : shared_(std::make_shared<internal::TracerShared>()) {
  auto state = std::make_shared<internal::ProviderState>();
  state->resource = std::make_shared<const Resource>(options.resource.MergedOverDefault());
  state->sampler = options.sampler ? options.sampler : ParentBasedSampler(AlwaysOnSampler());
  state->sampler_shortcut = internal::ShortcutFor(*state->sampler);
  state->processors = std::move(options.processors);
  std::erase(state->processors, nullptr);
  if (state->processors.size() == 1) {
    state->record_queue = dynamic_cast<BatchSpanProcessor*>(state->processors.front().get());
  }
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
