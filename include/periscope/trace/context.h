#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "periscope/trace/span_context.h"

namespace periscope::trace {

class Span;

// W3C baggage: ordered name -> (value, properties) entries. Immutable value type.
class Baggage {
 public:
  struct Entry {
    std::string key;
    std::string value;     // decoded
    std::string metadata;  // the raw `;prop=x;flag` properties, without the leading ';'
    bool operator==(const Entry&) const = default;
  };
  static constexpr size_t kMaxEntries = 180;
  static constexpr size_t kMaxBytes = 8192;

  // Parses a `baggage` header; invalid list members are skipped, values are percent-decoded.
  static Baggage Parse(std::string_view header);
  // Serialises with percent-encoding; entries beyond the W3C size limits are left out.
  std::string ToHeader() const;

  // The value of key: a view into this baggage, or, on a temporary (say
  // `Context::Current().baggage().Get(k)`), a copy that outlives it.
  std::optional<std::string_view> Get(std::string_view key) const&;
  std::optional<std::string> Get(std::string_view key) &&;
  Baggage Set(std::string_view key, std::string_view value, std::string_view metadata = {}) const;
  Baggage Delete(std::string_view key) const;
  const std::vector<Entry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<Entry> entries_;
};

// The propagated state of an operation: the active span (local, or a non-recording stand-in for
// a remote parent) and the baggage. An immutable value type, cheap to copy; safe to pass
// between threads.
//
// Implicit context is thread-local: Context::Current() returns the context activated by the
// innermost live ScopedContext on this thread. Coroutines: a coroutine can resume on another
// thread, so never keep a ScopedContext alive across co_await. Capture the context instead and
// re-activate it after each resumption:
//
//   Context ctx = Context::Current();          // before co_await
//   co_await socket.async_read(..., use_awaitable);
//   { ScopedContext scope(ctx); ... }         // spans started here are children of ctx's span
//
// or pass the context explicitly: tracer.StartSpan("x", {.parent = ctx}). Context::Wrap binds a
// callback (completion handler, thread-pool task) to a context.
class Context {
 public:
  Context() = default;
  // A context whose active span is `span`, with no baggage or with `baggage`.
  explicit Context(std::shared_ptr<Span> span) : span_(std::move(span)) {}
  Context(std::shared_ptr<Span> span, Baggage baggage)
      : span_(std::move(span)), baggage_(std::move(baggage)) {}

  static Context Current();

  const std::shared_ptr<Span>& span() const { return span_; }
  // The active span's context, or an invalid SpanContext.
  SpanContext span_context() const;
  const Baggage& baggage() const& { return baggage_; }
  // On a temporary context, its baggage by value: what is read from it stays valid.
  Baggage baggage() && { return std::move(baggage_); }

  Context WithSpan(std::shared_ptr<Span> span) const&;
  Context WithSpan(std::shared_ptr<Span> span) &&;
  // A context whose span is a non-recording stand-in for a parent in another process.
  Context WithRemoteSpanContext(const SpanContext& remote) const;
  Context WithBaggage(Baggage baggage) const&;
  Context WithBaggage(Baggage baggage) &&;

  // f wrapped so that it runs with this context active.
  template <class F>
  auto Wrap(F f) const;

 private:
  std::shared_ptr<Span> span_;
  Baggage baggage_;
};

// RAII activation of a Context on the current thread; restores the previous context when
// destroyed. Must be destroyed on the thread that created it; not movable.
class ScopedContext {
 public:
  explicit ScopedContext(Context ctx);
  ~ScopedContext();
  ScopedContext(const ScopedContext&) = delete;
  ScopedContext& operator=(const ScopedContext&) = delete;

 private:
  Context previous_;
  const Context* previous_borrowed_;
};

// Like ScopedContext, but activates a Context owned elsewhere without copying it: for a scope
// entered very often (every resumption of a coroutine, say) whose context outlives it. A null
// context leaves the current one active. Thread-affine and not movable, like ScopedContext.
class BorrowedScopedContext {
 public:
  explicit BorrowedScopedContext(const Context* context);
  ~BorrowedScopedContext();
  BorrowedScopedContext(const BorrowedScopedContext&) = delete;
  BorrowedScopedContext& operator=(const BorrowedScopedContext&) = delete;

 private:
  const Context* previous_;
};

template <class F>
auto Context::Wrap(F f) const {
  return [ctx = *this, f = std::move(f)](auto&&... args) mutable {
    ScopedContext scope(ctx);
    return f(std::forward<decltype(args)>(args)...);
  };
}

}  // namespace periscope::trace
