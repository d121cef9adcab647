#include "sdk/env_reader.h"

#include <algorithm>
#include <cstdlib>

#include "sdk/text_util.h"

namespace periscope::trace::internal {

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::optional<std::string> EnvReader::Get(std::string_view name) const {
  std::optional<std::string> value = env_(name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

std::optional<bool> EnvReader::TrueOrFalse(std::string_view name,
                                           std::string_view otherwise) const {
  std::optional<std::string> value = Get(name);
  if (!value) return std::nullopt;
  const std::string lower = AsciiLower(*value);
  if (lower == "true") return true;
  if (lower == "false") return false;
  Warn(name, *value, otherwise);
  return std::nullopt;
}

bool EnvReader::Flag(std::string_view name) const {
  return TrueOrFalse(name, "not true or false, false assumed").value_or(false);
}

std::optional<bool> EnvReader::Boolean(std::string_view name) const {
  return TrueOrFalse(name, "not true or false");
}

std::optional<int64_t> EnvReader::Integer(std::string_view name, int64_t min) const {
  std::optional<std::string> value = Get(name);
  if (!value) return std::nullopt;
  char* end = nullptr;
  const long long n = std::strtoll(value->c_str(), &end, 10);
  if (end == value->c_str() || *end != '\0' || n < min) {
    Warn(name, *value, "not an integer >= " + std::to_string(min));
    return std::nullopt;
  }
  return n;
}

std::optional<std::vector<std::string>> EnvReader::NameList(
    std::string_view name, std::initializer_list<std::string_view> known) const {
  std::optional<std::string> value = Get(name);
  if (!value) return std::nullopt;
  std::vector<std::string> names;
  for (std::string_view item : Split(*value, ',')) {
    std::string lower = AsciiLower(TrimOws(item));
    if (lower.empty() || std::ranges::find(names, lower) != names.end()) continue;
    if (std::ranges::find(known, lower) == known.end()) {
      std::string list;
      for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      Warn(name, lower, "unknown name (known: " + list + ")");
      continue;
    }
    names.push_back(std::move(lower));
  }
  if (names.size() > 1 && std::erase(names, "none") > 0) {
    Warn(name, "none", "not with other names");
  }
  if (names.empty()) {
    Warn(name, *value, "no known name, the default applies");
    return std::nullopt;
  }
  return names;
}

void EnvReader::Warn(std::string_view name, std::string_view value, std::string_view reason) const {
  if (warnings_ == nullptr) return;
  warnings_->push_back(std::string(name) + "=\"" + std::string(value) +
                       "\" ignored: " + std::string(reason));
}

}  // namespace periscope::trace::internal
