// StartSpan's fast paths: the sampler shortcut (same decisions as the samplers it stands for),
// StartSpanWithParent, and options passed as lvalues.
#include <gtest/gtest.h>

#include "periscope/trace.h"
#include "sdk/in_memory_tracing.h"

namespace periscope::trace {
namespace {

using namespace std::chrono_literals;

using Fixture = testing::InMemoryTracing;

SpanContext RemoteParent(bool sampled, std::string_view trace_state = "") {
  SpanContext sc =
      *ParseTraceparent(sampled ? "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
                                : "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00");
  if (!trace_state.empty()) sc.trace_state = *TraceState::Parse(trace_state);
  return sc;
}

// The span a sampler makes of a root, a sampled and a non-sampled remote parent, and a sampled
// and a non-sampled local parent: whether each is sampled (and recording).
std::vector<bool> Decisions(std::shared_ptr<const Sampler> sampler) {
  Fixture f(std::move(sampler));
  Tracer tracer = f.provider->GetTracer("lib");
  std::vector<bool> sampled;
  auto record = [&](const std::shared_ptr<Span>& span) {
    EXPECT_EQ(span->IsRecording(), span->context().sampled());
    sampled.push_back(span->context().sampled());
  };
  record(tracer.StartSpan("root", {.parent = Context()}));
  record(tracer.StartSpan("remote-sampled", {.remote_parent = RemoteParent(true)}));
  record(tracer.StartSpan("remote-not-sampled", {.remote_parent = RemoteParent(false)}));
  SpanContext local = RemoteParent(true);
  local.is_remote = false;
  auto local_sampled = Span::NonRecording(local);
  local.flags.value = 0;
  auto local_not_sampled = Span::NonRecording(local);
  record(tracer.StartSpan("local-sampled", {.parent = Context().WithSpan(local_sampled)}));
  record(tracer.StartSpan("local-not-sampled", {.parent = Context().WithSpan(local_not_sampled)}));
  return sampled;
}

TEST(SpanStartTest, ShortcutSamplersDecideLikeTheSamplersTheyStandFor) {
  using V = std::vector<bool>;
  EXPECT_EQ(Decisions(AlwaysOnSampler()), V({true, true, true, true, true}));
  EXPECT_EQ(Decisions(AlwaysOffSampler()), V({false, false, false, false, false}));
  EXPECT_EQ(Decisions(ParentBasedSampler(AlwaysOnSampler())), V({true, true, false, true, false}));
  EXPECT_EQ(Decisions(ParentBasedSampler(AlwaysOffSampler())),
            V({false, true, false, true, false}));
}

TEST(SpanStartTest, ParentBasedWithOtherPerParentSamplersAsksThem) {
  ParentBasedOptions inverted;
  inverted.remote_parent_sampled = AlwaysOffSampler();
  inverted.remote_parent_not_sampled = AlwaysOnSampler();
  inverted.local_parent_sampled = AlwaysOffSampler();
  inverted.local_parent_not_sampled = AlwaysOnSampler();
  EXPECT_EQ(Decisions(ParentBasedSampler(AlwaysOnSampler(), inverted)),
            std::vector<bool>({true, false, true, false, true}));
  ParentBasedOptions ratio_root_children;
  ratio_root_children.remote_parent_not_sampled = TraceIdRatioBasedSampler(1.0);
  EXPECT_EQ(Decisions(ParentBasedSampler(AlwaysOffSampler(), ratio_root_children)),
            std::vector<bool>({false, true, true, true, false}));
}

TEST(SpanStartTest, ChildrenInheritTheParentsTraceStateUnderEverySampler) {
  for (auto sampler :
       {AlwaysOnSampler(), ParentBasedSampler(AlwaysOnSampler()), TraceIdRatioBasedSampler(1.0)}) {
    Fixture f(sampler);
    Tracer tracer = f.provider->GetTracer("lib");
    auto child =
        tracer.StartSpan("child", {.remote_parent = RemoteParent(true, "vendor=abc,other=1")});
    EXPECT_EQ(child->context().trace_state.ToHeader(), "vendor=abc,other=1");
    auto root = tracer.StartSpan("root", {.parent = Context()});
    EXPECT_TRUE(root->context().trace_state.empty());
    child->End();
    root->End();
    auto spans = f.exporter->spans();
    ASSERT_EQ(spans.size(), 2u);
    EXPECT_EQ(spans[0].context.trace_state.ToHeader(), "vendor=abc,other=1");
    EXPECT_TRUE(spans[1].context.trace_state.empty());
  }
}

TEST(SpanStartTest, StartSpanWithParentUsesOnlyTheGivenParent) {
  Fixture f(ParentBasedSampler(AlwaysOnSampler()));
  Tracer tracer = f.provider->GetTracer("lib");
  auto current = tracer.StartSpan("current");
  ScopedContext scope(Context().WithSpan(current));
  const SpanContext remote = RemoteParent(true, "k=v");
  StartSpanOptions options;
  options.kind = SpanKind::kServer;
  options.parent = Context().WithSpan(current);  // ignored
  options.attributes = {{"a", 1}};
  auto child = tracer.StartSpanWithParent("child", remote, std::move(options));
  EXPECT_EQ(child->context().trace_id, remote.trace_id);
  EXPECT_EQ(child->context().trace_state.ToHeader(), "k=v");
  // An invalid parent makes a root, not a child of the current span.
  auto root = tracer.StartSpanWithParent("root", SpanContext(), {});
  EXPECT_NE(root->context().trace_id, current->context().trace_id);
  EXPECT_NE(root->context().trace_id, remote.trace_id);
  // A non-sampled parent is followed too.
  auto dropped = tracer.StartSpanWithParent("dropped", RemoteParent(false), {});
  EXPECT_FALSE(dropped->IsRecording());
  child->End();
  root->End();
  auto spans = f.exporter->spans();
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].parent_span_id, remote.span_id);
  EXPECT_TRUE(spans[0].parent_is_remote);
  EXPECT_EQ(spans[0].kind, SpanKind::kServer);
  EXPECT_EQ(spans[0].attributes, Attributes({{"a", 1}}));
  EXPECT_FALSE(spans[1].parent_span_id.IsValid());
}

