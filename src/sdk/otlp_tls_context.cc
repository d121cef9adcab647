#include "sdk/otlp_tls_context.h"

#include <openssl/x509v3.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>

namespace periscope::trace::internal {

namespace ssl = boost::asio::ssl;

std::unique_ptr<ssl::context> MakeTlsClientContext(const TlsPem& pem, std::string* error) {
  auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  context->set_verify_mode(ssl::verify_peer);
  boost::system::error_code ec;
  if (pem.ca.empty()) {
    context->set_default_verify_paths(ec);
    if (ec) *error = "cannot load the system's trusted CA certificates: " + ec.message();
  } else {
    context->add_certificate_authority(boost::asio::buffer(pem.ca), ec);
    if (ec) *error = "cannot load the CA certificate file: " + ec.message();
  }
  if (!ec && !pem.client_certificate.empty()) {
    context->use_certificate_chain(boost::asio::buffer(pem.client_certificate), ec);
    if (ec) *error = "cannot load the client certificate file: " + ec.message();
  }
  if (!ec && !pem.client_key.empty()) {
    context->use_private_key(boost::asio::buffer(pem.client_key), ssl::context::pem, ec);
    if (ec) *error = "cannot load the client key file: " + ec.message();
    if (!ec && SSL_CTX_check_private_key(context->native_handle()) != 1) {
      *error = "the client key does not match the client certificate";
      return nullptr;
    }
  }
  if (ec) return nullptr;
  return context;
}

bool PrepareTlsConnection(SSL* ssl, const std::string& host, std::string* error) {
  boost::system::error_code not_an_address;
  boost::asio::ip::make_address(host, not_an_address);
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  bool ok;
  if (not_an_address) {
    ok = SSL_set_tlsext_host_name(ssl, host.c_str()) == 1 &&
         X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size()) == 1;
  } else {
    ok = X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1;
  }
  if (!ok) *error = "cannot set the TLS server name " + host;
  return ok;
}

bool IsPermanentTlsError(const boost::system::error_code& ec) {
  return ec.category() == boost::asio::error::get_ssl_category();
}

std::string DescribeTlsError(const boost::system::error_code& ec, const SSL* ssl) {
  std::string message = ec.message();
  long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) {
    message += ": ";
    message += X509_verify_cert_error_string(verify);
  }
  return message;
}

}  // namespace periscope::trace::internal
