#include "storage/part/encoding/string_column.h"

#include "base/coding.h"

namespace periscope::part {

namespace {
enum Mode : uint8_t { kPlain = 0, kDictionary = 1 };
}  // namespace

void StringColumnWriter::Add(std::string_view s) {
  auto [it, inserted] = index_.try_emplace(s, static_cast<uint32_t>(dict_.size()));
  if (inserted) dict_.push_back(s);
  codes_.push_back(it->second);
}

void StringColumnWriter::Finish(std::string* out) const {
  if (dict_.size() * 2 > codes_.size() + 1) {
    out->push_back(static_cast<char>(kPlain));
    for (uint32_t c : codes_) PutLengthPrefixed(out, dict_[c]);
    return;
  }
  out->push_back(static_cast<char>(kDictionary));
  PutVarint64(out, dict_.size());
  for (std::string_view s : dict_) PutLengthPrefixed(out, s);
  for (uint32_t c : codes_) PutVarint64(out, c);
}

Status DecodeStringColumn(Decoder* in, size_t n, std::vector<std::string_view>* out) {
  out->clear();
  uint8_t mode = in->Byte();
  if (!in->ok() || n > in->remaining()) return Status::Corruption("string column truncated");
  out->reserve(n);
  if (mode == kPlain) {
    for (size_t i = 0; i < n && in->ok(); ++i) out->emplace_back(in->LengthPrefixed());
  } else if (mode == kDictionary) {
    size_t count = in->Count(1);
    std::vector<std::string_view> dict;
    dict.reserve(count);
    for (size_t i = 0; i < count && in->ok(); ++i) dict.push_back(in->LengthPrefixed());
    for (size_t i = 0; i < n && in->ok(); ++i) {
      uint64_t code = in->Varint();
      if (code >= dict.size()) return Status::Corruption("string code out of range");
      out->emplace_back(dict[code]);
    }
  } else {
    return Status::Corruption("unknown string column mode {}", mode);
  }
  if (!in->ok()) return Status::Corruption("string column truncated");
  return Status::Ok();
}

}  // namespace periscope::part
