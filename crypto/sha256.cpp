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
}  // namespace

Digest256 sha256(ByteView data) {
  Digest256 out{};
  unsigned int len = 0;
  check(EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr));
  return out;
}

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) {
  if (!ctx_->md) throw std::runtime_error("OpenSSL: out of memory");
  check(EVP_DigestInit_ex(ctx_->md.get(), EVP_sha256(), nullptr));
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
  check(EVP_DigestInit_ex(ctx_->md.get(), EVP_sha256(), nullptr));
  return out;
}

}  // namespace signalnode::crypto
