#include "ingest/otlp/any_value_convert.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace periscope {
namespace {

std::string JsonOf(const otlp_common::AnyValue& v) {
  std::string out;
  AppendAnyValueJson(v, &out);
  return out;
}

TEST(AnyValueConvertTest, EscapesStrings) {
  std::string out;
  AppendJsonString(std::string("a\"b\\c\n\t\x01\x7f\xc3\xa9", 11), &out);
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\t\\u0001\x7f\xc3\xa9\"");
}

TEST(AnyValueConvertTest, WritesScalarsInArrays) {
  otlp_common::AnyValue v;
  auto* arr = v.mutable_array_value();
  arr->add_values()->set_double_value(std::nan(""));
  arr->add_values()->set_double_value(-std::numeric_limits<double>::infinity());
  arr->add_values()->set_double_value(0.1);
  arr->add_values()->set_double_value(1e300);
  arr->add_values()->set_int_value(std::numeric_limits<int64_t>::min());
  arr->add_values()->set_bool_value(false);
  arr->add_values()->set_string_value("x\"y");
  EXPECT_EQ(JsonOf(v), R"(["NaN","-Infinity",0.1,1e+300,-9223372036854775808,false,"x\"y"])");
  EXPECT_EQ(ConvertAnyValue(v).type, ValueType::kArray);
  EXPECT_EQ(ConvertAnyValue(otlp_common::AnyValue()).type, ValueType::kEmpty);
}

TEST(AnyValueConvertTest, WritesEmptyContainers) {
  otlp_common::AnyValue arr;
  arr.mutable_array_value();
  EXPECT_EQ(JsonOf(arr), "[]");
  otlp_common::AnyValue list;
  list.mutable_kvlist_value()->add_values()->set_key("k");
  EXPECT_EQ(JsonOf(list), R"({"k":null})");
}

TEST(AnyValueConvertTest, ToOtlpRoundTripsScalarsAndNestedValues) {
  const AnyValue values[] = {
      AnyValue::String("s"),
      AnyValue::Bool(true),
      AnyValue::Int(-1),
      AnyValue::Double(2.5),
      AnyValue::Bytes("\x01"),
      AnyValue{},
      AnyValue{ValueType::kArray, 0, 0, R"(["a",1,2.5,true,null,[],{"k":{"n":-2}},-2.5e-300])"},
      AnyValue{ValueType::kKvList, 0, 0, R"({"a":["b"],"c":false})"},
  };
  for (const AnyValue& v : values) {
    otlp_common::AnyValue pb;
    ToOtlpAnyValue(v, &pb);
    EXPECT_EQ(ConvertAnyValue(pb), v) << v.ToString();
  }
}

TEST(AnyValueConvertTest, ToOtlpKeepsBrokenJsonAsString) {
  otlp_common::AnyValue pb;
  ToOtlpAnyValue(AnyValue{ValueType::kArray, 0, 0, "[1,"}, &pb);
  EXPECT_EQ(pb.string_value(), "[1,");
}

}  // namespace
}  // namespace periscope
