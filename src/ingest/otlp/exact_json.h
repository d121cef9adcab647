#pragma once

#include <boost/json.hpp>
#include <string_view>

#include "base/status.h"

namespace periscope {

// Parses one JSON document into `out` (allocated from `storage`), like boost::json::parse but
// with doubles read exactly (Boost 1.81 may be off by an ULP) and nesting limited to max_depth.
// InvalidArgument with line, column and byte offset on invalid JSON or trailing data.
Status ParseJsonExact(std::string_view body, boost::json::storage_ptr storage, int max_depth,
                      boost::json::value* out);

}  // namespace periscope
