// Spans started from a SpanShape: the same exported data as any span, whether they stay records
// in the batch queue, set data of their own, or take the general path.
#include <gtest/gtest.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "periscope/trace.h"
#include "sdk/gated_exporter.h"
#include "sdk/in_memory_tracing.h"

namespace periscope::trace {
namespace {

// A provider whose one processor is a BatchSpanProcessor (where shaped spans queue as records),
// or a SimpleSpanProcessor (which takes SpanData), exporting into memory.
struct Tracing {
  std::shared_ptr<InMemorySpanExporter> exporter = std::make_shared<InMemorySpanExporter>();
  std::shared_ptr<BatchSpanProcessor> batch;  // null with a SimpleSpanProcessor
  std::unique_ptr<TracerProvider> provider;

  explicit Tracing(bool batched, std::shared_ptr<const Sampler> sampler = AlwaysOnSampler(),
                   BatchOptions options = {}) {
    TracerProviderOptions o;
    o.resource.attributes = {{"service.name", "shape-svc"}};
    o.sampler = std::move(sampler);
    if (batched) {
      batch = std::make_shared<BatchSpanProcessor>(exporter, options);
      o.processors.push_back(batch);
    } else {
      o.processors.push_back(std::make_shared<SimpleSpanProcessor>(exporter));
    }
    provider = std::make_unique<TracerProvider>(std::move(o));
  }

