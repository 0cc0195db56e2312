#include "crypto/openssl_handles.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>

namespace signalnode::crypto::ossl {

void fail(std::string_view what) {
  unsigned long code = ERR_get_error();
  char reason[256] = "unknown reason";
  if (code != 0) ERR_error_string_n(code, reason, sizeof reason);
  ERR_clear_error();
  throw std::runtime_error(std::string(what) + ": " + reason);
}

Bio memory_bio(std::string_view content) {
  Bio bio(BIO_new_mem_buf(content.data(), static_cast<int>(content.size())));
  if (!bio) fail("BIO_new_mem_buf");
  return bio;
}

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(len));
}

Cert parse_certificate(std::string_view pem) {
  Bio bio = memory_bio(pem);
  Cert cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) fail("cannot parse certificate");
  return cert;
}

Pkey parse_private_key(std::string_view pem) {
  Bio bio = memory_bio(pem);
  Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) fail("cannot parse private key");
  return key;
}

}  // namespace signalnode::crypto::ossl
