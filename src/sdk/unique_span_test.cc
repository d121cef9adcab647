// Tracer::StartUniqueSpan and UniqueSpan: the same data a Span exports, one owner, one End.
#include <gtest/gtest.h>

#include "periscope/trace.h"
#include "sdk/in_memory_tracing.h"

namespace periscope::trace {
namespace {

using Fixture = testing::InMemoryTracing;

SpanContext Parent(bool sampled) {
  return *ParseTraceparent(sampled ? "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
                                   : "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00");
}

StartSpanOptions ClientOptions() {
  StartSpanOptions options;
  options.kind = SpanKind::kClient;
  options.shared_attributes = std::make_shared<const Attributes>(
      Attributes{{"rpc.system", "periscope"}, {"rpc.method", "Pay"}});
  return options;
}

// A unique span holds no reference to its tracer: starting one from a temporary Tracer, which
// would be gone before End(), does not compile.
template <class T>
concept CanStartUniqueSpan = requires(T&& tracer) {
  std::forward<T>(tracer).StartUniqueSpan("x", SpanContext(), StartSpanOptions());
};
static_assert(CanStartUniqueSpan<const Tracer&>);
static_assert(CanStartUniqueSpan<Tracer&>);
static_assert(!CanStartUniqueSpan<Tracer>);

TEST(UniqueSpanTest, ExportsWhatASpanWouldWithItsParentKindAndAttributes) {
  Fixture f;
  Tracer tracer = f.provider->GetTracer("rpc", "1.0");
  const StartSpanOptions options = ClientOptions();
  const SpanContext parent = Parent(true);
  UniqueSpan span = tracer.StartUniqueSpan("shop.Payments/Pay", parent, options);
  ASSERT_TRUE(span.IsRecording());
  EXPECT_EQ(span.context().trace_id, parent.trace_id);
  EXPECT_NE(span.context().span_id, parent.span_id);
  EXPECT_TRUE(span.context().sampled());
  span.SetAttribute("rpc.method", "Refund");  // overrides the shared value
  span.SetAttribute("retry", int64_t{2});
  span.SetStatus(StatusCode::kError, "card declined");
  span.End();
  EXPECT_FALSE(span.IsRecording());

  std::vector<SpanData> spans = f.exporter->spans();
  ASSERT_EQ(spans.size(), 1u);
  const SpanData& d = spans[0];
  EXPECT_EQ(d.name, "shop.Payments/Pay");
  EXPECT_EQ(d.kind, SpanKind::kClient);
  EXPECT_EQ(d.context.trace_id, parent.trace_id);
  EXPECT_EQ(d.context.span_id, span.context().span_id);
  EXPECT_EQ(d.parent_span_id, parent.span_id);
  EXPECT_EQ(d.status, StatusCode::kError);
  EXPECT_EQ(d.status_message, "card declined");
  EXPECT_LE(d.start_time, d.end_time);
  ASSERT_NE(d.FindAttribute("rpc.system"), nullptr);
  EXPECT_EQ(*d.FindAttribute("rpc.method"), AttributeValue("Refund"));
  EXPECT_EQ(*d.FindAttribute("retry"), AttributeValue(int64_t{2}));
  ASSERT_NE(d.scope, nullptr);
  EXPECT_EQ(d.scope->name, "rpc");
  ASSERT_NE(d.resource, nullptr);
  EXPECT_NE(FindAttribute(d.resource->attributes, "service.name"), nullptr);
  // The options were only read: the next span shares the same attribute set.
  EXPECT_EQ(options.shared_attributes->size(), 2u);
}

TEST(UniqueSpanTest, AnInvalidParentMakesARoot) {
  Fixture f;
  const Tracer tracer = f.provider->GetTracer("rpc");
  UniqueSpan span = tracer.StartUniqueSpan("root", SpanContext(), {});
  ASSERT_TRUE(span.context().IsValid());
  span.End();
  std::vector<SpanData> spans = f.exporter->spans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_FALSE(spans[0].parent_span_id.IsValid());
  EXPECT_NE(spans[0].context.trace_id, Parent(true).trace_id);
}

TEST(UniqueSpanTest, EndsOnceAndIsNeverExportedWithoutEnd) {
  Fixture f;
  Tracer tracer = f.provider->GetTracer("rpc");
  UniqueSpan ended = tracer.StartUniqueSpan("ended", Parent(true), {});
  ended.End();
  ended.End();
  ended.SetAttribute("late", true);
  { UniqueSpan dropped = tracer.StartUniqueSpan("never-ended", Parent(true), {}); }
  std::vector<SpanData> spans = f.exporter->spans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].name, "ended");
  EXPECT_EQ(spans[0].FindAttribute("late"), nullptr);
}

