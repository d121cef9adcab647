#include "storage/logs/token_hash_set.h"

#include <algorithm>

#include "storage/logs/log_tokens.h"

namespace periscope::logs {

namespace {
constexpr size_t kInitialSlots = 1024;
}  // namespace

TokenHashSet::TokenHashSet() : slots_(kInitialSlots, 0) {}

void TokenHashSet::Insert(uint64_t hash) {
  if (hash == 0) {
    if (!has_zero_) values_.push_back(0);
    has_zero_ = true;
    return;
  }
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    if (slots_[i] == hash) return;
    if (slots_[i] == 0) {
      slots_[i] = hash;
      values_.push_back(hash);
      if (values_.size() * 2 > slots_.size()) Grow();
      return;
    }
  }
}

void TokenHashSet::Grow() {
  std::vector<uint64_t> bigger(slots_.size() * 2, 0);
  const size_t mask = bigger.size() - 1;
  for (uint64_t h : slots_) {
    if (h == 0) continue;
    size_t i = h & mask;
    while (bigger[i] != 0) i = (i + 1) & mask;
    bigger[i] = h;
  }
  slots_.swap(bigger);
}

void TokenHashSet::InsertToken(std::string_view token) {
  bool upper = false;
  for (char c : token) upper |= c >= 'A' && c <= 'Z';
  if (!upper) {
    Insert(TokenHash(token));
    return;
  }
  lower_.assign(token);
  for (auto& c : lower_) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  Insert(TokenHash(lower_));
}

void TokenHashSet::InsertTokens(std::string_view text, bool numeric_tokens) {
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !IsTokenByte(static_cast<unsigned char>(text[i]))) ++i;
    size_t j = i;
    bool all_digits = true;
    while (j < text.size() && IsTokenByte(static_cast<unsigned char>(text[j]))) {
      all_digits &= text[j] >= '0' && text[j] <= '9';
      ++j;
    }
    if (j > i && (numeric_tokens || !all_digits)) InsertToken(text.substr(i, j - i));
    i = j;
  }
}

std::vector<uint64_t> TokenHashSet::Take() {
  std::vector<uint64_t> out;
  out.swap(values_);
  values_.reserve(out.size());
  std::fill(slots_.begin(), slots_.end(), 0);
  has_zero_ = false;
  return out;
}

}  // namespace periscope::logs
