#include "storage/logs/template_codec.h"

#include <xxhash.h>

#include <algorithm>
#include <charconv>

#include "base/coding.h"
#include "storage/logs/log_tokens.h"
#include "storage/logs/token_hash_set.h"
#include "storage/part/encoding/decoder.h"
#include "storage/part/encoding/string_column.h"

namespace periscope::logs {

namespace {

constexpr char kLiteral = kTemplateLiteral;
constexpr char kIntVar = kTemplateIntVar;
constexpr char kStrVar = kTemplateStrVar;
constexpr size_t kMaxIntDigits = 19;

bool IsLiteralMarker(char c) { return c == kLiteral || c == kIntVar || c == kStrVar; }

}  // namespace

void TemplateWriter::Add(std::string_view text, TokenHashSet* tokens, bool numeric_tokens) {
  tmpl_.clear();
  constants_.clear();
  const size_t ints_start = ints_.size(), strs_start = strs_.size();
  bool literal = !split_;
  const size_t n = text.size();
  size_t i = 0;
  while (!literal && i < n) {
    if (!IsTokenByte(static_cast<unsigned char>(text[i]))) {
      size_t j = i;
      while (j < n && !IsTokenByte(static_cast<unsigned char>(text[j])) &&
             !IsLiteralMarker(text[j])) {
        ++j;
      }
      tmpl_.append(text.data() + i, j - i);
      i = j;
      if (i < n && IsLiteralMarker(text[i])) literal = true;
      continue;
    }
    size_t j = i;
    bool digit = false, all_digits = true;
    while (j < n && IsTokenByte(static_cast<unsigned char>(text[j]))) {
      const bool d = text[j] >= '0' && text[j] <= '9';
      digit |= d;
      all_digits &= d;
      ++j;
    }
    const std::string_view tok = text.substr(i, j - i);
    if (!digit) {
      tmpl_.append(tok);
      constants_.push_back(tok);
    } else {
      const bool is_int =
          all_digits && tok.size() <= kMaxIntDigits && (tok.size() == 1 || tok[0] != '0');
      if (is_int) {
        uint64_t v = 0;
        std::from_chars(tok.data(), tok.data() + tok.size(), v);
        tmpl_.push_back(kIntVar);
        ints_.push_back(v);
      } else {
        tmpl_.push_back(kStrVar);
        strs_.push_back(tok);
      }
      if (tokens != nullptr && (numeric_tokens || !all_digits)) tokens->InsertToken(tok);
    }
    i = j;
  }
  if (literal) {
    tmpl_.clear();
    ints_.resize(ints_start);
    strs_.resize(strs_start);
    tmpl_.push_back(kLiteral);
    tmpl_.append(text);
  }
  const uint32_t id = Intern(XXH3_64bits(tmpl_.data(), tmpl_.size()),
                             static_cast<uint32_t>(ints_.size() - ints_start),
                             static_cast<uint32_t>(strs_.size() - strs_start));
  Template& t = templates_[id];
  if (tokens != nullptr && !t.tokens_added) {
    // A template's constant words are the same in each of its texts; a literal template is
    // one whole text.
    if (literal) {
      tokens->InsertTokens(text, numeric_tokens);
    } else {
      for (std::string_view c : constants_) tokens->InsertToken(c);
    }
    t.tokens_added = true;
  }
  codes_.push_back(id);
  int_begin_.push_back(static_cast<uint32_t>(ints_start));
  str_begin_.push_back(static_cast<uint32_t>(strs_start));
}

uint32_t TemplateWriter::Intern(uint64_t hash, uint32_t int_slots, uint32_t str_slots) {
  if ((count_ + 1) * 2 > index_.size()) Rehash(std::max<size_t>(64, index_.size() * 2));
  const size_t mask = index_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const uint32_t e = index_[i];
    if (e == 0) {
      const auto id = static_cast<uint32_t>(count_++);
      index_[i] = id + 1;
      Template& t = id < templates_.size() ? templates_[id] : templates_.emplace_back();
      t.text = tmpl_;
      t.hash = hash;
      t.int_slots = int_slots;
      t.str_slots = str_slots;
      t.tokens_added = false;
      return id;
    }
    const Template& t = templates_[e - 1];
    if (t.hash == hash && t.text == tmpl_) return e - 1;
  }
}

void TemplateWriter::Rehash(size_t slots) {
  index_.assign(slots, 0);
  const size_t mask = slots - 1;
  for (size_t id = 0; id < count_; ++id) {
    size_t i = templates_[id].hash & mask;
    while (index_[i] != 0) i = (i + 1) & mask;
    index_[i] = static_cast<uint32_t>(id + 1);
  }
}

