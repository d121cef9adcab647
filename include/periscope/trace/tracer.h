#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "periscope/trace/common.h"
#include "periscope/trace/context.h"
#include "periscope/trace/processor.h"
#include "periscope/trace/sampler.h"
#include "periscope/trace/span.h"

namespace periscope::trace {

struct StartSpanOptions {
  SpanKind kind = SpanKind::kInternal;
  // The parent; when unset, Context::Current(). Pass Context() to force a new root.
  std::optional<Context> parent;
  Attributes attributes;
  // Attributes the span keeps by reference (SpanData::shared_attributes): a set built once for
  // many spans (one per RPC method, say), so none is copied per span. Not counted against
  // SpanLimits.
  std::shared_ptr<const Attributes> shared_attributes;
  std::vector<SpanLink> links;
  std::optional<Timestamp> start_time;
  // A parent in another process (e.g. extracted from request headers). When set it is the parent
  // instead of `parent`'s span, without building a Context around it.
  std::optional<SpanContext> remote_parent;
};

// Creates spans for one instrumentation scope. Cheap to copy; thread-safe.
class Tracer {
 public:
  // Starts a span; never fails. When sampling drops it, the span is non-recording but still
  // carries a fresh span id and the trace id, so context still propagates. The span takes the
  // attributes, shared attributes and links out of an rvalue `options`; an lvalue is copied.
  std::shared_ptr<Span> StartSpan(std::string_view name) const;
  std::shared_ptr<Span> StartSpan(std::string_view name, StartSpanOptions&& options) const;
  std::shared_ptr<Span> StartSpan(std::string_view name, const StartSpanOptions& options) const;
  // Starts a child of `parent` (a new root when `parent` is invalid); options.parent and
  // options.remote_parent are ignored. For instrumentation that holds the parent's SpanContext
  // (an extracted remote parent, say): no Context is built or copied.
  std::shared_ptr<Span> StartSpanWithParent(std::string_view name, const SpanContext& parent,
                                            StartSpanOptions&& options) const;
  // The same with options that are only read, never copied whole: for options kept and reused
  // for many spans (a shared attribute set and a kind, say), whose shared attributes then cost
  // no reference count per span.
  std::shared_ptr<Span> StartSpanWithParent(std::string_view name, const SpanContext& parent,
                                            const StartSpanOptions& options) const;
  // The same, started at start_time instead of options.start_time or now: for instrumentation
  // that has read the clock already (see WallTimeAt).
  std::shared_ptr<Span> StartSpanWithParent(std::string_view name, const SpanContext& parent,
                                            const StartSpanOptions& options,
                                            Timestamp start_time) const;
  // A child of `parent` (a root when `parent` is invalid) with exactly one owner: see UniqueSpan
  // (it must be ended while this tracer or a copy is alive). Options as in the overload above.
  UniqueSpan StartUniqueSpan(std::string_view name, const SpanContext& parent,
                             const StartSpanOptions& options) const&;
  // Not on a temporary Tracer: it would be gone before the span's End().
  UniqueSpan StartUniqueSpan(std::string_view name, const SpanContext& parent,
                             const StartSpanOptions& options) const&& = delete;
  // The same, started at start_time instead of options.start_time or now.
  UniqueSpan StartUniqueSpan(std::string_view name, const SpanContext& parent,
                             const StartSpanOptions& options, Timestamp start_time) const&;
  UniqueSpan StartUniqueSpan(std::string_view name, const SpanContext& parent,
                             const StartSpanOptions& options,
                             Timestamp start_time) const&& = delete;

  // A shape for spans this tracer starts (see SpanShape): built once, used for many spans.
  std::shared_ptr<const SpanShape> MakeSpanShape(std::string_view name, SpanKind kind,
                                                 Attributes attributes) const;
  // Starts a span of `shape` at start_time, a child of `parent` (a root when invalid): the
  // cheapest way to start a span. The span has the shape's name, kind and attributes (as shared
  // attributes) and may add its own, like any other. A shape made by another tracer gives the
  // span this tracer's instrumentation scope.
  std::shared_ptr<Span> StartSpan(const std::shared_ptr<const SpanShape>& shape,
                                  const SpanContext& parent, Timestamp start_time) const;
  // The same as a UniqueSpan.
  UniqueSpan StartUniqueSpan(const std::shared_ptr<const SpanShape>& shape,
                             const SpanContext& parent, Timestamp start_time) const&;
  UniqueSpan StartUniqueSpan(const std::shared_ptr<const SpanShape>& shape,
                             const SpanContext& parent, Timestamp start_time) const&& = delete;
  // The same, started in `span` (a UniqueSpan kept in a longer-lived object, say) instead of a
  // new one that is then moved there. A span `span` was recording is dropped, never exported.
  void StartUniqueSpan(const std::shared_ptr<const SpanShape>& shape, const SpanContext& parent,
                       Timestamp start_time, UniqueSpan& span) const&;
  void StartUniqueSpan(const std::shared_ptr<const SpanShape>& shape, const SpanContext& parent,
                       Timestamp start_time, UniqueSpan& span) const&& = delete;

