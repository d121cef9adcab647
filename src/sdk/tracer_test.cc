#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <thread>

#include "periscope/trace.h"
#include "sdk/in_memory_tracing.h"
#include "sdk/otlp_encoder.h"
#include "sdk/tracer_shared.h"

namespace periscope::trace {
namespace {

using Fixture = testing::InMemoryTracing;

TEST(TracerTest, ImplicitContextBuildsParentChildTree) {
  Fixture f;
  Tracer tracer = f.provider->GetTracer("lib", "1.0");
  SpanId root_id, child_id;
  {
    ScopedSpan root(tracer, "root", {.kind = SpanKind::kServer});
    root_id = root->context().span_id;
    {
      ScopedSpan child(tracer, "child");
      child_id = child->context().span_id;
      EXPECT_EQ(child->context().trace_id, root->context().trace_id);
    }
    EXPECT_EQ(Context::Current().span_context().span_id, root_id);
  }
  EXPECT_FALSE(Context::Current().span_context().IsValid());
  auto spans = f.exporter->spans();
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].name, "child");
  EXPECT_EQ(spans[0].parent_span_id, root_id);
  EXPECT_EQ(spans[1].name, "root");
  EXPECT_FALSE(spans[1].parent_span_id.IsValid());
  EXPECT_EQ(spans[1].kind, SpanKind::kServer);
  EXPECT_EQ(spans[1].scope->name, "lib");
  EXPECT_EQ(*FindAttribute(spans[1].resource->attributes, "service.name"),
            AttributeValue("test-svc"));
  EXPECT_NE(FindAttribute(spans[1].resource->attributes, "telemetry.sdk.language"), nullptr);
}

TEST(TracerTest, IdsDoNotRepeatAndAreNeverZero) {
  std::set<std::string> trace_ids, span_ids;
  for (int i = 0; i < 100000; ++i) {
    TraceId t = internal::NewTraceId();
    SpanId s = internal::NewSpanId();
    ASSERT_TRUE(t.IsValid());
    ASSERT_TRUE(s.IsValid());
    trace_ids.emplace(t.AsBytes());
    span_ids.emplace(s.AsBytes());
  }
  EXPECT_EQ(trace_ids.size(), 100000u);
  EXPECT_EQ(span_ids.size(), 100000u);
}

TEST(TracerTest, ForkedChildDrawsOtherIdsThanItsParent) {
  internal::NewSpanId();  // this thread's generator is seeded before the fork
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const SpanId id = internal::NewSpanId();
    const bool written = write(fds[1], id.AsBytes().data(), SpanId::kSize) == SpanId::kSize;
    _exit(written ? 0 : 1);
  }
  const SpanId parent_id = internal::NewSpanId();
  char child_id[SpanId::kSize];
  ASSERT_EQ(read(fds[0], child_id, sizeof(child_id)), static_cast<ssize_t>(sizeof(child_id)));
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  close(fds[0]);
  close(fds[1]);
  EXPECT_NE(std::string_view(child_id, sizeof(child_id)), parent_id.AsBytes());
}

TEST(TracerTest, ContextIsThreadLocalAndCanBeCarriedAcrossThreads) {
  Fixture f;
  Tracer tracer = f.provider->GetTracer("lib");
  auto parent = tracer.StartSpan("parent");
  ScopedContext scope(Context::Current().WithSpan(parent));
  Context captured = Context::Current();
  SpanContext seen_without, seen_with;
  std::thread t([&] {
    seen_without = Context::Current().span_context();  // nothing active on a new thread
    captured.Wrap([&] {
      auto child = tracer.StartSpan("child");
      seen_with = child->context();
      child->End();
    })();
  });
  t.join();
  parent->End();
  EXPECT_FALSE(seen_without.IsValid());
  EXPECT_EQ(seen_with.trace_id, parent->context().trace_id);
  auto spans = f.exporter->spans();
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].parent_span_id, parent->context().span_id);
}

TEST(TracerTest, ExplicitParentAndForcedRoot) {
  Fixture f;
  Tracer tracer = f.provider->GetTracer("lib");
  SpanContext remote = *ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  auto server = tracer.StartSpan(
      "srv", {.kind = SpanKind::kServer, .parent = Context().WithRemoteSpanContext(remote)});
  EXPECT_EQ(server->context().trace_id, remote.trace_id);
  ScopedContext scope(Context().WithSpan(server));
  auto root = tracer.StartSpan("new-root", {.parent = Context()});
  EXPECT_NE(root->context().trace_id, remote.trace_id);
  server->End();
  auto spans = f.exporter->spans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_TRUE(spans[0].parent_is_remote);
  EXPECT_EQ(spans[0].parent_span_id, remote.span_id);
}

