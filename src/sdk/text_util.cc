#include "sdk/text_util.h"

namespace periscope::trace::internal {

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

namespace {
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<std::string> PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi << 4 | lo));
    i += 2;
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> ParseKeyValueList(std::string_view s) {
  std::vector<std::pair<std::string, std::string>> out;
  for (std::string_view item : Split(s, ',')) {
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = TrimOws(item.substr(0, eq));
    std::optional<std::string> value = PercentDecode(TrimOws(item.substr(eq + 1)));
    if (key.empty() || !value) continue;
    out.emplace_back(std::string(key), std::move(*value));
  }
  return out;
}

}  // namespace periscope::trace::internal
