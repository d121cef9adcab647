#include "sdk/otlp_span_wire.h"

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "sdk/otlp_encoder.h"

namespace periscope::trace::internal {
namespace {

using ::google::protobuf::util::MessageDifferencer;
namespace collector = ::opentelemetry::proto::collector;

// Encodes spans both ways; the wire bytes must parse to EncodeSpans' message and equal its
// serialization.
void ExpectSameAsEncodeSpans(std::span<const SpanData> spans) {
  std::string wire = "left over from an earlier batch";
  EncodeSpansWire(spans, wire);
  collector::trace::v1::ExportTraceServiceRequest expected = EncodeSpans(spans);
  collector::trace::v1::ExportTraceServiceRequest parsed;
  ASSERT_TRUE(parsed.ParseFromString(wire));
  MessageDifferencer differencer;
  std::string diff;
  differencer.ReportDifferencesToString(&diff);
  EXPECT_TRUE(differencer.Compare(parsed, expected)) << diff;
  EXPECT_TRUE(MessageDifferencer::Equals(parsed, expected));
  EXPECT_EQ(wire, expected.SerializeAsString());
}

void ExpectSameAsEncodeLogs(std::span<const LogRecordData> records) {
  std::string wire = "left over";
  EncodeLogsWire(records, wire);
  collector::logs::v1::ExportLogsServiceRequest expected = EncodeLogs(records);
  collector::logs::v1::ExportLogsServiceRequest parsed;
  ASSERT_TRUE(parsed.ParseFromString(wire));
  MessageDifferencer differencer;
  std::string diff;
  differencer.ReportDifferencesToString(&diff);
  EXPECT_TRUE(differencer.Compare(parsed, expected)) << diff;
  EXPECT_EQ(wire, expected.SerializeAsString());
}

TraceId Tid(uint8_t b) {
  std::array<uint8_t, 16> bytes{};
  bytes.fill(b);
  return TraceId(bytes);
}
SpanId Sid(uint8_t b) {
  std::array<uint8_t, 8> bytes{};
  bytes.fill(b);
  bytes[0] = 0x80;
  return SpanId(bytes);
}

Timestamp At(int64_t nanos) { return Timestamp(std::chrono::nanoseconds(nanos)); }

std::shared_ptr<const Resource> MakeResource(std::string service) {
  auto r = std::make_shared<Resource>();
  r->attributes = {{"service.name", std::move(service)}, {"host.name", "h1"}};
  return r;
}

SpanData BasicSpan(std::shared_ptr<const Resource> resource,
                   std::shared_ptr<const InstrumentationScope> scope, uint8_t id) {
  SpanData s;
  s.context.trace_id = Tid(id);
  s.context.span_id = Sid(id);
  s.context.flags.value = TraceFlags::kSampled;
  s.name = "span-" + std::to_string(id);
  s.kind = SpanKind::kServer;
  s.start_time = At(1700000000000000000 + id);
  s.end_time = At(1700000000000500000 + id);
  s.resource = std::move(resource);
  s.scope = std::move(scope);
  return s;
}

Attributes EveryValueType() {
  AttributeArray nested = {AttributeValue(int64_t{1}), AttributeValue("two"),
                           AttributeValue(AttributeArray{AttributeValue(true), AttributeValue()})};
  Attributes kvlist = {{"inner", "v"},
                       {"deeper", Attributes{{"x", 1.5}, {"empty", AttributeValue()}}},
                       {"", "empty key"}};
  return {{"empty", AttributeValue()},
          {"bool.true", true},
          {"bool.false", false},
          {"int.zero", int64_t{0}},
          {"int.neg", int64_t{-42}},
          {"int.min", std::numeric_limits<int64_t>::min()},
          {"int.max", std::numeric_limits<int64_t>::max()},
          {"double.zero", 0.0},
          {"double.neg", -3.25},
          {"double.inf", std::numeric_limits<double>::infinity()},
          {"string.empty", ""},
          {"string", "hello"},
          {"bytes", Bytes{{0, 1, 2, 255}}},
          {"bytes.empty", Bytes{}},
          {"array", nested},
          {"array.empty", AttributeArray{}},
          {"kvlist", kvlist},
          {"kvlist.empty", Attributes{}}};
}

TEST(OtlpSpanWireTest, EmptyBatchIsAnEmptyRequest) {
  std::string wire = "stale";
  EncodeSpansWire({}, wire);
  EXPECT_EQ(wire, "");
  ExpectSameAsEncodeSpans({});
}

TEST(OtlpSpanWireTest, MinimalSpanWithoutResourceOrScope) {
  SpanData s;
  ExpectSameAsEncodeSpans({&s, 1});
}

TEST(OtlpSpanWireTest, EveryAttributeValueType) {
  auto scope = std::make_shared<InstrumentationScope>(InstrumentationScope{"lib", "1.2"});
  SpanData s = BasicSpan(MakeResource("svc"), scope, 1);
  s.attributes = EveryValueType();
  ExpectSameAsEncodeSpans({&s, 1});
}

TEST(OtlpSpanWireTest, EventsLinksAndDroppedCounts) {
  auto scope = std::make_shared<InstrumentationScope>(InstrumentationScope{"lib", ""});
  SpanData s = BasicSpan(MakeResource("svc"), scope, 2);
  s.events.push_back({"exception", At(1700000000000100000), {{"exception.type", "E"}}});
  s.events.push_back({"", At(0), {}});
  s.events.push_back({"with-all", At(5), EveryValueType()});
  SpanLink remote_link;
  remote_link.context.trace_id = Tid(9);
  remote_link.context.span_id = Sid(9);
  remote_link.context.is_remote = true;
  remote_link.context.flags.value = TraceFlags::kSampled;
  remote_link.context.trace_state = *TraceState::Parse("vendor=abc,other=x-y");
  remote_link.attributes = {{"link.kind", "follows"}};
  SpanLink local_link;
  local_link.context.trace_id = Tid(10);
  local_link.context.span_id = Sid(10);
  s.links = {remote_link, local_link};
  s.dropped_attributes = 3;
  s.dropped_events = 200;
  s.dropped_links = 1u << 31;
  ExpectSameAsEncodeSpans({&s, 1});
}

TEST(OtlpSpanWireTest, EveryStatusKindAndParent) {
  auto resource = MakeResource("svc");
  auto scope = std::make_shared<InstrumentationScope>(InstrumentationScope{"lib", "1"});
  std::vector<SpanData> spans;
  for (StatusCode code : {StatusCode::kUnset, StatusCode::kOk, StatusCode::kError}) {
    for (int parent = 0; parent < 3; ++parent) {
      SpanData s = BasicSpan(resource, scope, static_cast<uint8_t>(spans.size() + 1));
      s.status = code;
      if (code == StatusCode::kError && parent == 1) s.status_message = "boom";
      if (parent > 0) s.parent_span_id = Sid(77);
      s.parent_is_remote = parent == 2;
      s.context.trace_state = parent == 2 ? *TraceState::Parse("k=v") : TraceState();
      s.context.flags.value = static_cast<uint8_t>(parent == 1 ? 0 : 1);
      s.kind = static_cast<SpanKind>(1 + spans.size() % 5);
      spans.push_back(std::move(s));
    }
  }
  ExpectSameAsEncodeSpans(spans);
}

TEST(OtlpSpanWireTest, GroupsInterleavedResourcesAndScopesInFirstSeenOrder) {
  auto r1 = MakeResource("a");
  auto r2 = MakeResource("b");
  auto s1 = std::make_shared<InstrumentationScope>(InstrumentationScope{"one", "1"});
  auto s2 = std::make_shared<InstrumentationScope>(InstrumentationScope{"two", ""});
  std::vector<SpanData> spans;
  spans.push_back(BasicSpan(r2, s1, 1));
  spans.push_back(BasicSpan(r1, s2, 2));
  spans.push_back(BasicSpan(r2, s2, 3));
  spans.push_back(BasicSpan(nullptr, s1, 4));
  spans.push_back(BasicSpan(r2, s1, 5));
  spans.push_back(BasicSpan(r1, nullptr, 6));
  spans.push_back(BasicSpan(r1, s2, 7));
  ExpectSameAsEncodeSpans(spans);
  collector::trace::v1::ExportTraceServiceRequest parsed;
  std::string wire;
  EncodeSpansWire(spans, wire);
  ASSERT_TRUE(parsed.ParseFromString(wire));
  ASSERT_EQ(parsed.resource_spans_size(), 3);
  EXPECT_EQ(parsed.resource_spans(0).scope_spans_size(), 2);
  EXPECT_EQ(parsed.resource_spans(0).scope_spans(0).spans_size(), 2);
}

TEST(OtlpSpanWireTest, SharedAttributesComeFirstAndOwnValuesOverride) {
  auto shared = std::make_shared<const Attributes>(Attributes{{"rpc.system", "periscope"},
                                                              {"rpc.service", "shop.Cart"},
                                                              {"rpc.method", "Add"},
                                                              {"server.address", "10.0.0.1"},
                                                              {"server.port", int64_t{7000}}});
  SpanData plain = BasicSpan(MakeResource("svc"), nullptr, 1);
  plain.shared_attributes = shared;
  plain.attributes = {{"rpc.status_code", int64_t{0}}};
  SpanData overridden = plain;
  overridden.attributes = {{"rpc.method", "Remove"}, {"server.port", int64_t{7001}}};
  SpanData empty_shared = plain;
  empty_shared.shared_attributes = std::make_shared<const Attributes>();
  SpanData only_shared = plain;
  only_shared.attributes.clear();
  std::vector<SpanData> spans = {plain, overridden, empty_shared, only_shared};
  ExpectSameAsEncodeSpans(spans);

  std::string wire;
  EncodeSpansWire({&overridden, 1}, wire);
  collector::trace::v1::ExportTraceServiceRequest parsed;
  ASSERT_TRUE(parsed.ParseFromString(wire));
  const auto& attrs = parsed.resource_spans(0).scope_spans(0).spans(0).attributes();
  ASSERT_EQ(attrs.size(), 5);
  EXPECT_EQ(attrs[0].key(), "rpc.system");
  EXPECT_EQ(attrs[3].key(), "rpc.method");
  EXPECT_EQ(attrs[3].value().string_value(), "Remove");
  EXPECT_EQ(attrs[4].value().int_value(), 7001);
}

TEST(OtlpSpanWireTest, ManySharedSetsInOneBatchAreEncodedLikeTheirOwnAttributes) {
  // More distinct sets than the encoder keeps encoded, each used by several spans, interleaved.
  std::vector<std::shared_ptr<const Attributes>> sets;
  for (int i = 0; i < 100; ++i) {
    sets.push_back(std::make_shared<const Attributes>(
        Attributes{{"rpc.method", "M" + std::to_string(i)}, {"set", int64_t{i}}}));
  }
  std::vector<SpanData> spans;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 100; ++i) {
      SpanData s = BasicSpan(MakeResource("svc"), nullptr,
                             static_cast<uint8_t>(1 + (round * 100 + i) % 250));
      s.shared_attributes = sets[static_cast<size_t>((i * 7 + round) % 100)];
      if (i % 9 == 0) s.attributes = {{"set", int64_t{-1}}};  // overrides one shared key
      spans.push_back(std::move(s));
    }
  }
  ExpectSameAsEncodeSpans(spans);
}

