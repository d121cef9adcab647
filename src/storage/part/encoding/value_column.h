#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "model/any_value.h"
#include "storage/part/encoding/decoder.h"
#include "storage/part/encoding/string_column.h"

namespace periscope::part {

// Encodes a sequence of AnyValues as typed sub-streams: one type tag per value, zigzag varints
// for ints and bools, raw 8-byte doubles, and a string column for strings, bytes and JSON.
// Added values must outlive Finish(). Not thread-safe.
class ValueColumnWriter {
 public:
  void Add(const AnyValue& v);
  size_t size() const { return tags_.size(); }
  // Appends the encoded column to *out.
  void Finish(std::string* out) const;

 private:
  std::string tags_;
  std::string ints_;
  std::string doubles_;
  StringColumnWriter strings_;
};

// Reads back the values of a ValueColumnWriter in order. Not thread-safe.
class ValueColumnReader {
 public:
  // Parses the whole column; Corruption on malformed input.
  Status Init(Decoder* in);
  size_t size() const { return tags_.size(); }
  // Moves the next value into *v; Corruption when the column is exhausted.
  Status Next(AnyValue* v);

 private:
  std::string_view tags_;
  size_t pos_ = 0;
  Decoder ints_{std::string_view()};
  Decoder doubles_{std::string_view()};
  std::vector<std::string_view> strings_;
  size_t next_string_ = 0;
};

}  // namespace periscope::part
