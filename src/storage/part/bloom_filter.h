#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model/ids.h"

namespace periscope::part {

// Bloom filter over trace ids: ~10 bits per id and 7 probes (~1% false positives). The
// encoded form is one probe-count byte followed by the bit array. Building is not thread-safe;
// BloomFilterView is a read-only view, safe to share.
class BloomFilterBuilder {
 public:
  explicit BloomFilterBuilder(size_t expected_ids);
  void Add(const TraceId& id);
  const std::string& data() const { return data_; }

 private:
  std::string data_;
};

// Probes an encoded filter in place; the bytes must outlive the view.
class BloomFilterView {
 public:
  BloomFilterView() = default;
  // False when `data` is not a well-formed filter.
  static bool Valid(std::string_view data);
  explicit BloomFilterView(std::string_view data) : data_(data) {}
  // Never false for an added id; true for an invalid (empty) filter.
  bool MayContain(const TraceId& id) const;

 private:
  std::string_view data_;
};

}  // namespace periscope::part
