#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace periscope::logs {

// Encodes a column of log texts as templates plus typed variables (a cheap CLP): every token
// ([A-Za-z0-9_]+) that holds a digit becomes a variable; plain decimal ones (no leading zero,
// at most 19 digits) go to integer columns, delta-coded per (template, slot), the rest to
// dictionary-or-plain string columns per (template, slot). Templates are a per-column
// dictionary. Produces three streams (templates+codes, integers, strings) for separate
// compression. Texts must outlive Finish(). Not thread-safe.
class TemplateWriter {
 public:
  // With split_variables false every text is stored as its own literal template.
  explicit TemplateWriter(bool split_variables = true) : split_(split_variables) {}
  void Add(std::string_view text) { texts_.push_back(text); }
  size_t size() const { return texts_.size(); }
  struct Streams {
    std::string templates;
    std::string ints;
    std::string strings;
  };
  Streams Finish() const;

 private:
  bool split_;
  std::vector<std::string_view> texts_;
};

// Decodes `n` texts from the three streams; Corruption on malformed input.
Status DecodeTemplates(std::string_view templates, std::string_view ints, std::string_view strings,
                       size_t n, std::vector<std::string>* out);

}  // namespace periscope::logs
