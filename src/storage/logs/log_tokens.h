#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace periscope::logs {

// True for the bytes tokens are made of: [A-Za-z0-9_].
inline bool IsTokenByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Calls fn(token) for each maximal run of token bytes in `text`, lower-cased into a scratch
// buffer (the view is valid during the call only).
template <typename Fn>
void ForEachToken(std::string_view text, Fn&& fn) {
  std::string buf;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !IsTokenByte(static_cast<unsigned char>(text[i]))) ++i;
    size_t j = i;
    buf.clear();
    while (j < text.size() && IsTokenByte(static_cast<unsigned char>(text[j]))) {
      char c = text[j];
      buf.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
      ++j;
    }
    if (j > i) fn(std::string_view(buf));
    i = j;
  }
}

// Whether a token goes into token blooms: all-digit tokens (times, pids, counters) are left out,
// as they are most of the distinct tokens and would dominate the filter size.
inline bool IsBloomToken(std::string_view token) {
  for (char c : token) {
    if (c < '0' || c > '9') return true;
  }
  return false;
}

// Lower-cased tokens of `text`, in order, duplicates kept.
std::vector<std::string> Tokenize(std::string_view text);

// Hash of a (lower-cased) token as stored in token blooms.
uint64_t TokenHash(std::string_view token);

// ASCII lower-case copy.
std::string AsciiLower(std::string_view s);

}  // namespace periscope::logs
