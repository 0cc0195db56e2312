// Certificates for TLS listeners and the demo federation CA, through OpenSSL 3.
// Production nodes use PKIoverheid certificates instead; these are for
// self-contained installs, tests and the demo.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crypto/bytes.hpp"
#include "crypto/sha256.hpp"

namespace signalnode::crypto {

struct CertificateSpec {
  std::string common_name;
  std::string organisation;
  std::string oin;  // 20-digit OIN, written to the subject serialNumber; empty for none
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  int valid_days = 365;
  bool is_ca = false;
};

struct IssuedCertificate {
  std::string certificate_pem;
  SecretBytes private_key_pem;
};

// A fresh ECDSA P-256 key and a certificate for it, signed by the issuer, or
// self-signed when issuer_cert_pem is empty.
IssuedCertificate issue_certificate(const CertificateSpec& spec, std::string_view issuer_cert_pem = {},
                                    std::string_view issuer_key_pem = {});

// SHA-256 over the DER certificate and over its DER SubjectPublicKeyInfo: the two
// pin forms a federation manifest may carry.
Digest256 certificate_fingerprint(std::string_view certificate_pem);
Digest256 public_key_fingerprint(std::string_view certificate_pem);

// Subject serialNumber (where PKIoverheid puts the OIN); empty when absent.
std::string certificate_subject_serial(std::string_view certificate_pem);

// What the federation checks of a peer's certificate against the manifest.
struct CertificateIdentity {
  Digest256 certificate_sha256{};
  Digest256 public_key_sha256{};
  std::string subject_serial;
};
CertificateIdentity certificate_identity(std::string_view certificate_pem);
CertificateIdentity certificate_identity_der(ByteView der);

// When the certificate stops being valid, as Unix seconds (the admin hears
// of it 30 days before).
std::int64_t certificate_not_after(std::string_view certificate_pem);

}  // namespace signalnode::crypto
