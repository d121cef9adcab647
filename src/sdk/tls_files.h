#pragma once

#include <optional>
#include <string>

#include "periscope/trace/otlp.h"

namespace periscope::trace::internal {

// The PEM texts named by OtlpTlsOptions; an empty text where no file is named.
struct TlsPem {
  std::string ca;
  std::string client_certificate;
  std::string client_key;
};

// Reads the files of `options`. nullopt and *error when one cannot be read or is empty, or when
// only one of the client certificate and key is given.
std::optional<TlsPem> ReadTlsFiles(const OtlpTlsOptions& options, std::string* error);

}  // namespace periscope::trace::internal
