#include "ingest/otlp/any_value_convert.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <cmath>

#include "ingest/otlp/exact_json.h"

namespace periscope {

namespace {

void AppendDoubleJson(double d, std::string* out) {
  if (std::isnan(d)) {
    out->append("\"NaN\"");
  } else if (std::isinf(d)) {
    out->append(d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
  } else {
    fmt::format_to(std::back_inserter(*out), "{}", d);
  }
}

void FromJson(const boost::json::value& v, otlp_common::AnyValue* out) {
  switch (v.kind()) {
    case boost::json::kind::null:
      break;
    case boost::json::kind::bool_:
      out->set_bool_value(v.get_bool());
      break;
    case boost::json::kind::int64:
      out->set_int_value(v.get_int64());
      break;
    case boost::json::kind::uint64:
      out->set_double_value(static_cast<double>(v.get_uint64()));
      break;
    case boost::json::kind::double_:
      out->set_double_value(v.get_double());
      break;
    case boost::json::kind::string: {
      const auto& s = v.get_string();
      out->set_string_value(s.data(), s.size());
      break;
    }
    case boost::json::kind::array: {
      auto* arr = out->mutable_array_value();
      for (const auto& e : v.get_array()) FromJson(e, arr->add_values());
      break;
    }
    case boost::json::kind::object: {
      auto* list = out->mutable_kvlist_value();
      for (const auto& e : v.get_object()) {
        auto* kv = list->add_values();
        kv->set_key(e.key().data(), e.key().size());
        FromJson(e.value(), kv->mutable_value());
      }
      break;
    }
  }
}

}  // namespace

void AppendJsonString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default:
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 0xf]);
    }
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

void AppendAnyValueJson(const otlp_common::AnyValue& v, std::string* out) {
  using V = otlp_common::AnyValue;
  switch (v.value_case()) {
    case V::kStringValue:
      AppendJsonString(v.string_value(), out);
      break;
    case V::kBoolValue:
      out->append(v.bool_value() ? "true" : "false");
      break;
    case V::kIntValue:
      fmt::format_to(std::back_inserter(*out), "{}", v.int_value());
      break;
    case V::kDoubleValue:
      AppendDoubleJson(v.double_value(), out);
      break;
    case V::kBytesValue:
      AppendJsonString(Base64Encode(v.bytes_value()), out);
      break;
    case V::kArrayValue: {
      out->push_back('[');
      bool first = true;
      for (const auto& e : v.array_value().values()) {
        if (!first) out->push_back(',');
        first = false;
        AppendAnyValueJson(e, out);
      }
      out->push_back(']');
      break;
    }
    case V::kKvlistValue: {
      out->push_back('{');
      bool first = true;
      for (const auto& kv : v.kvlist_value().values()) {
        if (!first) out->push_back(',');
        first = false;
        AppendJsonString(kv.key(), out);
        out->push_back(':');
        AppendAnyValueJson(kv.value(), out);
      }
      out->push_back('}');
      break;
    }
    case V::VALUE_NOT_SET:
      out->append("null");
      break;
  }
}

AnyValue ConvertAnyValue(const otlp_common::AnyValue& v) {
  using V = otlp_common::AnyValue;
  switch (v.value_case()) {
    case V::kStringValue:
      return AnyValue::String(v.string_value());
    case V::kBoolValue:
      return AnyValue::Bool(v.bool_value());
    case V::kIntValue:
      return AnyValue::Int(v.int_value());
    case V::kDoubleValue:
      return AnyValue::Double(v.double_value());
    case V::kBytesValue:
      return AnyValue::Bytes(v.bytes_value());
    case V::kArrayValue:
    case V::kKvlistValue: {
      AnyValue out;
      out.type = v.value_case() == V::kArrayValue ? ValueType::kArray : ValueType::kKvList;
      AppendAnyValueJson(v, &out.str);
      return out;
    }
    case V::VALUE_NOT_SET:
      break;
  }
  return AnyValue{};
}

Attributes ConvertAttributes(const google::protobuf::RepeatedPtrField<otlp_common::KeyValue>& kvs) {
  Attributes out;
  out.reserve(static_cast<size_t>(kvs.size()));
  for (const auto& kv : kvs) out.push_back(KeyValue{kv.key(), ConvertAnyValue(kv.value())});
  return out;
}

void ToOtlpAnyValue(const AnyValue& v, otlp_common::AnyValue* out) {
  switch (v.type) {
    case ValueType::kEmpty:
      out->Clear();
      break;
    case ValueType::kString:
      out->set_string_value(v.str);
      break;
    case ValueType::kBool:
      out->set_bool_value(v.int_value != 0);
      break;
    case ValueType::kInt:
      out->set_int_value(v.int_value);
      break;
    case ValueType::kDouble:
      out->set_double_value(v.double_value);
      break;
    case ValueType::kBytes:
      out->set_bytes_value(v.str);
      break;
    case ValueType::kArray:
    case ValueType::kKvList: {
      boost::json::value parsed;
      if (!ParseJsonExact(v.str, {}, 64, &parsed).ok()) {
        out->set_string_value(v.str);
      } else {
        FromJson(parsed, out);
      }
      break;
    }
  }
}

void ToOtlpAttributes(const Attributes& attrs,
                      google::protobuf::RepeatedPtrField<otlp_common::KeyValue>* out) {
  out->Reserve(static_cast<int>(attrs.size()));
  for (const auto& kv : attrs) {
    auto* p = out->Add();
    p->set_key(kv.key);
    ToOtlpAnyValue(kv.value, p->mutable_value());
  }
}

}  // namespace periscope
