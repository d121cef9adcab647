#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"

namespace periscope {

// Undoes an HTTP Content-Encoding: "" or "identity" (copied), "gzip" / "x-gzip" (multi-member
// allowed) or "deflate" (zlib-wrapped, or raw deflate). Names are case-insensitive.
// Fails with ResourceExhausted once the output would exceed max_bytes (inflating stops there, so
// no more than max_bytes is ever allocated), InvalidArgument on corrupt or truncated data, and
// Unsupported on any other encoding.
Result<std::string> DecodeContentEncoding(std::string_view encoding, std::string_view body,
                                          size_t max_bytes);

}  // namespace periscope