  std::vector<SpanData> Exported() {
    provider->ForceFlush();
    return exporter->spans();
  }
};

SpanContext Parent(bool sampled) {
  return *ParseTraceparent(sampled ? "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
                                   : "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00");
}

// The exported span with this id (a batch processor exports records and whole spans in separate
// batches: not in the order they ended).
const SpanData& WithId(const std::vector<SpanData>& spans, const SpanId& id) {
  for (const SpanData& span : spans) {
    if (span.context.span_id == id) return span;
  }
  ADD_FAILURE() << "no span " << id.ToHex();
  static const SpanData kNone;
  return kNone;
}

Timestamp At(int64_t nanos) { return Timestamp(std::chrono::nanoseconds(nanos)); }

std::shared_ptr<const SpanShape> PayShape(const Tracer& tracer) {
  return tracer.MakeSpanShape("shop.Payments/Pay", SpanKind::kServer,
                              {{"rpc.system", "periscope"}, {"rpc.method", "Pay"}});
}

// Every field of a span of PayShape started at 1000 ns under Parent(true), ended at 5000 ns.
void ExpectPaySpan(const SpanData& d, const SpanContext& context, const std::string& scope) {
  const SpanContext parent = Parent(true);
  EXPECT_EQ(d.name, "shop.Payments/Pay");
  EXPECT_EQ(d.kind, SpanKind::kServer);
  EXPECT_EQ(d.context.trace_id, parent.trace_id);
  EXPECT_EQ(d.context.span_id, context.span_id);
  EXPECT_TRUE(d.context.sampled());
  EXPECT_FALSE(d.context.is_remote);
  EXPECT_TRUE(d.context.trace_state.empty());
  EXPECT_EQ(d.parent_span_id, parent.span_id);
  EXPECT_TRUE(d.parent_is_remote);
  EXPECT_EQ(d.start_time, At(1000));
  EXPECT_EQ(d.end_time, At(5000));
  EXPECT_EQ(d.attributes, (Attributes{{"rpc.system", "periscope"}, {"rpc.method", "Pay"}}));
  EXPECT_TRUE(d.events.empty());
  EXPECT_TRUE(d.links.empty());
  EXPECT_EQ(d.status, StatusCode::kUnset);
  EXPECT_TRUE(d.status_message.empty());
  ASSERT_NE(d.resource, nullptr);
  const AttributeValue* service = FindAttribute(d.resource->attributes, "service.name");
  ASSERT_NE(service, nullptr);
  EXPECT_EQ(*service, AttributeValue("shape-svc"));
  ASSERT_NE(d.scope, nullptr);
  EXPECT_EQ(d.scope->name, scope);
}

class ShapedSpanTest : public ::testing::TestWithParam<bool> {};

TEST_P(ShapedSpanTest, ASpanOfAShapeExportsItsNameKindAttributesAndTimes) {
  Tracing t(GetParam());
  Tracer tracer = t.provider->GetTracer("rpc", "1.0");
  auto shape = PayShape(tracer);
  EXPECT_TRUE(shape->MadeBy(tracer));
  SpanContext remote = Parent(true);
  remote.is_remote = true;
  std::shared_ptr<Span> span = tracer.StartSpan(shape, remote, At(1000));
  ASSERT_TRUE(span->IsRecording());
  EXPECT_EQ(span->context().trace_id, remote.trace_id);
  span->End(At(5000));
  EXPECT_FALSE(span->IsRecording());
  span->End(At(9000));  // a second End does nothing

  UniqueSpan unique = tracer.StartUniqueSpan(shape, remote, At(1000));
  ASSERT_TRUE(unique.IsRecording());
  const SpanContext unique_context = unique.context();
  unique.End(At(5000));
  EXPECT_FALSE(unique.IsRecording());

  std::vector<SpanData> spans = t.Exported();
  ASSERT_EQ(spans.size(), 2u);
  ExpectPaySpan(WithId(spans, span->context().span_id), span->context(), "rpc");
  ExpectPaySpan(WithId(spans, unique_context.span_id), unique_context, "rpc");
}

TEST_P(ShapedSpanTest, WhatASpanSetsOfItsOwnIsExportedWithTheShape) {
  Tracing t(GetParam());
  Tracer tracer = t.provider->GetTracer("rpc");
  auto shape = PayShape(tracer);
  const SpanContext linked = Parent(false);
  std::shared_ptr<Span> span = tracer.StartSpan(shape, Parent(true), At(1000));
  span->SetAttribute("rpc.method", "Refund");  // overrides the shape's value
  span->SetAttribute("retry", int64_t{2});
  span->AddEvent("declined", {{"code", int64_t{51}}}, At(2000));
  span->AddLink(linked);
  span->SetStatus(StatusCode::kError, "card declined");
  span->UpdateName("shop.Payments/Refund");
  span->End(At(5000));

  UniqueSpan unique = tracer.StartUniqueSpan(shape, Parent(true), At(1000));
  const SpanId unique_id = unique.context().span_id;
  unique.SetAttribute("retry", int64_t{3});
  unique.SetStatus(StatusCode::kError, "timeout");
  unique.End(At(5000));

  std::vector<SpanData> spans = t.Exported();
  ASSERT_EQ(spans.size(), 2u);
  const SpanData& d = WithId(spans, span->context().span_id);
  EXPECT_EQ(d.name, "shop.Payments/Refund");
  EXPECT_EQ(d.kind, SpanKind::kServer);
  EXPECT_EQ(d.parent_span_id, Parent(true).span_id);
  EXPECT_EQ(d.start_time, At(1000));
  EXPECT_EQ(d.end_time, At(5000));
  EXPECT_EQ(
      d.attributes,
      (Attributes{{"rpc.system", "periscope"}, {"rpc.method", "Refund"}, {"retry", int64_t{2}}}));
  ASSERT_EQ(d.events.size(), 1u);
  EXPECT_EQ(d.events[0].name, "declined");
  EXPECT_EQ(d.events[0].time, At(2000));
  ASSERT_EQ(d.links.size(), 1u);
  EXPECT_EQ(d.links[0].context.span_id, linked.span_id);
  EXPECT_EQ(d.status, StatusCode::kError);
  EXPECT_EQ(d.status_message, "card declined");

  const SpanData& u = WithId(spans, unique_id);
  EXPECT_EQ(u.name, "shop.Payments/Pay");
  EXPECT_EQ(
      u.attributes,
      (Attributes{{"rpc.system", "periscope"}, {"rpc.method", "Pay"}, {"retry", int64_t{3}}}));
  EXPECT_EQ(u.status, StatusCode::kError);
  EXPECT_EQ(u.status_message, "timeout");
}

TEST_P(ShapedSpanTest, AStatusWithoutADescriptionFollowsTheUsualRules) {
  Tracing t(GetParam());
  Tracer tracer = t.provider->GetTracer("rpc");
  auto shape = PayShape(tracer);
  auto error = tracer.StartSpan(shape, Parent(true), At(1000));
  error->SetStatus(StatusCode::kError);
  error->SetStatus(StatusCode::kUnset);  // ignored
  error->End(At(5000));
  auto ok = tracer.StartSpan(shape, Parent(true), At(1000));
  ok->SetStatus(StatusCode::kError);
  ok->SetStatus(StatusCode::kOk);
  ok->SetStatus(StatusCode::kError, "after OK");  // an OK status is final
  ok->End(At(5000));
  UniqueSpan unique = tracer.StartUniqueSpan(shape, Parent(true), At(1000));
  const SpanId unique_id = unique.context().span_id;
  unique.SetStatus(StatusCode::kOk);
  unique.End(At(5000));

  std::vector<SpanData> spans = t.Exported();
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(WithId(spans, error->context().span_id).status, StatusCode::kError);
  EXPECT_EQ(WithId(spans, ok->context().span_id).status, StatusCode::kOk);
  EXPECT_TRUE(WithId(spans, ok->context().span_id).status_message.empty());
  EXPECT_EQ(WithId(spans, unique_id).status, StatusCode::kOk);
}

TEST_P(ShapedSpanTest, SpansOfOneShapeKeepTheirOwnParentsTimesAndStatus) {
  Tracing t(GetParam());
  Tracer tracer = t.provider->GetTracer("rpc");
  auto shape = PayShape(tracer);
  SpanContext remote = Parent(true);
  remote.is_remote = true;
  const SpanContext local = Parent(true);
  // Round after round of the same shape: the batch worker reuses each expanded slot and writes
  // only what differs from the span before.
  struct Ended {
    SpanId id;
    const SpanContext* parent;
    int64_t start;
    StatusCode status;
  };
  std::vector<Ended> ended;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 6; ++i) {
      // Each slot sees another kind of parent and status from round to round.
      const int kind = (i + round) % 3;
      const SpanContext* parent = kind == 0 ? &remote : kind == 1 ? &local : nullptr;
      const int64_t start = 1000 * (round * 6 + i + 1);
      auto span = tracer.StartSpan(shape, parent ? *parent : SpanContext(), At(start));
      const StatusCode status = (i + round) % 2 ? StatusCode::kOk : StatusCode::kUnset;
      span->SetStatus(status);
      span->End(At(start + 500));
      ended.push_back({span->context().span_id, parent, start, status});
    }
    t.provider->ForceFlush();
  }
  std::vector<SpanData> spans = t.Exported();
  ASSERT_EQ(spans.size(), ended.size());
  for (const Ended& e : ended) {
    const SpanData& d = WithId(spans, e.id);
    if (e.parent != nullptr) {
      EXPECT_EQ(d.context.trace_id, e.parent->trace_id);
      EXPECT_EQ(d.parent_span_id, e.parent->span_id);
      EXPECT_EQ(d.parent_is_remote, e.parent->is_remote);
    } else {
      EXPECT_NE(d.context.trace_id, Parent(true).trace_id);
      EXPECT_FALSE(d.parent_span_id.IsValid());
      EXPECT_FALSE(d.parent_is_remote);
    }
    EXPECT_EQ(d.start_time, At(e.start));
    EXPECT_EQ(d.end_time, At(e.start + 500));
    EXPECT_EQ(d.status, e.status);
    EXPECT_EQ(d.name, "shop.Payments/Pay");
  }
}

