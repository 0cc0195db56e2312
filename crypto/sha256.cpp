#include "crypto/sha256.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace signalnode::crypto {

struct Sha256::Ctx {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
};

namespace {
void check(int ok) {
  if (ok != 1) throw std::runtime_error("OpenSSL SHA-256 failed");
}

// Fetched once: EVP_sha256() makes OpenSSL 3 look the algorithm up on every
// init, which dominated hashing a million audit leaves.
const EVP_MD* md() {
  static const std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> fetched(EVP_MD_fetch(nullptr, "SHA256", nullptr),
                                                                      &EVP_MD_free);
  if (!fetched) throw std::runtime_error("OpenSSL has no SHA-256");
  return fetched.get();
}
}  // namespace

Digest256 sha256(ByteView data) {
  Digest256 out{};
  unsigned int len = 0;
  check(EVP_Digest(data.data(), data.size(), out.data(), &len, md(), nullptr));
  return out;
}

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) {
  if (!ctx_->md) throw std::runtime_error("OpenSSL: out of memory");
  check(EVP_DigestInit_ex(ctx_->md.get(), md(), nullptr));
}

Sha256::~Sha256() = default;

Sha256& Sha256::update(ByteView data) {
  check(EVP_DigestUpdate(ctx_->md.get(), data.data(), data.size()));
  return *this;
}

Digest256 Sha256::finish() {
  Digest256 out{};
  unsigned int len = 0;
  check(EVP_DigestFinal_ex(ctx_->md.get(), out.data(), &len));
  check(EVP_DigestInit_ex(ctx_->md.get(), md(), nullptr));
  return out;
}

}  // namespace signalnode::crypto
