#pragma once

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>
#include <memory>
#include <string>

#include "sdk/tls_files.h"

namespace periscope::trace::internal {

// The TLS client context of an https:// exporter: TLS 1.2 or later, the peer verified against
// pem.ca (else the system's roots), and pem's client certificate and key for mutual TLS. nullptr
// and *error when a PEM text does not load or the key does not match the certificate.
std::unique_ptr<boost::asio::ssl::context> MakeTlsClientContext(const TlsPem& pem,
                                                                std::string* error);

// Prepares a connection to `host` (a name, or an IPv4/IPv6 address without brackets): sends it
// as SNI when it is a name, and requires the server's certificate to match it. False and *error
// on failure.
bool PrepareTlsConnection(SSL* ssl, const std::string& host, std::string* error);

// Whether `ec` is a TLS failure that retrying will not cure (a certificate, protocol or alert
// error), as opposed to a transport error (a reset, a timeout, a truncated stream).
bool IsPermanentTlsError(const boost::system::error_code& ec);

// ec's message, with the certificate verification result when that is why it failed.
std::string DescribeTlsError(const boost::system::error_code& ec, const SSL* ssl);

}  // namespace periscope::trace::internal
