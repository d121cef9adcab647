#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace periscope::trace::internal {

// The key/value pairs of an OTEL_RESOURCE_ATTRIBUTES value ("k=v,k2=v2": spaces around keys and
// values trimmed, values percent-decoded, empty entries skipped). nullopt when any entry is
// malformed (no '=', an empty key, a bad percent escape), with *error naming each bad entry: the
// whole value is then to be discarded, as the OpenTelemetry specification asks.
std::optional<std::vector<std::pair<std::string, std::string>>> ParseResourceAttributes(
    std::string_view value, std::string* error);

}  // namespace periscope::trace::internal
