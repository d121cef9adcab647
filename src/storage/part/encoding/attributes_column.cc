#include "storage/part/encoding/attributes_column.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "base/coding.h"
#include "storage/part/encoding/decoder.h"
#include "storage/part/encoding/value_column.h"

namespace periscope::part {

std::vector<std::string> AttributesWriter::Finish(size_t max_dedicated) const {
  std::vector<std::string_view> keys;
  std::unordered_map<std::string_view, uint32_t> key_ids;
  std::vector<size_t> key_counts;
  std::map<std::vector<uint32_t>, uint32_t> shape_ids;
  std::vector<const std::vector<uint32_t>*> shapes;
  std::vector<uint32_t> list_shapes;
  list_shapes.reserve(lists_.size());
  std::vector<uint32_t> shape;
  for (const Attributes* attrs : lists_) {
    shape.clear();
    for (const KeyValue& kv : *attrs) {
      auto [it, inserted] = key_ids.try_emplace(kv.key, static_cast<uint32_t>(keys.size()));
      if (inserted) {
        keys.push_back(kv.key);
        key_counts.push_back(0);
      }
      ++key_counts[it->second];
      shape.push_back(it->second);
    }
    auto [it, inserted] = shape_ids.try_emplace(shape, static_cast<uint32_t>(shape_ids.size()));
    if (inserted) shapes.push_back(&it->first);
    list_shapes.push_back(it->second);
  }

  std::vector<uint32_t> by_count(keys.size());
  for (uint32_t i = 0; i < by_count.size(); ++i) by_count[i] = i;
  std::stable_sort(by_count.begin(), by_count.end(),
                   [&](uint32_t a, uint32_t b) { return key_counts[a] > key_counts[b]; });
  const size_t min_count = std::max<size_t>(1, lists_.size() / 16);
  std::vector<int> dedicated_slot(keys.size(), -1);
  std::vector<uint32_t> dedicated;
  for (uint32_t k : by_count) {
    if (dedicated.size() >= max_dedicated || key_counts[k] < min_count) break;
    dedicated_slot[k] = static_cast<int>(dedicated.size());
    dedicated.push_back(k);
  }

  std::string keys_chunk;
  PutVarint64(&keys_chunk, keys.size());
  for (std::string_view k : keys) PutLengthPrefixed(&keys_chunk, k);
  PutVarint64(&keys_chunk, dedicated.size());
  for (uint32_t k : dedicated) PutVarint64(&keys_chunk, k);
  PutVarint64(&keys_chunk, shapes.size());
  for (const auto* s : shapes) {
    PutVarint64(&keys_chunk, s->size());
    for (uint32_t k : *s) PutVarint64(&keys_chunk, k);
  }
  for (uint32_t s : list_shapes) PutVarint64(&keys_chunk, s);

  ValueColumnWriter shared;
  std::vector<ValueColumnWriter> columns(dedicated.size());
  for (const Attributes* attrs : lists_) {
    for (const KeyValue& kv : *attrs) {
      int slot = dedicated_slot[key_ids[kv.key]];
      (slot < 0 ? shared : columns[slot]).Add(kv.value);
    }
  }
  std::vector<std::string> chunks;
  chunks.push_back(std::move(keys_chunk));
  shared.Finish(&chunks.emplace_back());
  for (const auto& c : columns) c.Finish(&chunks.emplace_back());
  return chunks;
}

std::string AttributesWriter::FinishPacked() const {
  std::vector<std::string> chunks = Finish(0);
  std::string out;
  PutLengthPrefixed(&out, chunks[0]);
  PutLengthPrefixed(&out, chunks[1]);
  return out;
}

Status DecodeAttributes(std::string_view keys_chunk, std::string_view shared_chunk,
                        const std::vector<std::string_view>& dedicated_chunks, size_t n,
                        std::vector<Attributes>* out) {
  return DecodeAttributesRange(keys_chunk, shared_chunk, dedicated_chunks, n, 0, n, out);
}

Status DecodeAttributesRange(std::string_view keys_chunk, std::string_view shared_chunk,
                             const std::vector<std::string_view>& dedicated_chunks, size_t n,
                             size_t begin, size_t end, std::vector<Attributes>* out) {
  end = std::min(end, n);
  begin = std::min(begin, end);
  Decoder in(keys_chunk);
  size_t key_count = in.Count(1);
  std::vector<std::string_view> keys;
  keys.reserve(key_count);
  for (size_t i = 0; i < key_count && in.ok(); ++i) keys.push_back(in.LengthPrefixed());
  size_t dedicated_count = in.Count(1);
  if (in.ok() && dedicated_count != dedicated_chunks.size()) {
    return Status::Corruption("attribute column count mismatch");
  }
  std::vector<int> slot(keys.size(), -1);
  for (size_t i = 0; i < dedicated_count && in.ok(); ++i) {
    uint64_t k = in.Varint();
    if (k >= keys.size() || slot[k] >= 0) return Status::Corruption("bad dedicated key");
    slot[k] = static_cast<int>(i);
  }
  size_t shape_count = in.Count(1);
  std::vector<std::vector<uint32_t>> shapes(shape_count);
  for (auto& s : shapes) {
    size_t len = in.Count(1);
    s.reserve(len);
    for (size_t j = 0; j < len && in.ok(); ++j) {
      uint64_t k = in.Varint();
      if (k >= keys.size()) return Status::Corruption("attribute key out of range");
      s.push_back(static_cast<uint32_t>(k));
    }
  }
  if (!in.ok() || n > in.remaining()) return Status::Corruption("attribute keys truncated");

  Decoder shared_in(shared_chunk);
  ValueColumnReader shared;
  RETURN_IF_ERROR(shared.Init(&shared_in));
  std::vector<Decoder> column_in;
  column_in.reserve(dedicated_chunks.size());
  std::vector<ValueColumnReader> columns(dedicated_chunks.size());
  for (size_t i = 0; i < dedicated_chunks.size(); ++i) {
    column_in.emplace_back(dedicated_chunks[i]);
    RETURN_IF_ERROR(columns[i].Init(&column_in[i]));
  }
  size_t values_left = shared.size();
  for (const auto& c : columns) values_left += c.size();
  out->clear();
  out->resize(end - begin);
  AnyValue scratch;
  for (size_t r = 0; r < n; ++r) {
    uint64_t s = in.Varint();
    if (!in.ok() || s >= shapes.size()) return Status::Corruption("attribute shape out of range");
    if (shapes[s].size() > values_left) return Status::Corruption("attribute values exhausted");
    values_left -= shapes[s].size();
    if (r < begin || r >= end) {
      for (uint32_t k : shapes[s]) {
        RETURN_IF_ERROR((slot[k] < 0 ? shared : columns[slot[k]]).Next(&scratch));
      }
      continue;
    }
    Attributes& attrs = (*out)[r - begin];
    attrs.resize(shapes[s].size());
    for (size_t j = 0; j < attrs.size(); ++j) {
      uint32_t k = shapes[s][j];
      attrs[j].key.assign(keys[k]);
      RETURN_IF_ERROR((slot[k] < 0 ? shared : columns[slot[k]]).Next(&attrs[j].value));
    }
  }
  return Status::Ok();
}

Status DecodeAttributesPacked(std::string_view packed, size_t n, std::vector<Attributes>* out) {
  return DecodeAttributesPackedRange(packed, n, 0, n, out);
}

Status DecodeAttributesPackedRange(std::string_view packed, size_t n, size_t begin, size_t end,
                                   std::vector<Attributes>* out) {
  Decoder in(packed);
  std::string_view keys = in.LengthPrefixed();
  std::string_view shared = in.LengthPrefixed();
  if (!in.ok()) return Status::Corruption("packed attributes truncated");
  return DecodeAttributesRange(keys, shared, {}, n, begin, end, out);
}

}  // namespace periscope::part
