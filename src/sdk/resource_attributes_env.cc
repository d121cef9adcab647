#include "sdk/resource_attributes_env.h"

#include "sdk/text_util.h"

namespace periscope::trace::internal {

std::optional<std::vector<std::pair<std::string, std::string>>> ParseResourceAttributes(
    std::string_view value, std::string* error) {
  std::vector<std::pair<std::string, std::string>> attributes;
  std::string bad;
  auto note_bad = [&](std::string_view entry, std::string_view why) {
    bad += bad.empty() ? "bad entry \"" : ", bad entry \"";
    bad += entry;
    bad += "\" (";
    bad += why;
    bad += ')';
  };
  for (std::string_view raw : Split(value, ',')) {
    const std::string_view entry = TrimOws(raw);
    if (entry.empty()) continue;
    const size_t eq = entry.find('=');
    if (eq == std::string_view::npos) {
      note_bad(entry, "no '='");
      continue;
    }
    const std::string_view key = TrimOws(entry.substr(0, eq));
    if (key.empty()) {
      note_bad(entry, "empty key");
      continue;
    }
    std::optional<std::string> decoded = PercentDecode(TrimOws(entry.substr(eq + 1)));
    if (!decoded) {
      note_bad(entry, "bad percent-encoding");
      continue;
    }
    attributes.emplace_back(std::string(key), std::move(*decoded));
  }
  if (!bad.empty()) {
    *error = std::move(bad);
    return std::nullopt;
  }
  return attributes;
}

}  // namespace periscope::trace::internal