TEST_P(ShapedSpanTest, RecycledSpansCarryNothingOfTheSpansBefore) {
  Tracing t(GetParam());
  Tracer tracer = t.provider->GetTracer("rpc");
  auto shape = PayShape(tracer);
  auto other = tracer.MakeSpanShape("other", SpanKind::kClient, {{"k", "v"}});
  // Shaped spans with and without data of their own, and general spans, one after another on
  // one thread: each reuses what the one before released.
  constexpr int kRounds = 40;
  std::vector<SpanId> with_data_ids, plain_ids, general_ids;
  for (int i = 0; i < kRounds; ++i) {
    auto with_data = tracer.StartSpan(shape, Parent(true), At(1000));
    with_data->SetAttribute("i", int64_t{i});
    with_data->SetStatus(StatusCode::kError, "e");
    with_data->End(At(5000));
    with_data_ids.push_back(with_data->context().span_id);
    with_data.reset();
    auto plain = tracer.StartSpan(i % 2 ? shape : other, Parent(true), At(1000));
    plain->End(At(5000));
    plain_ids.push_back(plain->context().span_id);
    plain.reset();
    auto general = tracer.StartSpan("general");
    general->End();
    general_ids.push_back(general->context().span_id);
  }
  std::vector<SpanData> spans = t.Exported();
  ASSERT_EQ(spans.size(), 3u * kRounds);
  for (int i = 0; i < kRounds; ++i) {
    const SpanData& with_data = WithId(spans, with_data_ids[i]);
    EXPECT_EQ(with_data.attributes.size(), 3u);
    EXPECT_EQ(with_data.status_message, "e");
    const SpanData& plain = WithId(spans, plain_ids[i]);
    if (i % 2) {
      EXPECT_EQ(plain.name, "shop.Payments/Pay");
      EXPECT_EQ(plain.attributes.size(), 2u);
    } else {
      EXPECT_EQ(plain.name, "other");
      EXPECT_EQ(plain.kind, SpanKind::kClient);
      EXPECT_EQ(plain.attributes, (Attributes{{"k", "v"}}));
    }
    EXPECT_EQ(plain.status, StatusCode::kUnset);
    EXPECT_TRUE(plain.status_message.empty());
    const SpanData& general = WithId(spans, general_ids[i]);
    EXPECT_EQ(general.name, "general");
    EXPECT_EQ(general.kind, SpanKind::kInternal);
    EXPECT_TRUE(general.attributes.empty());
    EXPECT_EQ(general.status, StatusCode::kUnset);
  }
}

