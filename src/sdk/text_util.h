#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace periscope::trace::internal {

// Strips leading and trailing spaces and tabs (HTTP optional whitespace).
std::string_view TrimOws(std::string_view s);
// Splits on sep; keeps empty pieces.
std::vector<std::string_view> Split(std::string_view s, char sep);
// Decodes %XX escapes; nullopt on a malformed escape.
std::optional<std::string> PercentDecode(std::string_view s);
// Parses "k1=v1,k2=v2" (OTEL_RESOURCE_ATTRIBUTES, OTEL_EXPORTER_OTLP_HEADERS): trims OWS,
// percent-decodes values, skips malformed pairs.
std::vector<std::pair<std::string, std::string>> ParseKeyValueList(std::string_view s);

}  // namespace periscope::trace::internal
