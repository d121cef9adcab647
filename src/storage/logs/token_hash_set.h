#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace periscope::logs {

// The distinct token hashes (log_tokens.h TokenHash) of one block, gathered while the block is
// encoded so that the bloom is built from each token once: an open-addressing set that keeps its
// memory from one block to the next. Not thread-safe.
class TokenHashSet {
 public:
  TokenHashSet();
  void Insert(uint64_t hash);
  // Inserts the hash of every lower-cased token of `text`; all-digit tokens only when
  // `numeric_tokens` (format 1 left them out of the blooms).
  void InsertTokens(std::string_view text, bool numeric_tokens);
  // Inserts the hash of one token (bytes of IsTokenByte), lower-casing it first.
  void InsertToken(std::string_view token);
  size_t size() const { return values_.size(); }
  // The distinct hashes inserted since the last Take, in insertion order; empties the set.
  std::vector<uint64_t> Take();

 private:
  void Grow();

  std::vector<uint64_t> slots_;  // 0 marks an empty slot; hash 0 is kept in has_zero_
  std::vector<uint64_t> values_;
  bool has_zero_ = false;
  std::string lower_;  // scratch
};

}  // namespace periscope::logs
