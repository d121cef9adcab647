#include "storage/logs/log_tokens.h"

#include <xxhash.h>

namespace periscope::logs {

std::vector<std::string> Tokenize(std::string_view text) {
  std::vector<std::string> out;
  ForEachToken(text, [&](std::string_view t) { out.emplace_back(t); });
  return out;
}

uint64_t TokenHash(std::string_view token) { return XXH3_64bits(token.data(), token.size()); }

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace periscope::logs
