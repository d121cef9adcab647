#include "query/logs/log_variable_scan.h"

#include <algorithm>
#include <array>
#include <utility>

#include "storage/part/encoding/decoder.h"
#include "storage/part/encoding/string_column.h"

namespace periscope {

namespace {

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoringCase(std::string_view v, std::string_view lower) {
  if (v.size() != lower.size()) return false;
  for (size_t j = 0; j < v.size(); ++j) {
    if (Lower(v[j]) != lower[j]) return false;
  }
  return true;
}

}  // namespace

bool ContainsIgnoringCase(std::string_view raw, std::string_view piece) {
  if (piece.empty() || piece.size() > raw.size()) return false;
  const size_t m = piece.size();
  if (m >= 4) {
    // Horspool over case-folded bytes: a long piece skips most of the stream.
    std::array<uint8_t, 256> shift;
    const size_t max_shift = std::min<size_t>(m, 255);
    shift.fill(static_cast<uint8_t>(max_shift));
    for (size_t j = m > 255 ? m - 255 : 0; j + 1 < m; ++j) {
      const auto c = static_cast<unsigned char>(piece[j]);
      const auto s = static_cast<uint8_t>(m - 1 - j);
      shift[c] = s;
      if (c >= 'a' && c <= 'z') shift[c - 32] = s;
    }
    const char last = piece[m - 1];
    for (size_t i = 0; i + m <= raw.size();) {
      const char c = raw[i + m - 1];
      if (Lower(c) == last) {
        size_t j = 0;
        while (j + 1 < m && Lower(raw[i + j]) == piece[j]) ++j;
        if (j + 1 == m) return true;
      }
      i += shift[static_cast<unsigned char>(c)];
    }
    return false;
  }
  const char first = piece[0];
  const char first_upper = first >= 'a' && first <= 'z' ? static_cast<char>(first - 32) : first;
  for (size_t i = 0; i + piece.size() <= raw.size(); ++i) {
    if (raw[i] != first && raw[i] != first_upper) continue;
    size_t j = 1;
    while (j < piece.size() && Lower(raw[i + j]) == piece[j]) ++j;
    if (j == piece.size()) return true;
  }
  return false;
}

Status FindVariable(const logs::TemplateTable& templates, std::string_view ints,
                    std::string_view strings, const logs::TemplateTable::VariableNeedle& needle,
                    std::vector<uint8_t>* text_hits) {
  const size_t n = templates.size();
  text_hits->assign(n, 0);
  const bool scan_ints = needle.is_int;
  const bool scan_strings = ContainsIgnoringCase(strings, needle.lower);
  if (!scan_ints && !scan_strings) return Status::Ok();
  std::vector<uint32_t> rows_of(templates.template_count(), 0);
  for (size_t i = 0; i < n; ++i) ++rows_of[templates.code(i)];
  // Each stream holds, template by template and slot by slot, one column per variable of its
  // kind: delta-coded integers, or a string column (the layout TemplateTable::LoadVariables
  // reads).
  std::vector<std::pair<uint32_t, uint32_t>> hits;  // (template, rank of the text in it)
  std::vector<uint8_t> template_hit(templates.template_count(), 0);
  std::vector<std::string_view> values;
  part::Decoder int_in(ints), str_in(strings);
  auto hit = [&](size_t id, size_t k) {
    hits.emplace_back(static_cast<uint32_t>(id), static_cast<uint32_t>(k));
    template_hit[id] = 1;
  };
  for (size_t id = 0; id < templates.template_count(); ++id) {
    const std::string_view text = templates.template_text(id);
    if (!text.empty() && text[0] == logs::kTemplateLiteral) continue;
    for (char c : text) {
      if (c == logs::kTemplateIntVar && scan_ints) {
        uint64_t prev = 0;
        for (size_t k = 0; k < rows_of[id]; ++k) {
          prev += static_cast<uint64_t>(int_in.Signed());
          if (prev == needle.value) hit(id, k);
        }
        if (!int_in.ok()) return Status::Corruption("template integer column is malformed");
      } else if (c == logs::kTemplateStrVar && scan_strings) {
        RETURN_IF_ERROR(part::DecodeStringColumn(&str_in, rows_of[id], &values));
        for (size_t k = 0; k < values.size(); ++k) {
          if (EqualsIgnoringCase(values[k], needle.lower)) hit(id, k);
        }
      }
    }
  }
  if (hits.empty()) return Status::Ok();
  std::sort(hits.begin(), hits.end());
  std::vector<uint32_t> rank(templates.template_count(), 0);
  for (size_t i = 0; i < n; ++i) {
    const uint32_t id = templates.code(i);
    const uint32_t k = rank[id]++;
    if (template_hit[id] && std::binary_search(hits.begin(), hits.end(), std::make_pair(id, k))) {
      (*text_hits)[i] = 1;
    }
  }
  return Status::Ok();
}

}  // namespace periscope
