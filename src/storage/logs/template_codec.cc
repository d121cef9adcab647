#include "storage/logs/template_codec.h"

#include <algorithm>
#include <charconv>
#include <unordered_map>

#include "base/coding.h"
#include "storage/logs/log_tokens.h"
#include "storage/part/encoding/decoder.h"
#include "storage/part/encoding/string_column.h"

namespace periscope::logs {

namespace {

constexpr char kLiteral = kTemplateLiteral;
constexpr char kIntVar = kTemplateIntVar;
constexpr char kStrVar = kTemplateStrVar;
constexpr size_t kMaxIntDigits = 19;

bool NeedsLiteral(std::string_view text) {
  for (char c : text) {
    if (c == kLiteral || c == kIntVar || c == kStrVar) return true;
  }
  return false;
}

// Splits `text` into a template and its variables, in order.
void Split(std::string_view text, bool split, std::string* tmpl,
           std::vector<std::string_view>* vars) {
  tmpl->clear();
  vars->clear();
  if (!split || NeedsLiteral(text)) {
    tmpl->push_back(kLiteral);
    tmpl->append(text);
    return;
  }
  size_t i = 0;
  while (i < text.size()) {
    if (!IsTokenByte(static_cast<unsigned char>(text[i]))) {
      tmpl->push_back(text[i++]);
      continue;
    }
    size_t j = i;
    bool digit = false, all_digits = true;
    while (j < text.size() && IsTokenByte(static_cast<unsigned char>(text[j]))) {
      const bool d = text[j] >= '0' && text[j] <= '9';
      digit |= d;
      all_digits &= d;
      ++j;
    }
    std::string_view tok = text.substr(i, j - i);
    if (!digit) {
      tmpl->append(tok);
    } else {
      const bool is_int =
          all_digits && tok.size() <= kMaxIntDigits && (tok.size() == 1 || tok[0] != '0');
      tmpl->push_back(is_int ? kIntVar : kStrVar);
      vars->push_back(tok);
    }
    i = j;
  }
}

struct TemplateColumns {
  std::string text;
  std::vector<uint32_t> rows;  // row indexes using this template
};

}  // namespace

TemplateWriter::Streams TemplateWriter::Finish() const {
  std::vector<TemplateColumns> templates;
  std::unordered_map<std::string, uint32_t> ids;
  std::vector<uint32_t> codes;
  std::vector<std::vector<std::string_view>> row_vars(texts_.size());
  codes.reserve(texts_.size());
  std::string tmpl;
  for (size_t r = 0; r < texts_.size(); ++r) {
    Split(texts_[r], split_, &tmpl, &row_vars[r]);
    auto [it, inserted] = ids.try_emplace(tmpl, static_cast<uint32_t>(templates.size()));
    if (inserted) templates.push_back({tmpl, {}});
    templates[it->second].rows.push_back(static_cast<uint32_t>(r));
    codes.push_back(it->second);
  }
  Streams out;
  PutVarint64(&out.templates, templates.size());
  for (const auto& t : templates) PutLengthPrefixed(&out.templates, t.text);
  for (uint32_t c : codes) PutVarint64(&out.templates, c);
  for (const auto& t : templates) {
    if (!t.text.empty() && t.text[0] == kLiteral) continue;
    size_t slot = 0;
    for (char c : t.text) {
      if (c == kIntVar) {
        uint64_t prev = 0;
        for (uint32_t r : t.rows) {
          uint64_t v = 0;
          std::string_view s = row_vars[r][slot];
          std::from_chars(s.data(), s.data() + s.size(), v);
          PutVarintSigned64(&out.ints, static_cast<int64_t>(v - prev));
          prev = v;
        }
        ++slot;
      } else if (c == kStrVar) {
        part::StringColumnWriter col;
        for (uint32_t r : t.rows) col.Add(row_vars[r][slot]);
        col.Finish(&out.strings);
        ++slot;
      }
    }
  }
  return out;
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
