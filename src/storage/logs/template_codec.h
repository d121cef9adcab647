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

// Bytes of a stored template: a literal template is kTemplateLiteral then the text itself;
// otherwise the text with each variable token replaced by kTemplateIntVar or kTemplateStrVar.
inline constexpr char kTemplateLiteral = '\x10';
inline constexpr char kTemplateIntVar = '\x11';
inline constexpr char kTemplateStrVar = '\x12';

// The decoded template streams of one column, without building the texts: the dictionary, each
// text's template, and (after LoadVariables) every variable. Matching can then be decided once
// per template and only the texts that need it rebuilt. Borrows the stream bytes, which must
// outlive it. Not thread-safe.
class TemplateTable {
 public:
  // Parses the dictionary and the `n` template codes; Corruption on malformed input.
  Status Init(std::string_view templates, size_t n);
  // Parses the variable streams; Corruption on malformed input.
  Status LoadVariables(std::string_view ints, std::string_view strings);
  bool variables_loaded() const { return variables_loaded_; }

  size_t size() const { return codes_.size(); }
  size_t template_count() const { return texts_.size(); }
  // Stored form of template `id` (see kTemplateLiteral).
  std::string_view template_text(size_t id) const { return texts_[id]; }
  // Template id of text `i`.
  uint32_t code(size_t i) const { return codes_[i]; }
  // Appends text `i` to *out; needs LoadVariables.
  void AppendText(size_t i, std::string* out) const;

  // A whole token looked up among the variables: lower-cased, with its integer value when it
  // is stored as an integer variable (plain decimal, no leading zero, at most 19 digits).
  struct VariableNeedle {
    std::string lower;
    bool is_int = false;
    uint64_t value = 0;
  };
  static VariableNeedle MakeNeedle(std::string_view lower_token);
  // True when a variable of text `i` equals the needle, ignoring ASCII case; needs
  // LoadVariables.
  bool TextHasVariable(size_t i, const VariableNeedle& needle) const;
  // True when a variable of text `i` contains one of `lower_pieces` (ignoring ASCII case);
  // needs LoadVariables.
  bool TextHasVariableContaining(size_t i, const std::vector<std::string>& lower_pieces) const;

 private:
  struct Slot {
    bool is_int = false;
    std::vector<uint64_t> ints;
    std::vector<std::string_view> strings;
  };
  std::vector<std::string_view> texts_;
  std::vector<uint32_t> codes_;
  std::vector<uint32_t> rank_;            // text i is the rank_[i]-th text of its template
  std::vector<uint32_t> rows_of_;         // texts per template
  std::vector<std::vector<Slot>> slots_;  // [template][variable]
  bool variables_loaded_ = false;
};

// Decodes `n` texts from the three streams; Corruption on malformed input.
Status DecodeTemplates(std::string_view templates, std::string_view ints, std::string_view strings,
                       size_t n, std::vector<std::string>* out);

}  // namespace periscope::logs
