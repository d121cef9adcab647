#pragma once

#include <charconv>
#include <cstdint>
#include <string_view>
#include <vector>

// Field helpers shared by the DogStatsD metric, event and service-check parsers.
namespace periscope::dogstatsd_fields {

// A whole decimal integer (no sign handling beyond from_chars), false otherwise.
inline bool ParseInt(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

// Next '|'-separated field of `rest`, consuming it.
inline std::string_view NextField(std::string_view& rest) {
  const size_t bar = rest.find('|');
  std::string_view field = rest.substr(0, bar);
  rest.remove_prefix(bar == std::string_view::npos ? rest.size() : bar + 1);
  return field;
}

// Appends the non-empty comma-separated tags of `s` (views or owned strings).
template <typename Tag>
void SplitTags(std::string_view s, std::vector<Tag>* tags) {
  while (!s.empty()) {
    const size_t comma = s.find(',');
    std::string_view tag = s.substr(0, comma);
    s.remove_prefix(comma == std::string_view::npos ? s.size() : comma + 1);
    if (!tag.empty()) tags->emplace_back(tag);
  }
}

}  // namespace periscope::dogstatsd_fields