// The bytes part::StringColumnWriter gives for the slot's strings: a dictionary in order of
// first use unless more than half of them are distinct, then plain (known as soon as the
// distinct ones pass half, so the rest are not hashed).
void TemplateWriter::EncodeStrings(size_t begin, size_t end, uint32_t slot, std::string* out) {
  const size_t rows = end - begin;
  auto value = [&](size_t k) { return strs_[str_begin_[order_[begin + k]] + slot]; };
  size_t slots = 16;
  while (slots < rows * 2) slots *= 2;
  table_.assign(slots, 0);
  dict_.clear();
  dict_hashes_.clear();
  codes_scratch_.clear();
  const size_t mask = slots - 1;
  bool plain = false;
  for (size_t k = 0; k < rows && !plain; ++k) {
    const std::string_view s = value(k);
    const uint64_t h = XXH3_64bits(s.data(), s.size());
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      const uint32_t e = table_[i];
      if (e == 0) {
        table_[i] = static_cast<uint32_t>(dict_.size() + 1);
        codes_scratch_.push_back(static_cast<uint32_t>(dict_.size()));
        dict_.push_back(static_cast<uint32_t>(k));
        dict_hashes_.push_back(h);
        break;
      }
      if (dict_hashes_[e - 1] == h && value(dict_[e - 1]) == s) {
        codes_scratch_.push_back(e - 1);
        break;
      }
    }
    plain = dict_.size() * 2 > rows + 1;
  }
  if (plain) {
    out->push_back(static_cast<char>(0));
    for (size_t k = 0; k < rows; ++k) PutLengthPrefixed(out, value(k));
    return;
  }
  out->push_back(static_cast<char>(1));
  PutVarint64(out, dict_.size());
  for (uint32_t k : dict_) PutLengthPrefixed(out, value(k));
  for (uint32_t c : codes_scratch_) PutVarint64(out, c);
}

TemplateWriter::Streams TemplateWriter::Finish() {
  Streams out;
  FinishInto(&out.templates, &out.ints, &out.strings);
  return out;
}

void TemplateWriter::FinishInto(std::string* templates, std::string* ints, std::string* strings) {
  PutVarint64(templates, count_);
  for (size_t id = 0; id < count_; ++id) PutLengthPrefixed(templates, templates_[id].text);
  for (uint32_t c : codes_) PutVarint64(templates, c);
  // Texts grouped by template (a stable counting sort).
  group_begin_.assign(count_ + 1, 0);
  for (uint32_t c : codes_) ++group_begin_[c + 1];
  for (size_t id = 1; id <= count_; ++id) group_begin_[id] += group_begin_[id - 1];
  order_.resize(codes_.size());
  {
    std::vector<uint32_t>& next = dict_;  // free until EncodeStrings
    next.assign(group_begin_.begin(), group_begin_.end() - 1);
    for (size_t r = 0; r < codes_.size(); ++r) order_[next[codes_[r]]++] = static_cast<uint32_t>(r);
  }
  for (size_t id = 0; id < count_; ++id) {
    const Template& t = templates_[id];
    const size_t begin = group_begin_[id], end = group_begin_[id + 1];
    for (uint32_t slot = 0; slot < t.int_slots; ++slot) {
      uint64_t prev = 0;
      for (size_t k = begin; k < end; ++k) {
        const uint64_t v = ints_[int_begin_[order_[k]] + slot];
        PutVarintSigned64(ints, static_cast<int64_t>(v - prev));
        prev = v;
      }
    }
    for (uint32_t slot = 0; slot < t.str_slots; ++slot) EncodeStrings(begin, end, slot, strings);
  }
}

void TemplateWriter::Clear() {
  count_ = 0;
  std::fill(index_.begin(), index_.end(), 0);
  codes_.clear();
  int_begin_.clear();
  str_begin_.clear();
  ints_.clear();
  strs_.clear();
}

Status TemplateTable::Init(std::string_view templates, size_t n) {
  part::Decoder t(templates);
  const size_t count = t.Count(1);
  texts_.resize(count);
  for (auto& s : texts_) s = t.LengthPrefixed();
  if (!t.ok()) return Status::Corruption("template dictionary is malformed");
  codes_.resize(n);
  rank_.resize(n);
  rows_of_.assign(count, 0);
  for (size_t i = 0; i < n; ++i) {
    const uint32_t c = t.Varint32();
    if (!t.ok() || c >= count) return Status::Corruption("template codes are malformed");
    codes_[i] = c;
    rank_[i] = rows_of_[c]++;
  }
  slots_.clear();
  variables_loaded_ = false;
  return Status::Ok();
}