 private:
  friend class TracerProvider;
  explicit Tracer(std::shared_ptr<internal::TracerShared> shared);
  // parent: null to take it from options (remote_parent, parent, else the current context).
  // take: whether the span may move the attributes, shared attributes and links out of options
  // (false: options is left as it was; parent must then be given). start_time: null for
  // options.start_time, else now.
  std::shared_ptr<Span> Start(std::string_view name, const SpanContext* parent,
                              StartSpanOptions& options, bool take,
                              const Timestamp* start_time = nullptr) const;
  UniqueSpan StartUnique(std::string_view name, const SpanContext& parent,
                         const StartSpanOptions& options, const Timestamp* start_time) const;
  // Whether a span of `shape` with this parent can start as a shaped span: this tracer's shape,
  // a sampler StartSpan decides itself, no tracestate to carry.
  bool StartsShaped(const SpanShape& shape, const SpanContext& parent) const;
  // The options of a span of `shape` started the general way, as a span with its own data.
  StartSpanOptions ShapeOptions(const SpanShape& shape) const;
  // A span of `shape` started the general way. Out of line: rare.
  [[gnu::noinline, gnu::cold]] std::shared_ptr<Span> StartShapedGenerally(
      const SpanShape& shape, const SpanContext& parent, Timestamp start_time) const;
  // The same into `span` (the caller's fast path keeps no temporary span).
  [[gnu::noinline, gnu::cold]] void StartUniqueShapedGenerally(const SpanShape& shape,
                                                               const SpanContext& parent,
                                                               Timestamp start_time,
                                                               UniqueSpan& span) const;
  // A recording span with no data, for a shaped start when this thread has none to reuse.
  [[gnu::noinline, gnu::cold]] Span* NewShapedSpan() const;
  friend class SpanShape;
  std::shared_ptr<internal::TracerShared> shared_;
  // shared_'s instrumentation scope, which tells this tracer and its copies from other tracers.
  const InstrumentationScope* scope_;
};

inline bool SpanShape::MadeBy(const Tracer& tracer) const { return scope_.get() == tracer.scope_; }

// Starts a span, makes it current for its lifetime and ends it on destruction. Thread-affine,
// like ScopedContext: do not keep one across co_await.
class ScopedSpan {
 public:
  ScopedSpan(const Tracer& tracer, std::string_view name, StartSpanOptions options = {})
      : span_(tracer.StartSpan(name, std::move(options))),
        scope_(Context::Current().WithSpan(span_)) {}
  ~ScopedSpan() { span_->End(); }
  ScopedSpan(const ScopedSpan&) = delete;
  ScopedSpan& operator=(const ScopedSpan&) = delete;
  Span* operator->() const { return span_.get(); }
  const std::shared_ptr<Span>& span() const { return span_; }

 private:
  std::shared_ptr<Span> span_;
  ScopedContext scope_;
};

struct TracerProviderOptions {
  Resource resource;  // merged over Resource::Default()
  std::shared_ptr<const Sampler> sampler = ParentBasedSampler(AlwaysOnSampler());
  std::vector<std::shared_ptr<SpanProcessor>> processors;
  SpanLimits limits;
};

// From OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT (else OTEL_ATTRIBUTE_COUNT_LIMIT),
// OTEL_SPAN_EVENT_COUNT_LIMIT, OTEL_SPAN_LINK_COUNT_LIMIT and
// OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT (else OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT): non-negative
// integers; anything else, and a length limit of 0, keeps the default. SpanLimits has no field
// for OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT and OTEL_LINK_ATTRIBUTE_COUNT_LIMIT.
SpanLimits SpanLimitsFromEnv(const EnvGetter& env = SystemEnv());

// Owns the resource, sampler and processors shared by its tracers. Thread-safe. The destructor
// shuts down (flushing every processor); spans ended after that are dropped.
class TracerProvider {
 public:
  explicit TracerProvider(TracerProviderOptions options);
  ~TracerProvider();
  TracerProvider(const TracerProvider&) = delete;
  TracerProvider& operator=(const TracerProvider&) = delete;

  Tracer GetTracer(std::string_view name, std::string_view version = {});
  const Resource& resource() const;
  bool ForceFlush(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  bool Shutdown(std::chrono::milliseconds timeout = std::chrono::seconds(30));

 private:
  std::shared_ptr<internal::TracerShared> shared_;
};

}  // namespace periscope::trace
