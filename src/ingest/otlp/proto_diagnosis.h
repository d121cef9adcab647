#pragma once

#include <google/protobuf/message.h>

#include <string>
#include <string_view>

namespace periscope {

// Explains why `bytes` does not parse as a message of `prototype`'s type: the path of the
// innermost malformed field (lowerCamelCase names, e.g. "resourceSpans[0].scopeSpans[1].spans[3]")
// and what is wrong there (truncated field, bad tag, invalid UTF-8, ...) with its byte offset.
// Only meant for the error path; cost is a few parses of the broken part.
std::string DescribeProtobufError(const google::protobuf::Message& prototype,
                                  std::string_view bytes);

}  // namespace periscope