TEST(TracerTest, StartAttributesObeyTheSameLimits) {
  Fixture f(AlwaysOnSampler(), SpanLimits{.max_attributes = 2, .max_attribute_value_length = 3});
  Tracer tracer = f.provider->GetTracer("lib");
  auto span =
      tracer.StartSpan("op", {.attributes = {{"a", "long value"}, {"a", "x"}, {"b", 1}, {"c", 2}}});
  span->SetAttribute("b", 5);  // an existing key still takes a new value
  span->SetAttribute("d", 3);  // a new one does not
  span->End();
  auto spans = f.exporter->spans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].attributes.size(), 2u);
  EXPECT_EQ(*FindAttribute(spans[0].attributes, "a"), AttributeValue("x"));
  EXPECT_EQ(*FindAttribute(spans[0].attributes, "b"), AttributeValue(5));
  EXPECT_EQ(spans[0].dropped_attributes, 2u);
}

TEST(TracerTest, RecordsAttributesEventsLinksAndStatus) {
  Fixture f(
      AlwaysOnSampler(),
      SpanLimits{
          .max_attributes = 9, .max_events = 2, .max_links = 1, .max_attribute_value_length = 5});
  Tracer tracer = f.provider->GetTracer("lib");
  auto other = tracer.StartSpan("other", {.parent = Context()});
  auto span = tracer.StartSpan("op", {.attributes = {{"start", 1}}});
  span->SetAttribute("b", true);
  span->SetAttribute("i", 42);
  span->SetAttribute("d", 2.5);
  span->SetAttribute("s", "truncated-string");
  span->SetAttribute("bytes", Bytes{{0, 1, 255}});
  span->SetAttribute("arr", AttributeArray{1, "two", 3.0});
  span->SetAttribute("kv", Attributes{{"nested", "x"}});
  span->SetAttribute("i", 43);  // replaces, no new slot
  span->SetAttribute("last", 1);
  span->SetAttribute("over", 1);  // 10th key: dropped
  span->AddEvent("e1", {{"k", "v"}});
  span->RecordException("std::runtime_error", "boom");
  span->AddEvent("e3");  // over the event limit
  span->AddLink(other->context(), {{"why", "batch"}});
  span->AddLink(other->context());  // over the link limit
  span->UpdateName("renamed");
  span->End();
  span->SetAttribute("after_end", 1);  // ignored
  span->End();                         // no second export

  auto spans = f.exporter->spans();
  ASSERT_EQ(spans.size(), 1u);
  const SpanData& s = spans[0];
  EXPECT_EQ(s.name, "renamed");
  EXPECT_EQ(s.attributes.size(), 9u);
  EXPECT_EQ(s.dropped_attributes, 1u);
  EXPECT_EQ(*FindAttribute(s.attributes, "i"), AttributeValue(43));
  EXPECT_EQ(*FindAttribute(s.attributes, "s"), AttributeValue("trunc"));
  EXPECT_EQ(s.events.size(), 2u);
  EXPECT_EQ(s.dropped_events, 1u);
  EXPECT_EQ(s.links.size(), 1u);
  EXPECT_EQ(s.dropped_links, 1u);
  EXPECT_EQ(s.status, StatusCode::kError);
  EXPECT_EQ(s.status_message, "boom");
  EXPECT_GE(s.end_time, s.start_time);

  // Every attribute type reaches OTLP as the matching AnyValue.
  auto req = internal::EncodeSpans(spans);
  const auto& ps = req.resource_spans(0).scope_spans(0).spans(0);
  std::map<std::string, const ::opentelemetry::proto::common::v1::AnyValue*> by_key;
  for (const auto& kv : ps.attributes()) by_key[kv.key()] = &kv.value();
  EXPECT_TRUE(by_key["b"]->bool_value());
  EXPECT_EQ(by_key["i"]->int_value(), 43);
  EXPECT_EQ(by_key["d"]->double_value(), 2.5);
  EXPECT_EQ(by_key["bytes"]->bytes_value(), std::string("\x00\x01\xff", 3));
  EXPECT_EQ(by_key["arr"]->array_value().values(1).string_value(), "two");
  EXPECT_EQ(by_key["kv"]->kvlist_value().values(0).value().string_value(), "x");
  EXPECT_EQ(ps.status().code(), ::opentelemetry::proto::trace::v1::Status::STATUS_CODE_ERROR);
  EXPECT_EQ(ps.links(0).span_id(), std::string(other->context().span_id.AsBytes()));
  EXPECT_EQ(ps.events(1).name(), "exception");
  EXPECT_EQ(ps.kind(), ::opentelemetry::proto::trace::v1::Span::SPAN_KIND_INTERNAL);
}

