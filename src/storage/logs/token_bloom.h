#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace periscope::logs {

// Bloom filter over token hashes (see log_tokens.h): 10 bits per distinct token, 7 probes
// (~1% false positives). Encoded as one probe-count byte then the bit array. Building is not
// thread-safe; TokenBloomView is a read-only view over borrowed bytes.
class TokenBloomBuilder {
 public:
  // Builds the filter over `hashes` (duplicates allowed).
  static std::string Build(std::vector<uint64_t> hashes);
};

class TokenBloomView {
 public:
  TokenBloomView() = default;
  explicit TokenBloomView(std::string_view data) : data_(data) {}
  // False when `data` is not a well-formed filter.
  static bool Valid(std::string_view data);
  // Never false for an added hash; true for an invalid (empty) filter.
  bool MayContain(uint64_t hash) const;

 private:
  std::string_view data_;
};

}  // namespace periscope::logs