TEST(SpanStartTest, LvalueOptionsAreCopiedAndStayUsable) {
  Fixture f(AlwaysOnSampler());
  Tracer tracer = f.provider->GetTracer("lib");
  auto shared = std::make_shared<const Attributes>(Attributes{{"shared", true}});
  StartSpanOptions options;
  options.attributes = {{"a", 1}, {"b", "two"}};
  options.shared_attributes = shared;
  options.links.push_back({RemoteParent(true), {{"l", 1}}});
  tracer.StartSpan("first", options)->End();
  tracer.StartSpan("second", options)->End();
  EXPECT_EQ(options.attributes, Attributes({{"a", 1}, {"b", "two"}}));
  EXPECT_EQ(options.shared_attributes, shared);
  ASSERT_EQ(options.links.size(), 1u);
  EXPECT_EQ(options.links[0].attributes, Attributes({{"l", 1}}));
  auto spans = f.exporter->spans();
  ASSERT_EQ(spans.size(), 2u);
  for (const SpanData& s : spans) {
    EXPECT_EQ(s.attributes, Attributes({{"shared", true}, {"a", 1}, {"b", "two"}}));
    ASSERT_EQ(s.links.size(), 1u);
    EXPECT_EQ(s.links[0].attributes, Attributes({{"l", 1}}));
  }
}

// Options kept for many spans (an RPC method's template) are read, never moved from.
TEST(SpanStartTest, ConstOptionsWithAGivenParentAreReadNotTaken) {
  Fixture f(AlwaysOnSampler());
  Tracer tracer = f.provider->GetTracer("lib");
  auto shared = std::make_shared<const Attributes>(Attributes{{"shared", true}});
  StartSpanOptions kept;
  kept.kind = SpanKind::kClient;
  kept.attributes = {{"a", 1}};
  kept.shared_attributes = shared;
  kept.links.push_back({RemoteParent(true), {{"l", 1}}});
  const StartSpanOptions& options = kept;
  const SpanContext parent = RemoteParent(true);
  for (int i = 0; i < 3; ++i) tracer.StartSpanWithParent("call", parent, options)->End();
  EXPECT_EQ(kept.attributes, Attributes({{"a", 1}}));
  EXPECT_EQ(kept.shared_attributes, shared);
  ASSERT_EQ(kept.links.size(), 1u);
  EXPECT_EQ(kept.links[0].attributes, Attributes({{"l", 1}}));
  auto spans = f.exporter->spans();
  ASSERT_EQ(spans.size(), 3u);
  for (const SpanData& s : spans) {
    EXPECT_EQ(s.kind, SpanKind::kClient);
    EXPECT_EQ(s.parent_span_id, parent.span_id);
    EXPECT_EQ(s.attributes, Attributes({{"shared", true}, {"a", 1}}));
    ASSERT_EQ(s.links.size(), 1u);
  }
}

TEST(SpanStartTest, AGivenStartTimeWinsOverTheOptionsAndNow) {
  Fixture f(AlwaysOnSampler());
  Tracer tracer = f.provider->GetTracer("lib");
  const Timestamp given = Clock::now() - std::chrono::seconds(3);
  StartSpanOptions options;
  options.start_time = given - std::chrono::seconds(1);
  tracer.StartSpanWithParent("shared", RemoteParent(true), options, given)->End(given + 5ms);
  UniqueSpan unique = tracer.StartUniqueSpan("unique", RemoteParent(true), options, given);
  unique.End(given + 7ms);
  tracer.StartSpanWithParent("from options", RemoteParent(true), options)->End();
  auto spans = f.exporter->spans();
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(spans[0].start_time, given);
  EXPECT_EQ(spans[0].end_time, given + 5ms);
  EXPECT_EQ(spans[1].start_time, given);
  EXPECT_EQ(spans[1].end_time, given + 7ms);
  EXPECT_EQ(spans[2].start_time, given - std::chrono::seconds(1));
}

}  // namespace
}  // namespace periscope::trace