TEST(OtlpSpanWireTest, HugeStringsAndLengthsAroundVarintBoundaries) {
  auto resource = MakeResource(std::string(300, 'r'));
  auto scope = std::make_shared<InstrumentationScope>(
      InstrumentationScope{std::string(20000, 's'), std::string(130, 'v')});
  std::vector<SpanData> spans;
  for (size_t len : {size_t{100}, size_t{110}, size_t{116}, size_t{117}, size_t{118}, size_t{127},
                     size_t{128}, size_t{16370}, size_t{16380}, size_t{16384}, size_t{3 << 20}}) {
    SpanData s = BasicSpan(resource, scope, static_cast<uint8_t>(spans.size() + 1));
    s.name = std::string(len % 1000, 'n');
    s.attributes = {{"v", std::string(len, 'x')},
                    {"a", AttributeArray{AttributeValue(std::string(len, 'y'))}},
                    {"k", Attributes{{std::string(len / 2, 'k'), std::string(len / 2, 'z')}}}};
    s.events.push_back({std::string(len, 'e'), At(1), {}});
    s.status = StatusCode::kError;
    s.status_message = std::string(len, 'm');
    spans.push_back(std::move(s));
  }
  ExpectSameAsEncodeSpans(spans);
}

TEST(OtlpSpanWireTest, RandomSpanShapes) {
  std::mt19937_64 rng(12345);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  std::vector<std::shared_ptr<const Resource>> resources = {MakeResource("a"), MakeResource("b"),
                                                            nullptr};
  std::vector<std::shared_ptr<const InstrumentationScope>> scopes = {
      std::make_shared<InstrumentationScope>(InstrumentationScope{"x", "1"}),
      std::make_shared<InstrumentationScope>(InstrumentationScope{"y", ""}), nullptr};
  std::function<AttributeValue(int)> random_value = [&](int depth) -> AttributeValue {
    switch (pick(depth > 2 ? 6 : 8)) {
      case 0:
        return AttributeValue();
      case 1:
        return AttributeValue(pick(2) == 1);
      case 2:
        return AttributeValue(static_cast<int64_t>(rng()));
      case 3:
        return AttributeValue(static_cast<double>(pick(1000)) / 7);
      case 4:
        return AttributeValue(std::string(static_cast<size_t>(pick(300)), 'q'));
      case 5:
        return AttributeValue(Bytes{std::vector<uint8_t>(static_cast<size_t>(pick(200)), 7)});
      case 6: {
        AttributeArray a;
        for (int i = pick(5); i > 0; --i) a.push_back(random_value(depth + 1));
        return AttributeValue(std::move(a));
      }
      default: {
        Attributes kv;
        for (int i = pick(5); i > 0; --i)
          kv.emplace_back("k" + std::to_string(i), random_value(depth + 1));
        return AttributeValue(std::move(kv));
      }
    }
  };
  auto random_attrs = [&](int max) {
    Attributes attrs;
    for (int i = pick(max); i > 0; --i)
      attrs.emplace_back("key" + std::to_string(pick(8)), random_value(0));
    return attrs;
  };
  for (int round = 0; round < 20; ++round) {
    std::vector<SpanData> spans;
    for (int i = pick(60); i > 0; --i) {
      SpanData s = BasicSpan(resources[static_cast<size_t>(pick(3))],
                             scopes[static_cast<size_t>(pick(3))], static_cast<uint8_t>(pick(250)));
      s.name = std::string(static_cast<size_t>(pick(200)), 'n');
      s.attributes = random_attrs(8);
      if (pick(2) == 1) s.shared_attributes = std::make_shared<const Attributes>(random_attrs(8));
      for (int e = pick(3); e > 0; --e) s.events.push_back({"ev", At(pick(1000)), random_attrs(3)});
      for (int l = pick(3); l > 0; --l) {
        SpanLink link;
        link.context.trace_id = Tid(static_cast<uint8_t>(l));
        link.context.span_id = Sid(static_cast<uint8_t>(l));
        link.context.is_remote = pick(2) == 1;
        if (pick(2) == 1) link.context.trace_state = *TraceState::Parse("a=b");
        link.attributes = random_attrs(3);
        s.links.push_back(std::move(link));
      }
      s.status = static_cast<StatusCode>(pick(3));
      if (s.status == StatusCode::kError)
        s.status_message = std::string(static_cast<size_t>(pick(150)), 'm');
      if (pick(2) == 1) s.parent_span_id = Sid(3);
      s.parent_is_remote = pick(2) == 1;
      s.dropped_attributes = static_cast<uint32_t>(pick(3));
      spans.push_back(std::move(s));
    }
    ExpectSameAsEncodeSpans(spans);
  }
}