Status TemplateTable::LoadVariables(std::string_view ints, std::string_view strings) {
  slots_.assign(texts_.size(), {});
  part::Decoder in(ints), st(strings);
  for (size_t id = 0; id < texts_.size(); ++id) {
    std::string_view tx = texts_[id];
    if (!tx.empty() && tx[0] == kLiteral) continue;
    for (char c : tx) {
      if (c == kIntVar) {
        Slot& slot = slots_[id].emplace_back();
        slot.is_int = true;
        auto& col = slot.ints;
        col.resize(rows_of_[id]);
        uint64_t prev = 0;
        for (auto& v : col) {
          prev += static_cast<uint64_t>(in.Signed());
          v = prev;
        }
        if (!in.ok()) return Status::Corruption("template integer column is malformed");
      } else if (c == kStrVar) {
        RETURN_IF_ERROR(
            part::DecodeStringColumn(&st, rows_of_[id], &slots_[id].emplace_back().strings));
      }
    }
  }
  variables_loaded_ = true;
  return Status::Ok();
}

void TemplateTable::AppendText(size_t i, std::string* out) const {
  const uint32_t c = codes_[i];
  std::string_view tx = texts_[c];
  if (!tx.empty() && tx[0] == kLiteral) {
    out->append(tx.substr(1));
    return;
  }
  const uint32_t k = rank_[i];
  size_t slot = 0;
  size_t lit = 0;  // start of the pending literal run
  for (size_t p = 0; p < tx.size(); ++p) {
    const char ch = tx[p];
    if (ch != kIntVar && ch != kStrVar) continue;
    out->append(tx.substr(lit, p - lit));
    lit = p + 1;
    const Slot& s = slots_[c][slot++];
    if (ch == kIntVar) {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof(buf), s.ints[k]);
      out->append(buf, r.ptr);
    } else {
      out->append(s.strings[k]);
    }
  }
  out->append(tx.substr(lit));
}

TemplateTable::VariableNeedle TemplateTable::MakeNeedle(std::string_view lower_token) {
  VariableNeedle n;
  n.lower = std::string(lower_token);
  n.is_int = IsAllDigits(lower_token) && lower_token.size() <= kMaxIntDigits &&
             (lower_token.size() == 1 || lower_token[0] != '0');
  if (n.is_int)
    std::from_chars(lower_token.data(), lower_token.data() + lower_token.size(), n.value);
  return n;
}

bool TemplateTable::TextHasVariable(size_t i, const VariableNeedle& needle) const {
  const uint32_t c = codes_[i];
  const uint32_t k = rank_[i];
  for (const Slot& s : slots_[c]) {
    if (s.is_int) {
      if (needle.is_int && s.ints[k] == needle.value) return true;
      continue;
    }
    std::string_view v = s.strings[k];
    if (v.size() != needle.lower.size()) continue;
    bool eq = true;
    for (size_t j = 0; j < v.size() && eq; ++j) {
      const char ch = v[j] >= 'A' && v[j] <= 'Z' ? static_cast<char>(v[j] - 'A' + 'a') : v[j];
      eq = ch == needle.lower[j];
    }
    if (eq) return true;
  }
  return false;
}

bool TemplateTable::TextHasVariableContaining(size_t i,
                                              const std::vector<std::string>& lower_pieces) const {
  const uint32_t c = codes_[i];
  const uint32_t k = rank_[i];
  char buf[24];
  for (const Slot& s : slots_[c]) {
    std::string_view v;
    if (s.is_int) {
      auto r = std::to_chars(buf, buf + sizeof(buf), s.ints[k]);
      v = std::string_view(buf, static_cast<size_t>(r.ptr - buf));
    } else {
      v = s.strings[k];
    }
    for (const auto& piece : lower_pieces) {
      if (piece.size() > v.size()) continue;
      auto it = std::search(v.begin(), v.end(), piece.begin(), piece.end(), [](char a, char b) {
        return (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == b;
      });
      if (it != v.end()) return true;
    }
  }
  return false;
}

Status DecodeTemplates(std::string_view templates, std::string_view ints, std::string_view strings,
                       size_t n, std::vector<std::string>* out) {
  TemplateTable table;
  RETURN_IF_ERROR(table.Init(templates, n));
  RETURN_IF_ERROR(table.LoadVariables(ints, strings));
  out->clear();
  out->resize(n);
  for (size_t i = 0; i < n; ++i) {
    (*out)[i].reserve(table.template_text(table.code(i)).size() + 16);
    table.AppendText(i, &(*out)[i]);
  }
  return Status::Ok();
}

}  // namespace periscope::logs