TEST_P(ShapedSpanTest, TheGeneralPathGivesTheSameSpans) {
  // A sampler the tracer asks (a ratio of 1 samples everything), a parent with a tracestate and a
  // shape of another tracer all take the general path.
  Tracing t(GetParam(), ParentBasedSampler(TraceIdRatioBasedSampler(1.0)));
  Tracer tracer = t.provider->GetTracer("rpc");
  Tracer other = t.provider->GetTracer("other");
  auto shape = PayShape(tracer);
  EXPECT_FALSE(shape->MadeBy(other));
  SpanContext remote = Parent(true);
  remote.is_remote = true;
  auto span = tracer.StartSpan(shape, remote, At(1000));
  span->End(At(5000));
  UniqueSpan unique = other.StartUniqueSpan(shape, remote, At(1000));
  const SpanContext unique_context = unique.context();
  unique.End(At(5000));
  std::vector<SpanData> spans = t.Exported();
  ASSERT_EQ(spans.size(), 2u);
  ExpectPaySpan(WithId(spans, span->context().span_id), span->context(), "rpc");
  ExpectPaySpan(WithId(spans, unique_context.span_id), unique_context, "other");

  Tracing plain(GetParam());
  Tracer traced = plain.provider->GetTracer("rpc");
  SpanContext with_state = Parent(true);
  with_state.trace_state = *TraceState::Parse("vendor=abc");
  auto child = traced.StartSpan(PayShape(traced), with_state, At(1000));
  EXPECT_EQ(child->context().trace_state, with_state.trace_state);
  child->End(At(5000));
  std::vector<SpanData> exported = plain.Exported();
  ASSERT_EQ(exported.size(), 1u);
  EXPECT_EQ(exported[0].context.trace_state, with_state.trace_state);
  EXPECT_EQ(exported[0].name, "shop.Payments/Pay");
}

TEST_P(ShapedSpanTest, ASampledOutSpanCarriesItsContextAndExportsNothing) {
  Tracing t(GetParam(), ParentBasedSampler(AlwaysOnSampler()));
  Tracer tracer = t.provider->GetTracer("rpc");
  auto shape = PayShape(tracer);
  const SpanContext parent = Parent(false);
  auto span = tracer.StartSpan(shape, parent, At(1000));
  EXPECT_FALSE(span->IsRecording());
  EXPECT_EQ(span->context().trace_id, parent.trace_id);
  EXPECT_TRUE(span->context().span_id.IsValid());
  EXPECT_FALSE(span->context().sampled());
  span->SetAttribute("ignored", true);
  span->End(At(5000));
  UniqueSpan unique = tracer.StartUniqueSpan(shape, parent, At(1000));
  EXPECT_FALSE(unique.IsRecording());
  EXPECT_EQ(unique.context().trace_id, parent.trace_id);
  unique.End(At(5000));
  EXPECT_TRUE(t.Exported().empty());
}

