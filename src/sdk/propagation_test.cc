#include "periscope/trace/propagation.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "periscope/trace/span.h"

namespace periscope::trace {
namespace {

constexpr char kValid[] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(TraceparentTest, ParsesValidHeader) {
  std::optional<SpanContext> sc = ParseTraceparent(kValid);
  ASSERT_TRUE(sc);
  EXPECT_EQ(sc->trace_id.ToHex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(sc->span_id.ToHex(), "00f067aa0ba902b7");
  EXPECT_TRUE(sc->sampled());
  EXPECT_TRUE(sc->is_remote);
  EXPECT_EQ(FormatTraceparent(*sc), kValid);
}

TEST(TraceparentTest, RejectsMalformedHeaders) {
  const std::vector<std::string> bad = {
      "",
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",        // version ff
      "0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",         // short version
      "000-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",       // long version
      "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",         // short trace id
      "00-4bf92f3577b34da6a3ce929d0e0e47366-00f067aa0ba902b7-01",       // long trace id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01",         // short span id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b77-01",       // long span id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",         // short flags
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",        // uppercase trace id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",        // uppercase span id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A",        // uppercase flags
      "0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",        // uppercase version
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",        // zero trace id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",        // zero span id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",  // v00 with extra field
      "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",        // wrong separators
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",        // non-hex flags
      "00-4bf92f3577b34da6a3ce929d0e0e4736 -00f067aa0ba902b7-01",       // inner whitespace
      "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",  // future, no '-' before extra
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",      // missing flags
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",   // uppercase trace id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902\xb7"
      "7-01",                                                     // non-ASCII byte in span id
      "00-4bf92f3577b34da6a3ce929d0e0e47:6-00f067aa0ba902b7-01",  // ':' sits right after '9'
  };
  for (const std::string& h : bad) EXPECT_FALSE(ParseTraceparent(h)) << h;
}

TEST(TraceparentTest, AcceptsFutureVersionWithExtraFields) {
  std::optional<SpanContext> sc =
      ParseTraceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future");
  ASSERT_TRUE(sc);
  EXPECT_EQ(sc->span_id.ToHex(), "00f067aa0ba902b7");
  EXPECT_TRUE(ParseTraceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
}

TEST(TraceparentTest, IgnoresSurroundingWhitespace) {
  EXPECT_TRUE(ParseTraceparent(std::string(" \t") + kValid + "  "));
}

TEST(TraceparentTest, KeepsUnsampledFlag) {
  auto sc = ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  ASSERT_TRUE(sc);
  EXPECT_FALSE(sc->sampled());
}

TEST(TraceStateTest, ParsesAndSerialises) {
  auto ts = TraceState::Parse("rojo=00f067aa0ba902b7, congo=t61rcWkgMzE ,,tenant@vendor=x y");
  ASSERT_TRUE(ts);
  EXPECT_EQ(ts->entries().size(), 3u);
  EXPECT_EQ(ts->Get("congo"), "t61rcWkgMzE");
  EXPECT_EQ(ts->Get("tenant@vendor"), "x y");
  EXPECT_EQ(ts->ToHeader(), "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE,tenant@vendor=x y");
}

TEST(TraceStateTest, RejectsBadGrammar) {
  const std::vector<std::string> bad = {
      "Rojo=1",                            // uppercase key
      "1abc=1",                            // simple key must start with a letter
      "rojo",                              // no '='
      "rojo=",                             // empty value
      "rojo=a,b",                          // member without '='
      "rojo=a=b",                          // '=' in value
      "rojo=1,rojo=2",                     // duplicate key
      "t@" + std::string(15, 'a') + "=1",  // system id too long
      std::string(257, 'a') + "=1",        // key too long
      "rojo=" + std::string(257, 'v'),     // value too long
      "rojo=a\x01b",                       // control character in value
  };
  for (const std::string& h : bad) EXPECT_FALSE(TraceState::Parse(h)) << h;
}

TEST(TraceStateTest, EnforcesThirtyTwoEntries) {
  std::string header;
  for (int i = 0; i < 32; ++i)
    header += (i ? "," : "") + std::string("k") + std::to_string(i) + "=v";
  auto ts = TraceState::Parse(header);
  ASSERT_TRUE(ts);
  EXPECT_EQ(ts->entries().size(), 32u);
  EXPECT_FALSE(TraceState::Parse(header + ",k32=v"));
  auto updated = ts->Set("new", "1");
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->entries().size(), 32u);
  EXPECT_EQ(updated->entries().front().first, "new");
  EXPECT_FALSE(updated->Get("k31"));  // oldest dropped
  EXPECT_FALSE(ts->Set("Bad", "1"));
}

TEST(BaggageTest, DecodesPercentEncodingAndProperties) {
  Baggage b = Baggage::Parse(
      "userId=alice, serverNode = DF%2028 ,isProduction=false;ttl=60;secret,bad key=1,=x,k=%zz");
  EXPECT_EQ(b.Get("userId"), "alice");
  EXPECT_EQ(b.Get("serverNode"), "DF 28");
  EXPECT_EQ(b.Get("isProduction"), "false");
  ASSERT_EQ(b.entries().size(), 3u);
  EXPECT_EQ(b.entries()[2].metadata, "ttl=60;secret");
}

TEST(BaggageTest, EncodesRoundTrip) {
  Baggage b = Baggage().Set("k1", "a b,c;d=e%f\xc3\xa9").Set("k2", "plain", "p=1");
  std::string header = b.ToHeader();
  EXPECT_EQ(header, "k1=a%20b%2Cc%3Bd=e%25f%C3%A9,k2=plain;p=1");
  Baggage back = Baggage::Parse(header);
  EXPECT_EQ(back.Get("k1"), "a b,c;d=e%f\xc3\xa9");
  EXPECT_EQ(back.entries()[1].metadata, "p=1");
}

TEST(BaggageTest, EnforcesLimits) {
  Baggage b;
  for (int i = 0; i < 200; ++i) b = b.Set("k" + std::to_string(i), "v");
  EXPECT_EQ(Baggage::Parse(b.ToHeader()).entries().size(), Baggage::kMaxEntries);
  Baggage big = Baggage().Set("a", std::string(9000, 'x')).Set("b", "small");
  EXPECT_EQ(big.ToHeader(), "b=small");
  EXPECT_TRUE(Baggage::Parse("a=" + std::string(9000, 'x')).empty());
}

TEST(BaggageTest, AValueReadFromATemporaryOwnsItsText) {
  ScopedContext scope(Context().WithBaggage(Baggage().Set("user", "alice")));
  // Context::Current() is a temporary: the value is a copy, valid after the statement.
  std::optional<std::string> user = Context::Current().baggage().Get("user");
  static_assert(std::is_same_v<decltype(Context::Current().baggage().Get("user")),
                               std::optional<std::string>>);
  EXPECT_EQ(user, "alice");
  EXPECT_EQ(Baggage::Parse("a=1,b=2").Get("b"), "2");
  EXPECT_FALSE(Baggage::Parse("a=1").Get("b"));
  // A context held by name hands out views into its own baggage.
  const Context held = Context::Current();
  static_assert(
      std::is_same_v<decltype(held.baggage().Get("user")), std::optional<std::string_view>>);
  EXPECT_EQ(held.baggage().Get("user"), "alice");
}

TEST(PropagatorTest, RoundTripsThroughMapCarrier) {
  SpanContext sc = *ParseTraceparent(kValid);
  sc.trace_state = *TraceState::Parse("vendor=1");
  Context ctx = Context().WithRemoteSpanContext(sc).WithBaggage(Baggage().Set("user", "a b"));

  std::map<std::string, std::string> headers;
  MapCarrier carrier(headers);
  GetGlobalPropagator()->Inject(ctx, carrier);
  EXPECT_EQ(headers["traceparent"], kValid);
  EXPECT_EQ(headers["tracestate"], "vendor=1");
  EXPECT_EQ(headers["baggage"], "user=a%20b");

  // Case-insensitive lookup, as HTTP header maps need.
  std::vector<std::pair<std::string, std::string>> metadata = {
      {"TraceParent", headers["traceparent"]},
      {"tracestate", headers["tracestate"]},
      {"Baggage", headers["baggage"]}};
  const auto& const_metadata = metadata;
  MapCarrier reader(const_metadata);
  Context out = GetGlobalPropagator()->Extract(reader, Context());
  EXPECT_EQ(out.span_context().trace_id, sc.trace_id);
  EXPECT_EQ(out.span_context().span_id, sc.span_id);
  EXPECT_TRUE(out.span_context().is_remote);
  EXPECT_EQ(out.span_context().trace_state.Get("vendor"), "1");
  EXPECT_EQ(out.baggage().Get("user"), "a b");
  EXPECT_FALSE(out.span()->IsRecording());
}

TEST(PropagatorTest, CallbackCarrierAndInvalidInput) {
  std::unordered_map<std::string, std::string> store = {
      {"traceparent", "00-00000000000000000000000000000000-00f067aa0ba902b7-01"},
      {"tracestate", "Bad=1"}};
  CallbackCarrier carrier(
      [&](std::string_view k) -> std::optional<std::string> {
        auto it = store.find(std::string(k));
        if (it == store.end()) return std::nullopt;
        return it->second;
      },
      nullptr);
  Context out = TraceContextPropagator().Extract(carrier, Context());
  EXPECT_FALSE(out.span_context().IsValid());

  store["traceparent"] = kValid;
  out = TraceContextPropagator().Extract(carrier, Context());
  EXPECT_TRUE(out.span_context().IsValid());
  EXPECT_TRUE(out.span_context().trace_state.empty());  // invalid tracestate dropped
}

}  // namespace
}  // namespace periscope::trace