TEST(TracerTest, OkStatusIsFinal) {
  Fixture f;
  auto span = f.provider->GetTracer("lib").StartSpan("op");
  span->SetStatus(StatusCode::kOk);
  span->SetStatus(StatusCode::kError, "late");
  span->End();
  EXPECT_EQ(f.exporter->spans()[0].status, StatusCode::kOk);
}

TEST(TracerTest, DroppedSpansPropagateButAreNotExported) {
  Fixture f(AlwaysOffSampler());
  Tracer tracer = f.provider->GetTracer("lib");
  auto span = tracer.StartSpan("op");
  EXPECT_FALSE(span->IsRecording());
  EXPECT_TRUE(span->context().IsValid());
  EXPECT_FALSE(span->context().sampled());
  std::map<std::string, std::string> headers;
  MapCarrier carrier(headers);
  GetGlobalPropagator()->Inject(Context().WithSpan(span), carrier);
  EXPECT_TRUE(headers["traceparent"].ends_with("-00"));
  span->End();
  EXPECT_TRUE(f.exporter->spans().empty());
}

TEST(TracerTest, SpansEndedAfterShutdownAreDropped) {
  Fixture f;
  auto span = f.provider->GetTracer("lib").StartSpan("op");
  f.provider->Shutdown();
  span->End();
  EXPECT_TRUE(f.exporter->spans().empty());
}

TEST(TracerTest, DuplicateStartAttributesWithoutLimitsKeepTheLastValue) {
  Fixture f;
  Tracer tracer = f.provider->GetTracer("lib");
  auto span = tracer.StartSpan("op", {.attributes = {{"a", 1}, {"b", 2}, {"a", 3}}});
  span->SetAttribute("c", 4);
  span->End();
  auto spans = f.exporter->spans();
  ASSERT_EQ(spans.size(), 1u);
  ASSERT_EQ(spans[0].attributes.size(), 3u);
  EXPECT_EQ(spans[0].attributes[0], KeyValue("a", 3));
  EXPECT_EQ(spans[0].attributes[1], KeyValue("b", 2));
  EXPECT_EQ(spans[0].attributes[2], KeyValue("c", 4));
}

TEST(TracerTest, RemoteParentOptionMakesARemoteChildAndWinsOverParent) {
  Fixture f(ParentBasedSampler(AlwaysOffSampler()));
  Tracer tracer = f.provider->GetTracer("lib");
  auto local = tracer.StartSpan("local-root");  // not sampled: a root under AlwaysOff
  std::optional<SpanContext> remote =
      ParseTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  ASSERT_TRUE(remote);
  remote->is_remote = false;  // the option marks it remote itself
  StartSpanOptions options;
  options.kind = SpanKind::kServer;
  options.parent = Context().WithSpan(local);
  options.remote_parent = *remote;
  auto span = tracer.StartSpan("served", std::move(options));
  EXPECT_EQ(span->context().trace_id, remote->trace_id);
  EXPECT_TRUE(span->context().sampled());  // the sampled remote parent decides
  span->End();
  auto spans = f.exporter->spans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].parent_span_id, remote->span_id);
  EXPECT_TRUE(spans[0].parent_is_remote);
}

TEST(TracerTest, NonRecordingSpanIgnoresEverything) {
  Fixture f;
  auto span = Span::NonRecording(
      *ParseTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
  EXPECT_FALSE(span->IsRecording());
  span->SetAttribute("a", 1);
  span->End();
  EXPECT_TRUE(f.exporter->spans().empty());
}

}  // namespace
}  // namespace periscope::trace
