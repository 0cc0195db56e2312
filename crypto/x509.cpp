#include "crypto/x509.hpp"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <ctime>

#include "crypto/openssl_handles.hpp"

namespace signalnode::crypto {
namespace {

void add_name_entry(X509_NAME* name, const char* field, const std::string& value) {
  if (value.empty()) return;
  if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1, 0) != 1) {
    ossl::fail(std::string("cannot set subject ") + field);
  }
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, decltype(&X509_EXTENSION_free)> ext(
      X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()), &X509_EXTENSION_free);
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) ossl::fail("cannot add extension " + value);
}

std::string subject_alt_names(const CertificateSpec& spec) {
  std::string out;
  for (const auto& dns : spec.dns_names) out += (out.empty() ? "DNS:" : ",DNS:") + dns;
  for (const auto& ip : spec.ip_addresses) out += (out.empty() ? "IP:" : ",IP:") + ip;
  return out;
}

void set_random_serial(X509* cert) {
  ossl::Bignum bn(BN_new());
  if (!bn || BN_rand(bn.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert))) {
    ossl::fail("cannot set certificate serial");
  }
}

}  // namespace

IssuedCertificate issue_certificate(const CertificateSpec& spec, std::string_view issuer_cert_pem,
                                    std::string_view issuer_key_pem) {
  ossl::Pkey key(EVP_EC_gen("P-256"));
  if (!key) ossl::fail("cannot generate P-256 key");

  ossl::Cert cert(X509_new());
  if (!cert) ossl::fail("X509_new");
  X509_set_version(cert.get(), 2);
  set_random_serial(cert.get());
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -300);  // tolerate small clock skew
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(spec.valid_days) * 86400L);
  if (X509_set_pubkey(cert.get(), key.get()) != 1) ossl::fail("X509_set_pubkey");

  X509_NAME* subject = X509_get_subject_name(cert.get());
  add_name_entry(subject, "O", spec.organisation);
  add_name_entry(subject, "serialNumber", spec.oin);
  add_name_entry(subject, "CN", spec.common_name);

  ossl::Cert issuer_cert;
  ossl::Pkey issuer_key;
  X509* issuer = cert.get();
  EVP_PKEY* signing_key = key.get();
  if (!issuer_cert_pem.empty()) {
    issuer_cert = ossl::parse_certificate(issuer_cert_pem);
    issuer_key = ossl::parse_private_key(issuer_key_pem);
    issuer = issuer_cert.get();
    signing_key = issuer_key.get();
  }
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer)) != 1) ossl::fail("issuer name");

  add_extension(cert.get(), issuer, NID_subject_key_identifier, "hash");
  add_extension(cert.get(), issuer, NID_authority_key_identifier, "keyid:always");
  if (spec.is_ca) {
    add_extension(cert.get(), issuer, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
    add_extension(cert.get(), issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(cert.get(), issuer, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert.get(), issuer, NID_key_usage, "critical,digitalSignature");
    add_extension(cert.get(), issuer, NID_ext_key_usage, "serverAuth,clientAuth");
  }
  if (auto san = subject_alt_names(spec); !san.empty()) {
    add_extension(cert.get(), issuer, NID_subject_alt_name, san);
  }
  if (X509_sign(cert.get(), signing_key, EVP_sha256()) == 0) ossl::fail("cannot sign certificate");

  ossl::Bio cert_out(BIO_new(BIO_s_mem()));
  ossl::Bio key_out(BIO_new(BIO_s_mem()));
  if (!cert_out || !key_out || PEM_write_bio_X509(cert_out.get(), cert.get()) != 1 ||
      PEM_write_bio_PrivateKey(key_out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    ossl::fail("cannot write PEM");
  }
  std::string key_pem = ossl::bio_contents(key_out.get());
  IssuedCertificate issued{ossl::bio_contents(cert_out.get()),
                           SecretBytes(Bytes(key_pem.begin(), key_pem.end()))};
  wipe(key_pem.data(), key_pem.size());
  return issued;
}

Digest256 certificate_fingerprint(std::string_view certificate_pem) {
  ossl::Cert cert = ossl::parse_certificate(certificate_pem);
  Digest256 out{};
  unsigned int len = 0;
  if (X509_digest(cert.get(), EVP_sha256(), out.data(), &len) != 1) ossl::fail("X509_digest");
  return out;
}

Digest256 public_key_fingerprint(std::string_view certificate_pem) {
  ossl::Cert cert = ossl::parse_certificate(certificate_pem);
  Digest256 out{};
  unsigned int len = 0;
  if (X509_pubkey_digest(cert.get(), EVP_sha256(), out.data(), &len) != 1) ossl::fail("X509_pubkey_digest");
  return out;
}

namespace {
std::string subject_serial_of(X509* cert) {
  X509_NAME* subject = X509_get_subject_name(cert);
  int idx = X509_NAME_get_index_by_NID(subject, NID_serialNumber, -1);
  if (idx < 0) return {};
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, idx));
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                     static_cast<std::size_t>(ASN1_STRING_length(data)));
}

CertificateIdentity identity_of(X509* cert) {
  CertificateIdentity id;
  unsigned int len = 0;
  if (X509_digest(cert, EVP_sha256(), id.certificate_sha256.data(), &len) != 1 ||
      X509_pubkey_digest(cert, EVP_sha256(), id.public_key_sha256.data(), &len) != 1) {
    ossl::fail("certificate digest");
  }
  id.subject_serial = subject_serial_of(cert);
  return id;
}
}  // namespace

std::string certificate_subject_serial(std::string_view certificate_pem) {
  ossl::Cert cert = ossl::parse_certificate(certificate_pem);
  return subject_serial_of(cert.get());
}

CertificateIdentity certificate_identity(std::string_view certificate_pem) {
  ossl::Cert cert = ossl::parse_certificate(certificate_pem);
  return identity_of(cert.get());
}

CertificateIdentity certificate_identity_der(ByteView der) {
  const unsigned char* p = der.data();
  ossl::Cert cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) ossl::fail("cannot parse DER certificate");
  return identity_of(cert.get());
}

std::int64_t certificate_not_after(std::string_view certificate_pem) {
  ossl::Cert cert = ossl::parse_certificate(certificate_pem);
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert.get()), &tm) != 1) ossl::fail("cannot read the certificate's end date");
  return static_cast<std::int64_t>(timegm(&tm));
}

}  // namespace signalnode::crypto