TEST(OtlpSpanWireTest, PlainSpansAroundLengthBoundaries) {
  // Spans with nothing of their own take a separate path (exact length up front): every optional
  // field present and absent, and span lengths across the one-, two- and three-byte varints.
  std::mt19937_64 rng(777);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  auto resource = MakeResource("svc");
  auto scope = std::make_shared<InstrumentationScope>(InstrumentationScope{"rpc", "1"});
  std::vector<std::shared_ptr<const Attributes>> sets = {
      nullptr, std::make_shared<const Attributes>(),
      std::make_shared<const Attributes>(Attributes{
          {"rpc.system", "periscope"}, {"rpc.method", "Echo"}, {"server.port", int64_t{4000}}}),
      std::make_shared<const Attributes>(Attributes{{"big", std::string(20000, 'b')}})};
  for (size_t name_size : {0, 1, 60, 90, 127, 128, 300, 16500}) {
    std::vector<SpanData> spans;
    for (int i = 0; i < 40; ++i) {
      SpanData s = BasicSpan(resource, scope, static_cast<uint8_t>(i + 1));
      s.name = std::string(name_size + static_cast<size_t>(pick(3)), 'n');
      s.kind = static_cast<SpanKind>(pick(6));
      s.status = static_cast<StatusCode>(pick(3));
      if (pick(2) == 1) s.parent_span_id = Sid(static_cast<uint8_t>(i + 7));
      s.parent_is_remote = pick(2) == 1;
      s.context.flags.value = static_cast<uint8_t>(pick(2));
      if (pick(8) == 0) s.start_time = Timestamp();
      if (pick(8) == 0) s.end_time = Timestamp();
      s.shared_attributes = sets[static_cast<size_t>(pick(static_cast<int>(sets.size())))];
      spans.push_back(std::move(s));
    }
    ExpectSameAsEncodeSpans(spans);
  }
}

