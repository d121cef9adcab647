#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace periscope::loadgen {

// True for the tokens VaryLine rewrites: runs of [0-9A-Fa-f] of at least 3 characters with at
// least one digit (numbers, hex ids, the digits of embedded timestamps); runs are maximal runs of
// [0-9A-Za-z], so "blk_-695" has the token "695" and "R02" is left alone.
bool IsVariableToken(std::string_view token);

// Appends `line` to *out with every variable token replaced by another of the same length and
// character classes (digit -> digit, hex letter -> hex letter of the same case; a leading non-zero
// digit stays non-zero). The replacement depends only on the token and `key`, so within one key
// the same id maps to the same new id on every line, as ids repeat in real logs. Deterministic.
void VaryLine(std::string_view line, uint64_t key, std::string* out);

}  // namespace periscope::loadgen
