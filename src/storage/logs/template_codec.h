#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace periscope::logs {

class TokenHashSet;

// Encodes a column of log texts as templates plus typed variables (a cheap CLP): every token
// ([A-Za-z0-9_]+) that holds a digit becomes a variable; plain decimal ones (no leading zero,
// at most 19 digits) go to integer columns, delta-coded per (template, slot), the rest to
// dictionary-or-plain string columns per (template, slot). Templates are a per-column
// dictionary in order of first use. Each text is split once, when added. Produces three streams
// (templates+codes, integers, strings) for separate compression. Texts must outlive Finish().
// Not thread-safe.
class TemplateWriter {
 public:
  // With split_variables false every text is stored as its own literal template.
  explicit TemplateWriter(bool split_variables = true) : split_(split_variables) {}
  // Adds a text. With `tokens`, also inserts the hashes of its lower-cased tokens there (the
  // block bloom's; all-digit ones only when `numeric_tokens`): the variables of every text, the
  // constant words of a template once.
  void Add(std::string_view text, TokenHashSet* tokens = nullptr, bool numeric_tokens = true);
  size_t size() const { return codes_.size(); }
  struct Streams {
    std::string templates;
    std::string ints;
    std::string strings;
  };
  Streams Finish();
  // Appends the three streams to *templates, *ints and *strings.
  void FinishInto(std::string* templates, std::string* ints, std::string* strings);
  // Forgets every text, keeping the memory for the next column (e.g. the next block's).
  void Clear();
  void set_split_variables(bool split) { split_ = split; }

 private:
  struct Template {
    std::string text;  // stored form
    uint64_t hash = 0;
    uint32_t int_slots = 0;
    uint32_t str_slots = 0;
    bool tokens_added = false;
  };
  // The id of the template in tmpl_ (hash `hash`), added with these slot counts when new.
  uint32_t Intern(uint64_t hash, uint32_t int_slots, uint32_t str_slots);
  void Rehash(size_t slots);
  // Encodes string slot `slot` of the texts order_[begin, end) (one template).
  void EncodeStrings(size_t begin, size_t end, uint32_t slot, std::string* out);

  bool split_;
  std::vector<Template> templates_;  // the first count_ are in use; the rest keep memory
  size_t count_ = 0;
  std::vector<uint32_t> index_;  // open addressing over templates_: id + 1, 0 = empty
  // Per text, in order: its template and where its variables start in ints_/strs_.
  std::vector<uint32_t> codes_;
  std::vector<uint32_t> int_begin_;
  std::vector<uint32_t> str_begin_;
  std::vector<uint64_t> ints_;
  std::vector<std::string_view> strs_;
  // Scratch of Add and Finish.
  std::vector<uint32_t> order_;        // texts grouped by template, in order within each
  std::vector<uint32_t> group_begin_;  // per template, its first position in order_
  std::string tmpl_;
  std::vector<std::string_view> constants_;
  std::vector<uint32_t> dict_;   // row of each distinct string of a slot
  std::vector<uint32_t> table_;  // open addressing over dict_: index + 1
  std::vector<uint64_t> dict_hashes_;
  std::vector<uint32_t> codes_scratch_;
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
