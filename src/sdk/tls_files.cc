#include "sdk/tls_files.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace periscope::trace::internal {
namespace {

bool ReadFile(const std::string& what, const std::string& path, std::string* out,
              std::string* error) {
  if (path.empty()) return true;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot read the " + what + " file " + path + ": " + std::strerror(errno);
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  *out = std::move(text).str();
  if (out->empty()) {
    *error = "the " + what + " file " + path + " is empty";
    return false;
  }
  return true;
}

}  // namespace

std::optional<TlsPem> ReadTlsFiles(const OtlpTlsOptions& options, std::string* error) {
  if (options.client_certificate_file.empty() != options.client_key_file.empty()) {
    *error = "TLS client certificate and client key must be given together";
    return std::nullopt;
  }
  TlsPem pem;
  if (!ReadFile("CA certificate", options.ca_file, &pem.ca, error) ||
      !ReadFile("client certificate", options.client_certificate_file, &pem.client_certificate,
                error) ||
      !ReadFile("client key", options.client_key_file, &pem.client_key, error)) {
    return std::nullopt;
  }
  return pem;
}

}  // namespace periscope::trace::internal
