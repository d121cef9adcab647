#pragma once

#include <string>
#include <string_view>

namespace periscope {

// Percent-encodes the bytes of a request target that RFC 3986 does not allow unencoded (such as
// `[`, `]`, `{`, `"`, `|`, space, and a `%` not followed by two hex digits), which browsers and
// curl send as they are, e.g. `?query=rate(x[5m])`; valid escapes are kept.
std::string EscapeRequestTarget(std::string_view target);

}  // namespace periscope
