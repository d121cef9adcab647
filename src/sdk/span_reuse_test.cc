#include <gtest/gtest.h>

#include "periscope/trace.h"
#include "sdk/otlp_encoder.h"

namespace periscope::trace {
namespace {

using namespace std::chrono_literals;

// A provider whose batch processor swaps span data in and out of its queue slots: every span
// after the first few starts on data an earlier span left.
struct BatchFixture {
  std::shared_ptr<InMemorySpanExporter> exporter = std::make_shared<InMemorySpanExporter>();
  std::unique_ptr<TracerProvider> provider;
  explicit BatchFixture(size_t queue_size = 64) {
    TracerProviderOptions o;
    BatchOptions batch;
    batch.max_queue_size = queue_size;
    batch.max_export_batch_size = 8;
    batch.schedule_delay = 10ms;
    o.processors.push_back(std::make_shared<BatchSpanProcessor>(exporter, batch));
    provider = std::make_unique<TracerProvider>(std::move(o));
  }
};

const AttributeValue* Find(const SpanData& span, std::string_view key) {
  return FindAttribute(span.attributes, key);
}

TEST(SpanReuseTest, ARecycledSpanCarriesNothingOfTheSpansBefore) {
  BatchFixture f;
  Tracer tracer = f.provider->GetTracer("reuse");
  const std::string long_value(300, 'v');
  auto shared = std::make_shared<const Attributes>(Attributes{{"shared.key", "shared"}});
  constexpr int kSpans = 240;
  for (int i = 0; i < kSpans; ++i) {
    if (i % 2 == 0) {
      // A rich span: many attributes, long strings, events, a link, an error, a new name.
      StartSpanOptions options;
      options.kind = SpanKind::kServer;
      options.attributes = {{"rich.index", i}, {"rich.long", long_value}, {"rich.flag", true}};
      options.shared_attributes = shared;
      auto span = tracer.StartSpan("rich-first-name", std::move(options));
      span->SetAttribute("rich.later", 2.5);
      span->AddEvent("evt", {{"e", 1}});
      span->AddEvent("evt2");
      span->AddLink(span->context(), {{"l", "x"}});
      span->SetStatus(StatusCode::kError, "it failed");
      span->UpdateName("rich-" + std::to_string(i));
      span->End();
    } else {
      auto span = tracer.StartSpan("plain-" + std::to_string(i), {.attributes = {{"plain", i}}});
      span->End();
    }
    if (i % 10 == 9) {
      ASSERT_TRUE(f.provider->ForceFlush());
    }
  }
  ASSERT_TRUE(f.provider->ForceFlush());
  std::vector<SpanData> spans = f.exporter->spans();
  ASSERT_EQ(spans.size(), size_t{kSpans});
  for (int i = 0; i < kSpans; ++i) {
    const SpanData& s = spans[i];
    SCOPED_TRACE("span " + std::to_string(i));
    EXPECT_TRUE(s.context.IsValid());
    EXPECT_GE(s.end_time, s.start_time);
    EXPECT_EQ(s.dropped_attributes, 0u);
    EXPECT_EQ(s.dropped_events, 0u);
    EXPECT_EQ(s.dropped_links, 0u);
    if (i % 2 == 0) {
      EXPECT_EQ(s.name, "rich-" + std::to_string(i));
      EXPECT_EQ(s.kind, SpanKind::kServer);
      ASSERT_EQ(s.attributes.size(), 5u);  // shared.key merged in by the in-memory exporter
      EXPECT_EQ(*Find(s, "shared.key"), AttributeValue("shared"));
      EXPECT_EQ(*Find(s, "rich.index"), AttributeValue(i));
      EXPECT_EQ(*Find(s, "rich.long"), AttributeValue(long_value));
      EXPECT_EQ(*Find(s, "rich.later"), AttributeValue(2.5));
      EXPECT_EQ(s.events.size(), 2u);
      EXPECT_EQ(s.links.size(), 1u);
      EXPECT_EQ(s.status, StatusCode::kError);
      EXPECT_EQ(s.status_message, "it failed");
    } else {
      EXPECT_EQ(s.name, "plain-" + std::to_string(i));
      EXPECT_EQ(s.kind, SpanKind::kInternal);
      ASSERT_EQ(s.attributes.size(), 1u);
      EXPECT_EQ(*Find(s, "plain"), AttributeValue(i));
      EXPECT_EQ(s.shared_attributes, nullptr);
      EXPECT_TRUE(s.events.empty());
      EXPECT_TRUE(s.links.empty());
      EXPECT_EQ(s.status, StatusCode::kUnset);
      EXPECT_EQ(s.status_message, "");
      EXPECT_FALSE(s.parent_span_id.IsValid());
    }
  }
}

TEST(SpanReuseTest, SharedAttributesComeFirstAndTheSpansOwnOverrideThem) {
  std::vector<SpanData> exported;
  struct Capture : SpanExporter {
    std::vector<SpanData>* out;
    explicit Capture(std::vector<SpanData>* o) : out(o) {}
    ExportResult Export(std::span<const SpanData> spans) override {
      out->insert(out->end(), spans.begin(), spans.end());
      return ExportResult::Ok();
    }
  };
  TracerProviderOptions o;
  o.processors.push_back(
      std::make_shared<SimpleSpanProcessor>(std::make_shared<Capture>(&exported)));
  TracerProvider provider(std::move(o));
  auto shared = std::make_shared<const Attributes>(
      Attributes{{"rpc.method", "Get"}, {"rpc.periscope.status_code", 0}, {"peer", "a"}});
  StartSpanOptions options;
  options.attributes = {{"own", "x"}};
  options.shared_attributes = shared;
  auto span = provider.GetTracer("t").StartSpan("s", std::move(options));
  span->SetAttribute("rpc.periscope.status_code", 5);
  span->End();

  ASSERT_EQ(exported.size(), 1u);
  const SpanData& s = exported[0];
  EXPECT_EQ(s.shared_attributes, shared);  // kept by reference, not copied
  EXPECT_EQ(*s.FindAttribute("rpc.periscope.status_code"), AttributeValue(5));
  EXPECT_EQ(*s.FindAttribute("peer"), AttributeValue("a"));
  EXPECT_EQ(s.FindAttribute("missing"), nullptr);
  const Attributes all = s.AllAttributes();
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].first, "rpc.method");
  EXPECT_EQ(all[1].first, "peer");
  EXPECT_EQ(all[2].first, "own");
  EXPECT_EQ(all[3], KeyValue("rpc.periscope.status_code", 5));

