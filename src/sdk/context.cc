#include "periscope/trace/context.h"

#include "periscope/trace/span.h"
#include "sdk/tracer_shared.h"

namespace periscope::trace {
namespace {
// The context of the innermost ScopedContext (empty without one), and the context of a
// BorrowedScopedContext entered inside it, which is then the active one. ScopedContext keeps its
// context here, not in itself, so that scopes ended out of order (a misuse) leave a stale context
// active, never a dangling one.
thread_local Context scoped_context;
thread_local const Context* borrowed_context = nullptr;  // null: scoped_context is active

const Context& Active() { return borrowed_context ? *borrowed_context : scoped_context; }
}  // namespace

Context Context::Current() { return Active(); }

namespace internal {
const Context& CurrentContextRef() { return Active(); }
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

ScopedContext::ScopedContext(Context ctx)
    : previous_(std::move(scoped_context)), previous_borrowed_(borrowed_context) {
  scoped_context = std::move(ctx);
  borrowed_context = nullptr;
}

ScopedContext::~ScopedContext() {
  scoped_context = std::move(previous_);
  borrowed_context = previous_borrowed_;
}

BorrowedScopedContext::BorrowedScopedContext(const Context* context) : previous_(borrowed_context) {
  if (context != nullptr) borrowed_context = context;
}

BorrowedScopedContext::~BorrowedScopedContext() { borrowed_context = previous_; }

}  // namespace periscope::trace
