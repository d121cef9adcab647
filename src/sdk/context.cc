#include "periscope/trace/context.h"

#include "periscope/trace/span.h"
#include "sdk/tracer_shared.h"

namespace periscope::trace {
namespace {
thread_local Context current_context;
}  // namespace

Context Context::Current() { return current_context; }

namespace internal {
const Context& CurrentContextRef() { return current_context; }
}  // namespace internal

SpanContext Context::span_context() const { return span_ ? span_->context() : SpanContext(); }

Context Context::WithSpan(std::shared_ptr<Span> span) const& {
  Context out = *this;
  out.span_ = std::move(span);
  return out;
}

Context Context::WithSpan(std::shared_ptr<Span> span) && {
  span_ = std::move(span);
  return std::move(*this);
}

Context Context::WithRemoteSpanContext(const SpanContext& remote) const {
  SpanContext sc = remote;
  sc.is_remote = true;
  return WithSpan(Span::NonRecording(sc));
}

Context Context::WithBaggage(Baggage baggage) const& {
  Context out = *this;
  out.baggage_ = std::move(baggage);
  return out;
}

Context Context::WithBaggage(Baggage baggage) && {
  baggage_ = std::move(baggage);
  return std::move(*this);
}

ScopedContext::ScopedContext(Context ctx) : previous_(std::move(current_context)) {
  current_context = std::move(ctx);
}

ScopedContext::~ScopedContext() { current_context = std::move(previous_); }

}  // namespace periscope::trace