TEST(UniqueSpanTest, MovingHandsTheSpanOver) {
  Fixture f;
  const Tracer tracer = f.provider->GetTracer("rpc");
  UniqueSpan first = tracer.StartUniqueSpan("moved", Parent(true), {});
  const SpanId id = first.context().span_id;
  UniqueSpan second = std::move(first);
  EXPECT_TRUE(second.IsRecording());
  EXPECT_EQ(second.context().span_id, id);
  first.End();  // NOLINT(bugprone-use-after-move): a moved-from span records nothing
  EXPECT_TRUE(f.exporter->spans().empty());
  second.End();
  ASSERT_EQ(f.exporter->spans().size(), 1u);
  EXPECT_EQ(f.exporter->spans()[0].context.span_id, id);
}

TEST(UniqueSpanTest, ASampledOutSpanCarriesItsContextAndRecordsNothing) {
  Fixture f(ParentBasedSampler(AlwaysOnSampler()));
  const Tracer tracer = f.provider->GetTracer("rpc");
  UniqueSpan span = tracer.StartUniqueSpan("dropped", Parent(false), {});
  EXPECT_FALSE(span.IsRecording());
  EXPECT_EQ(span.context().trace_id, Parent(false).trace_id);
  EXPECT_TRUE(span.context().span_id.IsValid());
  EXPECT_FALSE(span.context().sampled());
  span.SetAttribute("ignored", true);
  span.End();
  EXPECT_TRUE(f.exporter->spans().empty());
}

TEST(UniqueSpanTest, AttributesPastTheLimitAreDroppedAndCounted) {
  SpanLimits limits;
  limits.max_attributes = 2;
  Fixture f(AlwaysOnSampler(), limits);
  const Tracer tracer = f.provider->GetTracer("rpc");
  UniqueSpan span = tracer.StartUniqueSpan("limited", Parent(true), {});
  for (int i = 0; i < 5; ++i) span.SetAttribute("k" + std::to_string(i), int64_t{i});
  span.End();
  std::vector<SpanData> spans = f.exporter->spans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].attributes.size(), 2u);
  EXPECT_EQ(spans[0].dropped_attributes, 3u);
}

TEST(UniqueSpanTest, NothingRecordsAfterTheProviderShutsDown) {
  Fixture f;
  Tracer tracer = f.provider->GetTracer("rpc");
  UniqueSpan before = tracer.StartUniqueSpan("before", Parent(true), {});
  f.provider->Shutdown();
  UniqueSpan after = tracer.StartUniqueSpan("after", Parent(true), {});
  EXPECT_FALSE(after.IsRecording());
  EXPECT_TRUE(after.context().IsValid());
  before.End();
  after.End();
  EXPECT_TRUE(f.exporter->spans().empty());
}

// Unique and shared spans draw on the same recycled data and batch queue slots: what each
// exports is its own, whichever span's data it started on.
TEST(UniqueSpanTest, RecycledDataCarriesNothingOfTheSpansBefore) {
  auto exporter = std::make_shared<InMemorySpanExporter>();
  TracerProviderOptions o;
  BatchOptions batch;
  batch.max_queue_size = 64;
  batch.max_export_batch_size = 8;
  batch.schedule_delay = std::chrono::milliseconds(10);
  o.processors.push_back(std::make_shared<BatchSpanProcessor>(exporter, batch));
  TracerProvider provider(std::move(o));
  Tracer tracer = provider.GetTracer("rpc");
  const StartSpanOptions client = ClientOptions();
  constexpr int kSpans = 120;
  for (int i = 0; i < kSpans; ++i) {
    if (i % 3 == 0) {
      auto span = tracer.StartSpan("shared-" + std::to_string(i), {.attributes = {{"i", i}}});
      span->SetStatus(StatusCode::kError, "failed");
      span->End();
    } else {
      UniqueSpan span = tracer.StartUniqueSpan(i % 3 == 1 ? "same-name" : "other-name-that-is-long",
                                               Parent(true), client);
      span.End();
    }
    if (i % 10 == 9) {
      ASSERT_TRUE(provider.ForceFlush());
    }
  }
  ASSERT_TRUE(provider.ForceFlush());
  std::vector<SpanData> spans = exporter->spans();
  ASSERT_EQ(spans.size(), size_t{kSpans});
  for (int i = 0; i < kSpans; ++i) {
    const SpanData& s = spans[i];
    SCOPED_TRACE("span " + std::to_string(i));
    if (i % 3 == 0) {
      EXPECT_EQ(s.name, "shared-" + std::to_string(i));
      EXPECT_EQ(s.kind, SpanKind::kInternal);
      ASSERT_EQ(s.attributes.size(), 1u);
      EXPECT_EQ(s.status, StatusCode::kError);
      EXPECT_FALSE(s.parent_span_id.IsValid());
    } else {
      EXPECT_EQ(s.name, i % 3 == 1 ? "same-name" : "other-name-that-is-long");
      EXPECT_EQ(s.kind, SpanKind::kClient);
      EXPECT_EQ(s.attributes.size(), 2u);  // the shared set, merged by the in-memory exporter
      EXPECT_EQ(s.status, StatusCode::kUnset);
      EXPECT_EQ(s.status_message, "");
      EXPECT_EQ(s.parent_span_id, Parent(true).span_id);
    }
  }
}

}  // namespace
}  // namespace periscope::trace
