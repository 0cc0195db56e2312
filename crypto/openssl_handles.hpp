// RAII owners for OpenSSL objects. Internal to crypto/ and node/net/.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace signalnode::crypto::ossl {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};

using Pkey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using Bignum = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;

// Throws with OpenSSL's own reason for the most recent failure.
[[noreturn]] void fail(std::string_view what);

Bio memory_bio(std::string_view content);
std::string bio_contents(BIO* bio);
Cert parse_certificate(std::string_view pem);
Pkey parse_private_key(std::string_view pem);

}  // namespace signalnode::crypto::ossl
