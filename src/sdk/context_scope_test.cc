#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <optional>
#include <thread>

#include "periscope/trace.h"

namespace periscope::trace {
namespace {

// A context whose span is a non-recording stand-in with span id `n`.
Context ContextWithSpan(uint8_t n) {
  SpanContext sc;
  std::array<uint8_t, 16> trace_id{};
  trace_id[0] = 1;
  std::array<uint8_t, 8> span_id{};
  span_id[0] = n;
  sc.trace_id = TraceId(trace_id);
  sc.span_id = SpanId(span_id);
  return Context().WithRemoteSpanContext(sc);
}

uint8_t ActiveSpanByte() {
  SpanContext sc = Context::Current().span_context();
  return sc.IsValid() ? sc.span_id.bytes()[0] : 0;
}

TEST(ContextTest, ConstructedFromASpanAndBaggageItHoldsThemAsTheWithMethodsWould) {
  const std::shared_ptr<Span> span = ContextWithSpan(9).span();
  const Context with_span(span);
  EXPECT_EQ(with_span.span(), span);
  EXPECT_TRUE(with_span.baggage().empty());
  const Baggage baggage = Baggage().Set("tenant", "acme");
  const Context both(span, baggage);
  EXPECT_EQ(both.span(), span);
  EXPECT_EQ(both.baggage().Get("tenant"), std::optional<std::string_view>("acme"));
  EXPECT_EQ(both.span_context().span_id, span->context().span_id);
}

TEST(BorrowedScopedContextTest, ActivatesTheContextWithoutCopyingIt) {
  const Context owned = ContextWithSpan(7);
  const long uses = owned.span().use_count();
  {
    BorrowedScopedContext scope(&owned);
    EXPECT_EQ(ActiveSpanByte(), 7);
    EXPECT_EQ(owned.span().use_count(), uses);
  }
  EXPECT_EQ(ActiveSpanByte(), 0);
}

TEST(BorrowedScopedContextTest, NullLeavesTheCurrentContextActive) {
  ScopedContext outer(ContextWithSpan(3));
  {
    BorrowedScopedContext scope(nullptr);
    EXPECT_EQ(ActiveSpanByte(), 3);
  }
  EXPECT_EQ(ActiveSpanByte(), 3);
}

TEST(BorrowedScopedContextTest, NestsWithScopedContextBothWays) {
  const Context borrowed = ContextWithSpan(2);
  {
    ScopedContext outer(ContextWithSpan(1));
    {
      BorrowedScopedContext middle(&borrowed);
      EXPECT_EQ(ActiveSpanByte(), 2);
      {
        ScopedContext inner(ContextWithSpan(3));
        EXPECT_EQ(ActiveSpanByte(), 3);
        {
          BorrowedScopedContext innermost(nullptr);
          EXPECT_EQ(ActiveSpanByte(), 3);
        }
      }
      EXPECT_EQ(ActiveSpanByte(), 2);
    }
    EXPECT_EQ(ActiveSpanByte(), 1);
  }
  EXPECT_EQ(ActiveSpanByte(), 0);
}

// Scopes ended out of order are a misuse; what stays active is stale but never freed memory
// (the sanitizer build checks the latter). On a thread of its own: the stale context stays.
TEST(BorrowedScopedContextTest, ScopesEndedOutOfOrderLeaveAValidContext) {
  std::thread([] {
    std::optional<ScopedContext> first;
    std::optional<ScopedContext> second;
    first.emplace(ContextWithSpan(1));
    second.emplace(ContextWithSpan(2));
    first.reset();
    EXPECT_EQ(ActiveSpanByte(), 0);
    second.reset();
    EXPECT_EQ(ActiveSpanByte(), 1);
  }).join();
  EXPECT_EQ(ActiveSpanByte(), 0);
}

}  // namespace
}  // namespace periscope::trace
