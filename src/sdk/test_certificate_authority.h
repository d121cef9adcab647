#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace periscope::testing {

// A certificate and its private key, both PEM.
struct IssuedCertificate {
  std::string certificate_pem;
  std::string key_pem;
};

// A throwaway CA made at test time (P-256 keys, valid from an hour ago for a day) that issues
// server and client certificates. Not thread-safe. Throws std::runtime_error when OpenSSL fails.
class TestCertificateAuthority {
 public:
  explicit TestCertificateAuthority(const std::string& common_name)
      : key_(NewKey()), certificate_(X509_new(), &X509_free) {
    Fill(certificate_.get(), common_name, key_.get());
    X509_set_issuer_name(certificate_.get(), X509_get_subject_name(certificate_.get()));
    AddExtensions(certificate_.get(), certificate_.get(),
                  {{NID_basic_constraints, "critical,CA:TRUE"},
                   {NID_key_usage, "critical,keyCertSign,cRLSign"},
                   {NID_subject_key_identifier, "hash"}});
    Sign(certificate_.get());
  }

  std::string certificate_pem() const { return CertificatePem(certificate_.get()); }

  // A certificate for a TLS server known by `subject_alt_names` ("DNS:localhost,IP:127.0.0.1").
  IssuedCertificate IssueServer(const std::string& common_name,
                                const std::string& subject_alt_names) {
    return Issue(common_name,
                 {{NID_subject_alt_name, subject_alt_names}, {NID_ext_key_usage, "serverAuth"}});
  }
  // A certificate for a TLS client.
  IssuedCertificate IssueClient(const std::string& common_name) {
    return Issue(common_name, {{NID_ext_key_usage, "clientAuth"}});
  }

 private:
  using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
  using Certificate = std::unique_ptr<X509, decltype(&X509_free)>;
  struct Extension {
    int nid;
    std::string value;
  };

  static void Check(bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string("OpenSSL: ") + what);
  }

  static Key NewKey() {
    Key key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
    Check(key != nullptr, "EVP_EC_gen");
    return key;
  }

  void Fill(X509* certificate, const std::string& common_name, EVP_PKEY* key) {
    Check(X509_set_version(certificate, 2) == 1, "X509_set_version");
    Check(ASN1_INTEGER_set(X509_get_serialNumber(certificate), next_serial_++) == 1, "serial");
    Check(X509_gmtime_adj(X509_getm_notBefore(certificate), -3600) != nullptr, "notBefore");
    Check(X509_gmtime_adj(X509_getm_notAfter(certificate), 86400) != nullptr, "notAfter");
    Check(X509_set_pubkey(certificate, key) == 1, "X509_set_pubkey");
    Check(X509_NAME_add_entry_by_txt(X509_get_subject_name(certificate), "CN", MBSTRING_ASC,
                                     reinterpret_cast<const unsigned char*>(common_name.c_str()),
                                     -1, -1, 0) == 1,
          "CN");
  }

  static void AddExtensions(X509* issuer, X509* subject, std::initializer_list<Extension> list) {
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, issuer, subject, nullptr, nullptr, 0);
    for (const Extension& e : list) {
      X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, e.nid, e.value.c_str());
      Check(extension != nullptr, "X509V3_EXT_conf_nid");
      int added = X509_add_ext(subject, extension, -1);
      X509_EXTENSION_free(extension);
      Check(added == 1, "X509_add_ext");
    }
  }

  void Sign(X509* certificate) {
    Check(X509_sign(certificate, key_.get(), EVP_sha256()) > 0, "X509_sign");
  }

  IssuedCertificate Issue(const std::string& common_name, std::initializer_list<Extension> list) {
    Key key = NewKey();
    Certificate certificate(X509_new(), &X509_free);
    Fill(certificate.get(), common_name, key.get());
    X509_set_issuer_name(certificate.get(), X509_get_subject_name(certificate_.get()));
    AddExtensions(certificate_.get(), certificate.get(),
                  {{NID_basic_constraints, "critical,CA:FALSE"},
                   {NID_key_usage, "critical,digitalSignature"},
                   {NID_authority_key_identifier, "keyid"}});
    AddExtensions(certificate_.get(), certificate.get(), list);
    Sign(certificate.get());
    return {CertificatePem(certificate.get()), KeyPem(key.get())};
  }

  template <class Write>
  static std::string Pem(Write write) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    Check(bio && write(bio.get()) == 1, "PEM_write");
    char* data = nullptr;
    long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(size));
  }
  static std::string CertificatePem(X509* certificate) {
    return Pem([&](BIO* bio) { return PEM_write_bio_X509(bio, certificate); });
  }
  static std::string KeyPem(EVP_PKEY* key) {
    return Pem([&](BIO* bio) {
      return PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    });
  }

  Key key_;
  Certificate certificate_;
  long next_serial_ = 1;
};

}  // namespace periscope::testing
