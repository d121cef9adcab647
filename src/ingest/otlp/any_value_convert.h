#pragma once

#include <google/protobuf/repeated_ptr_field.h>

#include <string>
#include <string_view>

#include "model/any_value.h"
#include "opentelemetry/proto/common/v1/common.pb.h"

namespace periscope {

namespace otlp_common = opentelemetry::proto::common::v1;

// OTLP AnyValue -> model AnyValue: scalars and bytes directly; arrays and key/value lists as
// compact JSON text (["a",1,true], {"k":"v"}) with type kArray / kKvList. Never fails.
AnyValue ConvertAnyValue(const otlp_common::AnyValue& value);

// Converts every key/value pair, keeping order and duplicates.
Attributes ConvertAttributes(const google::protobuf::RepeatedPtrField<otlp_common::KeyValue>& kvs);

// Appends the natural JSON form of `value`: strings quoted, ints and doubles as numbers
// (non-finite doubles as "NaN"/"Infinity"/"-Infinity"), bytes as base64 strings, arrays and
// lists nested, an unset value as null.
void AppendAnyValueJson(const otlp_common::AnyValue& value, std::string* out);

// Appends `s` as a quoted JSON string.
void AppendJsonString(std::string_view s, std::string* out);

// Model AnyValue -> OTLP AnyValue; kArray/kKvList JSON text is parsed back into nested values
// (strings, int64 or double numbers, bools, null as unset). Text that is not valid JSON is kept
// as a string value.
void ToOtlpAnyValue(const AnyValue& value, otlp_common::AnyValue* out);
void ToOtlpAttributes(const Attributes& attrs,
                      google::protobuf::RepeatedPtrField<otlp_common::KeyValue>* out);

}  // namespace periscope