TEST(OtlpSpanWireTest, ReusedBufferHoldsOnlyTheLatestBatch) {
  SpanData big = BasicSpan(MakeResource("svc"), nullptr, 1);
  big.attributes = {{"blob", std::string(5000, 'b')}};
  SpanData small = BasicSpan(MakeResource("svc"), nullptr, 2);
  std::string wire;
  EncodeSpansWire({&big, 1}, wire);
  const size_t capacity = wire.capacity();
  EncodeSpansWire({&small, 1}, wire);
  EXPECT_EQ(wire, EncodeSpans({&small, 1}).SerializeAsString());
  EXPECT_EQ(wire.capacity(), capacity);
}

TEST(OtlpLogWireTest, MatchesEncodeLogs) {
  auto resource = MakeResource("svc");
  auto scope = std::make_shared<InstrumentationScope>(InstrumentationScope{"logger", "2"});
  std::vector<LogRecordData> records;
  for (int i = 0; i < 12; ++i) {
    LogRecordData r;
    r.time = At(i == 0 ? 0 : 1700000000000000000 + i);
    r.observed_time = At(1700000000000000000 + 2 * i);
    r.severity = static_cast<Severity>(1 + (i * 4) % 24);
    if (i % 3 == 0)
      r.body = AttributeValue("message " + std::string(static_cast<size_t>(i * 30), 'x'));
    if (i % 3 == 1) r.body = AttributeValue(Attributes{{"event", "login"}, {"n", int64_t{i}}});
    r.attributes = i == 5 ? EveryValueType() : Attributes{{"i", int64_t{i}}};
    if (i % 2 == 0) {
      r.trace_id = Tid(static_cast<uint8_t>(i + 1));
      r.span_id = Sid(static_cast<uint8_t>(i + 1));
      r.trace_flags.value = static_cast<uint8_t>(i % 4 == 0 ? 1 : 0);
    }
    r.resource = i == 7 ? MakeResource("other") : resource;
    r.scope = i == 9 ? nullptr : scope;
    records.push_back(std::move(r));
  }
  ExpectSameAsEncodeLogs(records);
  ExpectSameAsEncodeLogs({});
}

}  // namespace
}  // namespace periscope::trace::internal
