#include "storage/logs/template_codec.h"

#include <charconv>
#include <unordered_map>

#include "base/coding.h"
#include "storage/logs/log_tokens.h"
#include "storage/part/encoding/decoder.h"
#include "storage/part/encoding/string_column.h"

namespace periscope::logs {

namespace {

constexpr char kLiteral = '\x10';  // template is the text itself, no variables
constexpr char kIntVar = '\x11';
constexpr char kStrVar = '\x12';
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

Status DecodeTemplates(std::string_view templates, std::string_view ints, std::string_view strings,
                       size_t n, std::vector<std::string>* out) {
  part::Decoder t(templates);
  const size_t count = t.Count(1);
  std::vector<std::string_view> texts(count);
  for (auto& s : texts) s = t.LengthPrefixed();
  std::vector<uint32_t> codes(n);
  std::vector<uint32_t> rows_of(count, 0);
  for (auto& c : codes) {
    c = t.Varint32();
    if (c >= count) t.Fail();
    if (!t.ok()) return Status::Corruption("template codes are malformed");
    ++rows_of[c];
  }
  if (!t.ok()) return Status::Corruption("template dictionary is malformed");
  // vars[template][slot][k]: the k-th row of that template's value in that slot.
  std::vector<std::vector<std::vector<std::string>>> vars(count);
  part::Decoder in(ints), st(strings);
  for (size_t id = 0; id < count; ++id) {
    std::string_view tx = texts[id];
    if (!tx.empty() && tx[0] == kLiteral) continue;
    for (char c : tx) {
      if (c == kIntVar) {
        auto& col = vars[id].emplace_back();
        col.reserve(rows_of[id]);
        uint64_t prev = 0;
        for (uint32_t k = 0; k < rows_of[id]; ++k) {
          prev += static_cast<uint64_t>(in.Signed());
          col.push_back(std::to_string(prev));
        }
        if (!in.ok()) return Status::Corruption("template integer column is malformed");
      } else if (c == kStrVar) {
        std::vector<std::string_view> views;
        RETURN_IF_ERROR(part::DecodeStringColumn(&st, rows_of[id], &views));
        auto& col = vars[id].emplace_back();
        col.assign(views.begin(), views.end());
      }
    }
  }
  out->clear();
  out->reserve(n);
  std::vector<uint32_t> seen(count, 0);
  for (uint32_t c : codes) {
    std::string_view tx = texts[c];
    const uint32_t k = seen[c]++;
    if (!tx.empty() && tx[0] == kLiteral) {
      out->emplace_back(tx.substr(1));
      continue;
    }
    std::string& s = out->emplace_back();
    s.reserve(tx.size() + 16);
    size_t slot = 0;
    for (char ch : tx) {
      if (ch == kIntVar || ch == kStrVar) {
        s += vars[c][slot++][k];
      } else {
        s.push_back(ch);
      }
    }
  }
  return Status::Ok();
}

}  // namespace periscope::logs
