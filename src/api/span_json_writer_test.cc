#include "api/span_json_writer.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <limits>

#include "api/span_json.h"

namespace periscope {
namespace {

template <typename Id>
Id IdOf(uint8_t seed) {
  Id id;
  for (size_t i = 0; i < id.bytes.size(); ++i) id.bytes[i] = static_cast<uint8_t>(seed + i * 17);
  return id;
}

Attributes AllValueTypes() {
  Attributes a;
  a.push_back({"str", AnyValue::String("plain")});
  a.push_back({"escapes", AnyValue::String("q\"b\\s/\b\f\n\r\t\x01\x1f\x7f end")});
  a.push_back({"utf8", AnyValue::String("grüße 東京 🚀")});
  a.push_back({"empty_str", AnyValue::String("")});
  a.push_back({"bool_t", AnyValue::Bool(true)});
  a.push_back({"bool_f", AnyValue::Bool(false)});
  a.push_back({"int", AnyValue::Int(-42)});
  a.push_back({"int_min", AnyValue::Int(std::numeric_limits<int64_t>::min())});
  a.push_back({"int_max", AnyValue::Int(std::numeric_limits<int64_t>::max())});
  a.push_back({"dbl", AnyValue::Double(3.25)});
  a.push_back({"dbl_whole", AnyValue::Double(2.0)});
  a.push_back({"dbl_tiny", AnyValue::Double(5e-324)});
  a.push_back({"dbl_big", AnyValue::Double(1.7976931348623157e308)});
  a.push_back({"dbl_neg_zero", AnyValue::Double(-0.0)});
  a.push_back({"dbl_nan", AnyValue::Double(std::numeric_limits<double>::quiet_NaN())});
  a.push_back({"dbl_inf", AnyValue::Double(std::numeric_limits<double>::infinity())});
  a.push_back({"dbl_ninf", AnyValue::Double(-std::numeric_limits<double>::infinity())});
  a.push_back({"bytes", AnyValue::Bytes(std::string("\x00\xff\x10zz", 5))});
  a.push_back({"empty", AnyValue{}});
  a.push_back({"arr", AnyValue{ValueType::kArray, 0, 0, R"([1, "two", 3.5, true, null, [ ]])"}});
  a.push_back(
      {"kv", AnyValue{ValueType::kKvList, 0, 0, R"({"a": {"b": [1, {"c": "d\n"}]}, "e": 1e3})"}});
  a.push_back({"bad_json", AnyValue{ValueType::kArray, 0, 0, "[1, 2"}});
  a.push_back({"key \"quoted\"\n\x02 ü", AnyValue::Int(1)});
  return a;
}

SpanBatch RichBatch() {
  SpanBatch b;
  Resource r1;
  r1.attributes = AllValueTypes();
  r1.tags = {"front\"end", "prod\n", "1.2.0", "hést"};
  Resource r2;
  r2.attributes.push_back({"service.name", AnyValue::String("cart")});
  r2.tags = {"cart", "", "", ""};
  b.resources = {r1, r2};
  Scope s1;
  s1.name = "io.opentelemetry.http";
  s1.version = "1.0";
  s1.attributes = AllValueTypes();
  b.scopes = {s1, Scope{}};

  size_t i = b.AddRow(0, 0);
  b.trace_id[i] = IdOf<TraceId>(1);
  b.span_id[i] = IdOf<SpanId>(2);
  b.trace_state[i] = "k=v,\"x\"";
  b.flags[i] = 0x301;
  b.name[i] = "GET /api/item/{id} \x03\xe2\x82\xac";
  b.kind[i] = SpanKind::kServer;
  b.start_ns[i] = 1795661040000000000;
  b.end_ns[i] = 1795661040120000000;
  b.attributes[i] = AllValueTypes();
  b.dropped_attributes_count[i] = 3;
  b.events[i].push_back({1795661040010000000, "exception", AllValueTypes(), 2});
  b.events[i].push_back({-5, "", {}, 0});
  b.dropped_events_count[i] = 4;
  b.links[i].push_back(
      {IdOf<TraceId>(9), IdOf<SpanId>(8), "ts\t1", AllValueTypes(), 7, 0xffffffffu});
  b.links[i].push_back({IdOf<TraceId>(3), IdOf<SpanId>(4), "", {}, 0, 0});
  b.dropped_links_count[i] = 5;
  b.status_code[i] = StatusCodeValue::kError;
  b.status_message[i] = "boom \"quoted\"\\";

  i = b.AddRow(1, 1);  // a root span with defaults, and end before start
  b.trace_id[i] = IdOf<TraceId>(1);
  b.span_id[i] = IdOf<SpanId>(5);
  b.start_ns[i] = 100;
  b.end_ns[i] = 50;
  b.kind[i] = SpanKind::kConsumer;
  b.status_code[i] = StatusCodeValue::kOk;

  i = b.AddRow(0, 1);
  b.trace_id[i] = IdOf<TraceId>(1);
  b.span_id[i] = IdOf<SpanId>(6);
  b.parent_span_id[i] = IdOf<SpanId>(2);
  b.kind[i] = SpanKind::kClient;
  b.attributes[i] = {{"dup", AnyValue::Int(1)},
                     {"other", AnyValue::Bool(true)},
                     {"dup", AnyValue::String("second")},
                     {"dup", AnyValue::Double(0.5)}};
  return b;
}

// The old form: a boost::json tree built by SpanToJson, then serialised.
boost::json::object OldTrace(std::string_view hex, const SpanBatch& b) {
  boost::json::array spans;
  for (size_t i = 0; i < b.size(); ++i) spans.push_back(SpanToJson(b, i));
  return boost::json::object{{"trace_id", hex}, {"spans", std::move(spans)}};
}

TEST(SpanJsonWriterTest, TraceMatchesSpanToJsonByteForByte) {
  SpanBatch b = RichBatch();
  const std::string hex = b.trace_id[0].Hex();
  const std::string expected = boost::json::serialize(OldTrace(hex, b));
  const std::string got = TraceJson(hex, b);
  EXPECT_EQ(got, expected);
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(got, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(parsed, boost::json::value(OldTrace(hex, b)));
}

TEST(SpanJsonWriterTest, KeepsTypesOfValues) {
  SpanBatch b = RichBatch();
  boost::json::value v = boost::json::parse(TraceJson(b.trace_id[0].Hex(), b));
  const auto& span = v.at("spans").at(0).as_object();
  const auto& attrs = span.at("attributes").as_object();
  EXPECT_EQ(attrs.at("dbl_whole").kind(), boost::json::kind::double_);
  EXPECT_EQ(attrs.at("dbl_nan").as_string(), "NaN");
  EXPECT_EQ(attrs.at("bytes").as_string(), Base64Encode(std::string("\x00\xff\x10zz", 5)));
  EXPECT_EQ(attrs.at("int_min").as_int64(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(attrs.at("escapes").as_string(), "q\"b\\s/\b\f\n\r\t\x01\x1f\x7f end");
  EXPECT_TRUE(attrs.at("kv").at("a").at("b").is_array());
  EXPECT_EQ(attrs.at("bad_json").as_string(), "[1, 2");
  EXPECT_EQ(span.at("start_time_unix_nano").as_string(), "1795661040000000000");
  EXPECT_EQ(span.at("links").at(0).at("flags").to_number<uint64_t>(), 0xffffffffu);
  const auto& dup = v.at("spans").at(2).at("attributes").as_object();
  EXPECT_EQ(dup.size(), 2u);
  EXPECT_EQ(dup.begin()->key(), "dup");
  EXPECT_EQ(dup.at("dup").as_double(), 0.5);
}

TEST(SpanJsonWriterTest, SingleSpanMatchesSpanToJson) {
  SpanBatch b = RichBatch();
  for (size_t i = 0; i < b.size(); ++i) {
    std::string out;
    JsonWriter w(&out);
    WriteSpan(b, i, w);
    EXPECT_EQ(out, boost::json::serialize(SpanToJson(b, i))) << "row " << i;
  }
}

TEST(SpanJsonWriterTest, InvalidUtf8IsCopiedAsBoostJsonDoes) {
  const std::string raw = "a\xff\xc3(\x80z";
  std::string out;
  JsonWriter w(&out);
  w.String(raw);
  EXPECT_EQ(out, boost::json::serialize(boost::json::string(raw)));
}

TEST(SpanJsonWriterTest, ManyAttributesWithDuplicatesMatch) {
  Attributes attrs;
  for (int i = 0; i < 100; ++i) {
    attrs.push_back({"k" + std::to_string(i % 40), AnyValue::Int(i)});
  }
  std::string out;
  JsonWriter w(&out);
  WriteAttributes(attrs, w);
  EXPECT_EQ(out, boost::json::serialize(AttributesToJson(attrs)));
}

TEST(SpanJsonWriterTest, EmptyTraceIsValidJson) {
  SpanBatch b;
  EXPECT_EQ(TraceJson("00", b), R"({"trace_id":"00","spans":[]})");
}

// Expands a compact trace (CompactTraceJson) into the full shape of TraceJson.
boost::json::object ExpandCompact(const boost::json::object& c) {
  const std::string trace_id(c.at("trace_id").as_string());
  const int64_t origin = std::stoll(std::string(c.at("start_time_unix_nano").as_string()));
  const auto& fields = c.at("span_fields").as_array();
  boost::json::array spans;
  for (const auto& row_value : c.at("spans").as_array()) {
    const auto& row = row_value.as_array();
    EXPECT_EQ(row.size(), fields.size());
    auto field = [&](std::string_view name) -> const boost::json::value& {
      for (size_t f = 0; f < fields.size(); ++f) {
        if (fields[f].as_string() == name) return row.at(f);
      }
      ADD_FAILURE() << "no field " << name;
      return row.at(0);
    };
    const auto& resource =
        c.at("resources").at(field("resource").to_number<uint64_t>()).as_object();
    const auto& scope = c.at("scopes").at(field("scope").to_number<uint64_t>()).as_object();
    const int64_t start = origin + field("start_offset_ns").as_int64();
    const int64_t end = origin + field("end_offset_ns").as_int64();
    spans.push_back(boost::json::object{
        {"trace_id", trace_id},
        {"span_id", field("span_id")},
        {"parent_span_id", field("parent_span_id")},
        {"name", field("name")},
        {"kind", field("kind")},
        {"start_time_unix_nano", std::to_string(start)},
        {"end_time_unix_nano", std::to_string(end)},
        {"duration_ns",
         static_cast<int64_t>(static_cast<uint64_t>(end) - static_cast<uint64_t>(start))},
        {"status", {{"code", field("status_code")}, {"message", field("status_message")}}},
        {"service", resource.at("service")},
        {"env", resource.at("env")},
        {"version", resource.at("version")},
        {"host", resource.at("host")},
        {"attributes", field("attributes")},
        {"resource", resource.at("attributes")},
        {"scope", scope},
        {"events", field("events")},
        {"links", field("links")},
        {"trace_state", field("trace_state")},
        {"flags", field("flags")},
        {"dropped_attributes_count", field("dropped_attributes_count")},
        {"dropped_events_count", field("dropped_events_count")},
        {"dropped_links_count", field("dropped_links_count")}});
  }
  return boost::json::object{{"trace_id", trace_id}, {"spans", std::move(spans)}};
}

TEST(SpanJsonWriterTest, CompactTraceExpandsToTheFullTrace) {
  SpanBatch b = RichBatch();
  const std::string hex = b.trace_id[0].Hex();
  boost::system::error_code ec;
  boost::json::value compact = boost::json::parse(CompactTraceJson(hex, b), ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(compact.at("format").as_string(), "compact");
  // The earliest start is row 2's (0); row 1 ends (50 ns) before it starts (100 ns).
  EXPECT_EQ(compact.at("start_time_unix_nano").as_string(), "0");
  EXPECT_EQ(compact.at("spans").at(1).at(4).as_int64(), 100);
  EXPECT_EQ(compact.at("spans").at(1).at(5).as_int64(), 50);
  EXPECT_EQ(ExpandCompact(compact.as_object()), boost::json::parse(TraceJson(hex, b)));
}

TEST(SpanJsonWriterTest, CompactTraceListsEqualResourcesAndScopesOnce) {
  SpanBatch b = RichBatch();
  // Copies of resource 1 and scope 0 under other indexes, as after reading several parts.
  b.resources.push_back(b.resources[1]);
  b.scopes.push_back(b.scopes[0]);
  for (int k = 0; k < 3; ++k) {
    const size_t i = b.AddRow(2, 2);
    b.trace_id[i] = b.trace_id[0];
    b.span_id[i] = IdOf<SpanId>(static_cast<uint8_t>(40 + k));
    b.start_ns[i] = 1795661040000000000 + k;
    b.end_ns[i] = b.start_ns[i] + 10;
  }
  const std::string hex = b.trace_id[0].Hex();
  boost::json::value compact = boost::json::parse(CompactTraceJson(hex, b));
  EXPECT_EQ(compact.at("resources").as_array().size(), 2u);
  EXPECT_EQ(compact.at("scopes").as_array().size(), 2u);
  const auto& spans = compact.at("spans").as_array();
  ASSERT_EQ(spans.size(), 6u);
  // Rows 3..5 share the entries of rows 2 (resource 1) and 0 (scope 0).
  EXPECT_EQ(spans[5].at(8), spans[1].at(8));
  EXPECT_EQ(spans[5].at(9), spans[0].at(9));
  EXPECT_EQ(ExpandCompact(compact.as_object()), boost::json::parse(TraceJson(hex, b)));
}

TEST(SpanJsonWriterTest, CompactTraceIsSmallerForManySpans) {
  SpanBatch b = RichBatch();
  for (int k = 0; k < 500; ++k) {
    const size_t i = b.AddRow(0, 0);
    b.trace_id[i] = b.trace_id[0];
    b.span_id[i] = IdOf<SpanId>(static_cast<uint8_t>(k));
    b.parent_span_id[i] = b.span_id[0];
    b.name[i] = "step " + std::to_string(k);
    b.start_ns[i] = 1795661040000000000 + k * 1000;
    b.end_ns[i] = b.start_ns[i] + 500;
  }
  const std::string hex = b.trace_id[0].Hex();
  const std::string compact = CompactTraceJson(hex, b);
  const std::string full = TraceJson(hex, b);
  EXPECT_LT(compact.size() * 5, full.size()) << compact.size() << " vs " << full.size();
  EXPECT_EQ(ExpandCompact(boost::json::parse(compact).as_object()), boost::json::parse(full));
}

TEST(SpanJsonWriterTest, EmptyCompactTraceIsValidJson) {
  SpanBatch b;
  boost::json::value v = boost::json::parse(CompactTraceJson("00", b));
  EXPECT_TRUE(v.at("spans").as_array().empty());
  EXPECT_EQ(v.at("span_fields").as_array().size(), kCompactSpanFields.size());
}

}  // namespace
}  // namespace periscope
