#include "loadgen/log_line_varier.h"

#include <xxhash.h>

#include "loadgen/split_mix.h"

namespace periscope::loadgen {
namespace {

bool IsAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

}  // namespace

bool IsVariableToken(std::string_view token) {
  if (token.size() < 3) return false;
  bool digit = false;
  for (char c : token) {
    if (!IsHex(c)) return false;
    digit |= IsDigit(c);
  }
  return digit;
}

void VaryLine(std::string_view line, uint64_t key, std::string* out) {
  size_t i = 0;
  while (i < line.size()) {
    if (!IsAlnum(line[i])) {
      size_t j = i;
      while (j < line.size() && !IsAlnum(line[j])) ++j;
      out->append(line.substr(i, j - i));
      i = j;
      continue;
    }
    size_t j = i;
    while (j < line.size() && IsAlnum(line[j])) ++j;
    std::string_view token = line.substr(i, j - i);
    i = j;
    if (!IsVariableToken(token)) {
      out->append(token);
      continue;
    }
    SplitMix rng(XXH3_64bits_withSeed(token.data(), token.size(), key));
    uint64_t bits = rng.Next();
    int left = 16;  // 4-bit draws left in `bits`
    auto draw = [&](uint64_t n) {
      if (left == 0) {
        bits = rng.Next();
        left = 16;
      }
      --left;
      uint64_t v = bits & 0xf;
      bits >>= 4;
      return v % n;
    };
    for (size_t k = 0; k < token.size(); ++k) {
      char c = token[k];
      if (IsDigit(c)) {
        bool keep_nonzero = k == 0 && c != '0';
        out->push_back(static_cast<char>(keep_nonzero ? '1' + draw(9) : '0' + draw(10)));
      } else if (c >= 'a' && c <= 'f') {
        out->push_back(static_cast<char>('a' + draw(6)));
      } else {
        out->push_back(static_cast<char>('A' + draw(6)));
      }
    }
  }
}

}  // namespace periscope::loadgen
