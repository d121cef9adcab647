#include "process.h"

#include <boost/asio/signal_set.hpp>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

namespace shop {

namespace rpc = periscope::rpc;

rpc::Result<Flags> Flags::Parse(int argc, char** argv, int first) {
  Flags flags;
  for (int i = first; i < argc; i += 2) {
    std::string name = argv[i];
    if (name.size() < 3 || name.rfind("--", 0) != 0) {
      return rpc::InvalidArgumentError("expected --flag, got '" + name + "'");
    }
    if (i + 1 >= argc) return rpc::InvalidArgumentError("flag " + name + " has no value");
    flags.values_[name.substr(2)] = argv[i + 1];
  }
  return flags;
}

std::string Flags::Get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

rpc::Result<uint16_t> Flags::Port(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return rpc::InvalidArgumentError("missing flag --" + name);
  const std::string& text = it->second;
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535) {
    return rpc::InvalidArgumentError("--" + name + " is not a port: '" + text + "'");
  }
  return static_cast<uint16_t>(value);
}

rpc::Status WritePortFile(const std::string& path, uint16_t port) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << "\n";
    out.close();
    if (!out) return rpc::UnavailableError("cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return rpc::UnavailableError("cannot rename " + tmp + ": " + ec.message());
  return rpc::Status::Ok();
}

void StopOnSignal(boost::asio::io_context& io, std::function<void()> on_stop) {
  auto signals = std::make_shared<boost::asio::signal_set>(io, SIGINT, SIGTERM);
  signals->async_wait(
      [signals, on_stop = std::move(on_stop)](const boost::system::error_code& ec, int) {
        if (!ec) on_stop();
      });
}

}  // namespace shop
