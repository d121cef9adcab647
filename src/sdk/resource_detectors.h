#pragma once

#include <string>
#include <string_view>

namespace periscope::trace::internal {

// The semantic conventions' host.arch for a uname(2) machine name ("x86_64" -> "amd64"); a
// machine they have no name for is returned as it is.
std::string HostArch(std::string_view machine);

}  // namespace periscope::trace::internal