  // OTLP: every key once, the span's own value for an overridden key.
  auto request = internal::EncodeSpans(exported);
  const auto& attrs = request.resource_spans(0).scope_spans(0).spans(0).attributes();
  ASSERT_EQ(attrs.size(), 4);
  EXPECT_EQ(attrs[0].key(), "rpc.method");
  EXPECT_EQ(attrs[1].key(), "peer");
  EXPECT_EQ(attrs[2].key(), "own");
  EXPECT_EQ(attrs[3].key(), "rpc.periscope.status_code");
  EXPECT_EQ(attrs[3].value().int_value(), 5);
}

TEST(SpanReuseTest, TheSamplerSeesSharedAndOwnAttributes) {
  struct Recorder : Sampler {
    mutable std::vector<Attributes> seen;
    SamplingResult ShouldSample(const SamplingParameters& params) const override {
      seen.emplace_back(params.attributes.begin(), params.attributes.end());
      return {SamplingDecision::kRecordAndSample, {}, {}};
    }
    std::string Description() const override { return "Recorder"; }
  };
  auto sampler = std::make_shared<Recorder>();
  TracerProviderOptions o;
  o.sampler = sampler;
  TracerProvider provider(std::move(o));
  Tracer tracer = provider.GetTracer("t");
  auto shared = std::make_shared<const Attributes>(Attributes{{"a", 1}, {"b", 2}});
  tracer.StartSpan("only-shared", {.shared_attributes = shared})->End();
  tracer.StartSpan("both", {.attributes = {{"b", 3}, {"c", 4}}, .shared_attributes = shared})
      ->End();
  tracer.StartSpan("only-own", {.attributes = {{"c", 4}}})->End();
  ASSERT_EQ(sampler->seen.size(), 3u);
  EXPECT_EQ(sampler->seen[0], (Attributes{{"a", 1}, {"b", 2}}));
  EXPECT_EQ(sampler->seen[1], (Attributes{{"a", 1}, {"b", 3}, {"c", 4}}));
  EXPECT_EQ(sampler->seen[2], (Attributes{{"c", 4}}));
}

TEST(SpanReuseTest, SpansEndedOnAnotherThreadAndReleasedAfterItsExitAreSafe) {
  BatchFixture f(/*queue_size=*/1024);  // room for every span: none is dropped under load
  Tracer tracer = f.provider->GetTracer("threads");
  std::vector<std::shared_ptr<Span>> kept;
  for (int t = 0; t < 4; ++t) {
    std::thread([&] {
      for (int i = 0; i < 50; ++i) {
        auto span = tracer.StartSpan("s", {.attributes = {{"i", i}}});
        span->End();
        if (i % 10 == 0) kept.push_back(span);  // outlives the thread that made it
      }
    }).join();
  }
  kept.clear();  // released here, on this thread: their data joins this thread's free list
  ASSERT_TRUE(f.provider->ForceFlush());
  EXPECT_EQ(f.exporter->spans().size(), 200u);
}

