#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "storage/part/encoding/decoder.h"

namespace periscope::part {

// Buffers strings and encodes them either plainly (length-prefixed) or as a dictionary plus
// varint codes, whichever the value distribution favours. The added views must outlive
// Finish(). Not thread-safe.
class StringColumnWriter {
 public:
  void Add(std::string_view s);
  size_t size() const { return codes_.size(); }
  // Appends the encoded column to *out.
  void Finish(std::string* out) const;

 private:
  std::vector<std::string_view> dict_;
  std::unordered_map<std::string_view, uint32_t> index_;
  std::vector<uint32_t> codes_;
};

// Decodes `n` strings written by StringColumnWriter from `in` as views into its bytes;
// Corruption on malformed input.
Status DecodeStringColumn(Decoder* in, size_t n, std::vector<std::string_view>* out);

}  // namespace periscope::part
