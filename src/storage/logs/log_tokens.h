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

// True for a token made only of decimal digits (times, pids, counters, ids).
inline bool IsAllDigits(std::string_view token) {
  for (char c : token) {
    if (c < '0' || c > '9') return false;
  }
  return !token.empty();
}

// Whether a token is in the token blooms of a format-1 part: all-digit tokens were left out
// there. Format-2 parts put every token in their blooms.
inline bool IsFormat1BloomToken(std::string_view token) { return !IsAllDigits(token); }

// Lower-cased tokens of `text`, in order, duplicates kept.
std::vector<std::string> Tokenize(std::string_view text);

// Hash of a (lower-cased) token as stored in token blooms.
uint64_t TokenHash(std::string_view token);

// ASCII lower-case copy.
std::string AsciiLower(std::string_view s);

}  // namespace periscope::logs