// With a ratio sampler most starts are dropped: a dropped span is recycled like a sampled one,
// and neither carries anything of the other.
TEST_P(ShapedSpanTest, DroppedSpansAreRecycledAndRecordNothing) {
  Tracing t(GetParam(), ParentBasedSampler(AlwaysOnSampler()));
  Tracer tracer = t.provider->GetTracer("rpc");
  auto shape = PayShape(tracer);
  auto dropped = tracer.StartSpan(shape, Parent(false), At(1000));
  const Span* first = dropped.get();
  dropped->End(At(2000));
  dropped.reset();

  auto sampled = tracer.StartSpan(shape, Parent(true), At(3000));
  EXPECT_EQ(sampled.get(), first);
  EXPECT_TRUE(sampled->IsRecording());
  EXPECT_TRUE(sampled->context().sampled());
  sampled->SetAttribute("own", int64_t{1});
  const SpanId sampled_id = sampled->context().span_id;
  sampled->End(At(4000));
  sampled.reset();

  auto again = tracer.StartSpan(shape, Parent(false), At(5000));
  EXPECT_EQ(again.get(), first);
  EXPECT_FALSE(again->IsRecording());
  EXPECT_FALSE(again->context().sampled());
  EXPECT_EQ(again->context().trace_id, Parent(false).trace_id);
  EXPECT_NE(again->context().span_id, sampled_id);
  again->SetAttribute("ignored", true);
  again->SetStatus(StatusCode::kError, "ignored");
  again->End(At(6000));
  again.reset();

  const std::vector<SpanData> spans = t.Exported();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].context.span_id, sampled_id);
  EXPECT_EQ(spans[0].start_time, At(3000));
  EXPECT_EQ(spans[0].end_time, At(4000));
  ASSERT_NE(spans[0].FindAttribute("own"), nullptr);
  EXPECT_EQ(spans[0].FindAttribute("ignored"), nullptr);
  EXPECT_EQ(spans[0].status, StatusCode::kUnset);
}

TEST_P(ShapedSpanTest, AMovedFromUniqueSpanRecordsNothing) {
  Tracing t(GetParam());
  Tracer tracer = t.provider->GetTracer("rpc");
  UniqueSpan first = tracer.StartUniqueSpan(PayShape(tracer), Parent(true), At(1000));
  UniqueSpan second = std::move(first);
  EXPECT_FALSE(first.IsRecording());  // NOLINT(bugprone-use-after-move): what is tested
  EXPECT_TRUE(second.IsRecording());
  first.SetAttribute("lost", true);
  first.End(At(5000));
  UniqueSpan third;
  third = std::move(second);
  second.End(At(5000));  // NOLINT(bugprone-use-after-move)
  third.End(At(5000));
  std::vector<SpanData> spans = t.Exported();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].attributes.size(), 2u);
}

TEST_P(ShapedSpanTest, AUniqueSpanStartedInPlaceIsReusedAndDropsWhatItRecorded) {
  Tracing t(GetParam());
  Tracer tracer = t.provider->GetTracer("rpc");
  auto shape = PayShape(tracer);
  UniqueSpan span;
  tracer.StartUniqueSpan(shape, Parent(true), At(1000), span);
  ASSERT_TRUE(span.IsRecording());
  const SpanId first = span.context().span_id;
  span.SetAttribute("own", int64_t{1});  // gives it data of its own
  span.End(At(5000));
  // Started again in the same object: nothing of the first span's data is left.
  tracer.StartUniqueSpan(shape, SpanContext(), At(2000), span);
  const SpanContext second = span.context();
  EXPECT_NE(second.span_id, first);
  EXPECT_NE(second.trace_id, Parent(true).trace_id);
  span.End(At(6000));
  // A recording span started over is dropped.
  tracer.StartUniqueSpan(shape, Parent(true), At(3000), span);
  const SpanId dropped = span.context().span_id;
  tracer.StartUniqueSpan(shape, Parent(true), At(4000), span);
  span.End(At(7000));
  const SpanId last = span.context().span_id;
  // Into a span with a tracestate: the shaped start leaves none.
  UniqueSpan general =
      tracer.StartUniqueSpan("general", Parent(true), StartSpanOptions(), At(1000));
  general.End(At(1500));
  tracer.StartUniqueSpan(shape, Parent(true), At(1000), general);
  EXPECT_TRUE(general.context().trace_state.empty());
  general.End(At(5000));

  std::vector<SpanData> spans = t.Exported();
  ASSERT_EQ(spans.size(), 5u);
  EXPECT_EQ(WithId(spans, first).attributes.size(), 3u);
  const SpanData& s2 = WithId(spans, second.span_id);
  EXPECT_EQ(s2.attributes.size(), 2u);
  EXPECT_FALSE(s2.parent_span_id.IsValid());
  EXPECT_EQ(s2.start_time, At(2000));
  EXPECT_EQ(s2.end_time, At(6000));
  EXPECT_EQ(WithId(spans, last).start_time, At(4000));
  for (const SpanData& d : spans) EXPECT_NE(d.context.span_id, dropped);
}

