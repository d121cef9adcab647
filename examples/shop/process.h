#pragma once

// Process plumbing shared by the shop roles: flags, port files and shutdown on SIGINT/SIGTERM.

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "periscope/rpc/status.h"

namespace shop {

// `--name value` pairs of the command line after the role. A plain value type.
class Flags {
 public:
  // INVALID_ARGUMENT for a token that is not `--name` or a flag without a value.
  static periscope::rpc::Result<Flags> Parse(int argc, char** argv, int first);

  std::string Get(const std::string& name, const std::string& fallback = "") const;
  // INVALID_ARGUMENT when the flag is missing or not a port number (1..65535).
  periscope::rpc::Result<uint16_t> Port(const std::string& name) const;

 private:
  std::map<std::string, std::string> values_;
};

// Writes `port` followed by a newline to path atomically (a temporary file, then rename), so a
// reader never sees a partial file. UNAVAILABLE when the file cannot be written.
periscope::rpc::Status WritePortFile(const std::string& path, uint16_t port);

// Calls on_stop once, on the io_context's thread, at the first SIGINT or SIGTERM.
void StopOnSignal(boost::asio::io_context& io, std::function<void()> on_stop);

}  // namespace shop
