#include "storage/part/encoding/value_column.h"

#include <cstring>

#include "base/coding.h"

namespace periscope::part {

namespace {
bool IsStringType(ValueType t) {
  return t == ValueType::kString || t == ValueType::kBytes || t == ValueType::kArray ||
         t == ValueType::kKvList;
}
}  // namespace

void ValueColumnWriter::Add(const AnyValue& v) {
  tags_.push_back(static_cast<char>(v.type));
  switch (v.type) {
    case ValueType::kEmpty:
      break;
    case ValueType::kBool:
      ints_.push_back(v.int_value ? 1 : 0);
      break;
    case ValueType::kInt:
      PutVarintSigned64(&ints_, v.int_value);
      break;
    case ValueType::kDouble: {
      uint64_t bits;
      std::memcpy(&bits, &v.double_value, 8);
      PutFixed64(&doubles_, bits);
      break;
    }
    default:
      strings_.Add(v.str);
      break;
  }
}

void ValueColumnWriter::Finish(std::string* out) const {
  PutLengthPrefixed(out, tags_);
  PutLengthPrefixed(out, ints_);
  PutLengthPrefixed(out, doubles_);
  strings_.Finish(out);
}

Status ValueColumnReader::Init(Decoder* in) {
  tags_ = in->LengthPrefixed();
  ints_ = in->Sub();
  doubles_ = in->Sub();
  if (!in->ok()) return Status::Corruption("value column truncated");
  size_t string_count = 0;
  for (char c : tags_) {
    auto t = static_cast<ValueType>(c);
    if (static_cast<uint8_t>(c) > static_cast<uint8_t>(ValueType::kKvList)) {
      return Status::Corruption("bad value type {}", static_cast<int>(c));
    }
    string_count += IsStringType(t);
  }
  pos_ = 0;
  next_string_ = 0;
  return DecodeStringColumn(in, string_count, &strings_);
}

Status ValueColumnReader::Next(AnyValue* v) {
  if (pos_ >= tags_.size()) return Status::Corruption("value column exhausted");
  v->type = static_cast<ValueType>(tags_[pos_++]);
  v->int_value = 0;
  v->double_value = 0;
  v->str.clear();
  switch (v->type) {
    case ValueType::kEmpty:
      break;
    case ValueType::kBool: {
      uint8_t b = ints_.Byte();
      if (b > 1) return Status::Corruption("bad bool value");
      v->int_value = b;
      break;
    }
    case ValueType::kInt:
      v->int_value = ints_.Signed();
      break;
    case ValueType::kDouble: {
      uint64_t bits = doubles_.Fixed64();
      std::memcpy(&v->double_value, &bits, 8);
      break;
    }
    default:
      if (next_string_ >= strings_.size()) return Status::Corruption("value strings exhausted");
      v->str.assign(strings_[next_string_++]);
      break;
  }
  if (!ints_.ok() || !doubles_.ok()) return Status::Corruption("value column truncated");
  return Status::Ok();
}

}  // namespace periscope::part
