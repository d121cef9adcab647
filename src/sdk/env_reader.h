#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "periscope/trace/common.h"

namespace periscope::trace::internal {

// Reads typed configuration values from an EnvGetter and notes each value it ignores, and why,
// in `warnings` (unless null). An empty variable reads as unset, as the OpenTelemetry spec asks.
// Not synchronised.
class EnvReader {
 public:
  EnvReader(const EnvGetter& env, std::vector<std::string>* warnings)
      : env_(env), warnings_(warnings) {}

  std::optional<std::string> Get(std::string_view name) const;
  // True for "true" in any case; anything else is false, with a warning unless it is "false".
  bool Flag(std::string_view name) const;
  // True or false for "true" or "false" in any case; nullopt when unset, and, with a warning, for
  // anything else.
  std::optional<bool> Boolean(std::string_view name) const;
  // A decimal integer (strtoll syntax, nothing after it) of at least `min`; nullopt, with a
  // warning, for anything else.
  std::optional<int64_t> Integer(std::string_view name, int64_t min) const;
  // The known names in a comma-separated list, trimmed, lowercased and each once. Unknown names
  // are skipped, and so is "none" beside other names, each with a warning. nullopt when the
  // variable is unset or no known name is left: the default then applies.
  std::optional<std::vector<std::string>> NameList(
      std::string_view name, std::initializer_list<std::string_view> known) const;
  // Notes that `value` of the variable `name` was ignored, and why.
  void Warn(std::string_view name, std::string_view value, std::string_view reason) const;
  // The environment read.
  const EnvGetter& getter() const { return env_; }

 private:
  // "true" or "false" in any case; nullopt when unset, and for anything else, noted with the
  // reason `otherwise`.
  std::optional<bool> TrueOrFalse(std::string_view name, std::string_view otherwise) const;

  const EnvGetter& env_;
  std::vector<std::string>* warnings_;
};

std::string AsciiLower(std::string_view s);

}  // namespace periscope::trace::internal