TEST(SpanReuseTest, ARecycledSpanServesTheTracerThatStartsItNext) {
  BatchFixture a;
  BatchFixture b;
  Tracer ta = a.provider->GetTracer("first");
  Tracer tb = b.provider->GetTracer("second");
  for (int i = 0; i < 20; ++i) {
    // Alternating providers on one thread: each span is released before the next starts, so
    // every span after the first is the one just released, most often from the other tracer.
    std::shared_ptr<Span> span = (i % 2 == 0 ? ta : tb).StartSpan("s" + std::to_string(i));
    EXPECT_TRUE(span->IsRecording());
    span->SetAttribute("i", i);
    if (i % 4 != 3) span->End();  // and some are released without End: never exported
  }
  ASSERT_TRUE(a.provider->ForceFlush());
  ASSERT_TRUE(b.provider->ForceFlush());
  auto check = [](const std::vector<SpanData>& spans, int first, const char* scope) {
    std::vector<std::string> names;
    for (const SpanData& s : spans) {
      names.push_back(s.name);
      EXPECT_EQ(s.scope->name, scope);
      EXPECT_EQ(*Find(s, "i"), AttributeValue(std::stoi(s.name.substr(1))));
    }
    std::vector<std::string> expected;
    for (int i = first; i < 20; i += 2) {
      if (i % 4 != 3) expected.push_back("s" + std::to_string(i));
    }
    EXPECT_EQ(names, expected);
  };
  check(a.exporter->spans(), 0, "first");
  check(b.exporter->spans(), 1, "second");
}

// A server without a tracer makes a non-recording span for every traced call it takes.
TEST(SpanReuseTest, NonRecordingSpansAreRecycledAndCarryOnlyTheirOwnContext) {
  SpanContext with_state =
      *ParseTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  with_state.trace_state = *TraceState::Parse("vendor=a,other=b");
  const SpanContext plain =
      *ParseTraceparent("00-11111111111111111111111111111111-2222222222222222-00");
  std::shared_ptr<Span> first = Span::NonRecording(with_state);
  EXPECT_FALSE(first->IsRecording());
  EXPECT_EQ(first->context().trace_state.ToHeader(), "vendor=a,other=b");
  const Span* address = first.get();
  first.reset();

  std::shared_ptr<Span> second = Span::NonRecording(plain);
  EXPECT_EQ(second.get(), address);
  EXPECT_FALSE(second->IsRecording());
  EXPECT_EQ(second->context().trace_id, plain.trace_id);
  EXPECT_EQ(second->context().span_id, plain.span_id);
  EXPECT_FALSE(second->context().sampled());
  EXPECT_TRUE(second->context().trace_state.empty());
  second->SetAttribute("ignored", true);
  second->End();
  second.reset();

  // The next span a tracer starts on this thread reuses it and records as usual.
  BatchFixture f;
  Tracer tracer = f.provider->GetTracer("reuse");
  std::shared_ptr<Span> recording = tracer.StartSpan("after");
  EXPECT_EQ(recording.get(), address);
  EXPECT_TRUE(recording->IsRecording());
  recording->SetAttribute("own", int64_t{7});
  recording->End();
  recording.reset();
  ASSERT_TRUE(f.provider->ForceFlush());
  const std::vector<SpanData> spans = f.exporter->spans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].name, "after");
  ASSERT_NE(Find(spans[0], "own"), nullptr);
  EXPECT_EQ(Find(spans[0], "ignored"), nullptr);
}

TEST(SpanReuseTest, ASpanReleasedAfterItsProviderShutDownDoesNotKeepItAlive) {
  BatchFixture f;
  std::weak_ptr<InMemorySpanExporter> exporter = f.exporter;
  f.exporter.reset();
  std::shared_ptr<Span> span = f.provider->GetTracer("t").StartSpan("late");
  span->End();
  f.provider.reset();  // shuts down; the span still holds the provider's state
  EXPECT_FALSE(exporter.expired());
  span.reset();  // released after the shutdown: deleted, not kept for reuse
  EXPECT_TRUE(exporter.expired());
}

TEST(SpanReuseTest, WithTwoProcessorsEachExportsEverySpanWhole) {
  auto batched = std::make_shared<InMemorySpanExporter>();
  auto simple = std::make_shared<InMemorySpanExporter>();
  TracerProviderOptions o;
  o.processors.push_back(std::make_shared<BatchSpanProcessor>(
      batched, BatchOptions{.max_queue_size = 16, .max_export_batch_size = 4}));
  o.processors.push_back(std::make_shared<SimpleSpanProcessor>(simple));
  TracerProvider provider(std::move(o));
  Tracer tracer = provider.GetTracer("two");
  for (int i = 0; i < 40; ++i) {
    auto span = tracer.StartSpan("s" + std::to_string(i), {.attributes = {{"i", i}}});
    if (i % 5 == 0) span->AddEvent("e", {{"at", i}});
    span->End();
    if (i % 8 == 7) {
      ASSERT_TRUE(provider.ForceFlush());
    }
  }
  ASSERT_TRUE(provider.ForceFlush());
  for (const auto& exporter : {batched, simple}) {
    const std::vector<SpanData> spans = exporter->spans();
    ASSERT_EQ(spans.size(), 40u);
    for (int i = 0; i < 40; ++i) {
      EXPECT_EQ(spans[i].name, "s" + std::to_string(i));
      EXPECT_EQ(*Find(spans[i], "i"), AttributeValue(i));
      EXPECT_EQ(spans[i].events.size(), i % 5 == 0 ? 1u : 0u);
    }
  }
}

}  // namespace
}  // namespace periscope::trace