TEST_P(ShapedSpanTest, AQueuedSpanOutlivesItsShapesOwner) {
  Tracing t(GetParam());
  Tracer tracer = t.provider->GetTracer("rpc");
  std::shared_ptr<const SpanShape> shape = PayShape(tracer);
  auto span = tracer.StartSpan(shape, Parent(true), At(1000));
  UniqueSpan unique = tracer.StartUniqueSpan(shape, Parent(true), At(1000));
  shape.reset();
  span->End(At(5000));
  unique.End(At(5000));
  std::vector<SpanData> spans = t.Exported();
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].name, "shop.Payments/Pay");
  EXPECT_EQ(spans[1].attributes.size(), 2u);
}

TEST_P(ShapedSpanTest, NothingIsExportedAfterShutdown) {
  Tracing t(GetParam());
  Tracer tracer = t.provider->GetTracer("rpc");
  auto shape = PayShape(tracer);
  auto span = tracer.StartSpan(shape, Parent(true), At(1000));
  t.provider->Shutdown();
  span->End(At(5000));
  EXPECT_FALSE(tracer.StartSpan(shape, Parent(true), At(1000))->IsRecording());
  EXPECT_FALSE(tracer.StartUniqueSpan(shape, Parent(true), At(1000)).IsRecording());
  EXPECT_TRUE(t.exporter->spans().empty());
}

INSTANTIATE_TEST_SUITE_P(Processors, ShapedSpanTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Batch" : "Simple";
                         });

using periscope::trace::testing::GatedExporter;

TEST(ShapedSpanQueueTest, RecordsAndWholeSpansShareOneQueueBound) {
  auto exporter = std::make_shared<GatedExporter>();
  BatchOptions options;
  options.max_queue_size = 4;
  options.max_export_batch_size = 4;
  options.schedule_delay = std::chrono::hours(1);
  auto processor = std::make_shared<BatchSpanProcessor>(exporter, options);
  TracerProviderOptions o;
  o.processors.push_back(processor);
  TracerProvider provider(std::move(o));
  Tracer tracer = provider.GetTracer("rpc");
  auto shape = PayShape(tracer);
  auto end_one = [&](int i) {
    if (i % 2) {
      tracer.StartSpan(shape, Parent(true), At(1000))->End(At(5000));
    } else {
      tracer.StartSpan("whole")->End();
    }
  };
  // A full batch of both kinds wakes the worker, which takes it and waits in the exporter.
  for (int i = 0; i < 4; ++i) end_one(i);
  exporter->WaitUntilEntered();
  // The queue takes 4 more while the worker holds a batch; the rest are dropped.
  for (int i = 0; i < 8; ++i) end_one(i);
  EXPECT_EQ(processor->stats().queued, 8u);
  EXPECT_EQ(processor->stats().dropped, 4u);
  exporter->Open();
  EXPECT_TRUE(provider.ForceFlush());
  EXPECT_EQ(exporter->received(), 8u);
  EXPECT_EQ(processor->stats().exported, 8u);
}

TEST(ShapedSpanQueueTest, ConcurrentThreadsLoseNoRecord) {
  BatchOptions options;
  options.max_queue_size = 1 << 16;
  options.max_export_batch_size = 64;
  Tracing t(true, AlwaysOnSampler(), options);
  Tracer tracer = t.provider->GetTracer("rpc");
  auto shape = PayShape(tracer);
  auto other = tracer.MakeSpanShape("other", SpanKind::kClient, {});
  constexpr int kThreads = 4;
  constexpr int kSpans = 2000;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      for (int n = 0; n < kSpans; ++n) {
        if ((n + i) % 3 == 0) {
          tracer.StartUniqueSpan(other, Parent(true), At(1000)).End(At(5000));
        } else {
          tracer.StartSpan(shape, Parent(true), At(1000))->End(At(5000));
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::vector<SpanData> spans = t.Exported();
  ASSERT_EQ(spans.size(), size_t{kThreads} * kSpans);
  EXPECT_EQ(t.batch->stats().dropped, 0u);
  for (const SpanData& span : spans) {
    ASSERT_TRUE(span.name == "shop.Payments/Pay" || span.name == "other") << span.name;
    ASSERT_EQ(span.end_time, At(5000));
  }
}

}  // namespace
}  // namespace periscope::trace
