#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/any_value.h"

namespace periscope::part {

// Encodes a sequence of attribute lists. Keys are stored once in a key dictionary; each list
// becomes a code into a dictionary of "shapes" (its key ids in order, which keeps order and
// duplicates exact); values of the most frequent keys go to one typed value column per key
// ("dedicated" columns), all other values to one shared value column.
// Added lists must outlive Finish(). Not thread-safe.
class AttributesWriter {
 public:
  void Add(const Attributes* attrs) { lists_.push_back(attrs); }
  size_t size() const { return lists_.size(); }

  // Returns the chunks: [keys, shared values, dedicated column 0, 1, ...]. A key is dedicated
  // when it occurs in at least 1/16 of the lists, at most `max_dedicated` keys.
  std::vector<std::string> Finish(size_t max_dedicated) const;
  // All chunks without dedicated columns, packed into one byte string.
  std::string FinishPacked() const;

 private:
  std::vector<const Attributes*> lists_;
};

// Decodes `n` attribute lists from the chunks of AttributesWriter::Finish; Corruption on
// malformed input, including a dedicated-column count different from dedicated.size().
Status DecodeAttributes(std::string_view keys, std::string_view shared,
                        const std::vector<std::string_view>& dedicated, size_t n,
                        std::vector<Attributes>* out);
// Decodes `n` lists from AttributesWriter::FinishPacked output.
Status DecodeAttributesPacked(std::string_view packed, size_t n, std::vector<Attributes>* out);
// Like DecodeAttributes and DecodeAttributesPacked, but materializes only lists [begin, end)
// (clamped to n) into *out, which gets end - begin entries; the others are only checked.
Status DecodeAttributesRange(std::string_view keys, std::string_view shared,
                             const std::vector<std::string_view>& dedicated, size_t n, size_t begin,
                             size_t end, std::vector<Attributes>* out);
Status DecodeAttributesPackedRange(std::string_view packed, size_t n, size_t begin, size_t end,
                                   std::vector<Attributes>* out);

}  // namespace periscope::part
