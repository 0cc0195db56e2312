#include "crypto/ed25519.hpp"

#include <sodium.h>

#include <cstring>
#include <stdexcept>

namespace signalnode::crypto {

SigningKey SigningKey::generate() {
  SigningKey key;
  crypto_sign_ed25519_keypair(key.public_key_.data(), key.secret_.data());
  return key;
}

SigningKey SigningKey::from_secret(ByteView secret) {
  if (secret.size() != crypto_sign_ed25519_SECRETKEYBYTES) {
    throw std::invalid_argument("Ed25519 secret key must be 64 bytes");
  }
  SigningKey key;
  std::memcpy(key.secret_.data(), secret.data(), secret.size());
  crypto_sign_ed25519_sk_to_pk(key.public_key_.data(), key.secret_.data());
  return key;
}

Signature SigningKey::sign(ByteView message) const {
  Signature sig{};
  crypto_sign_ed25519_detached(sig.data(), nullptr, message.data(), message.size(), secret_.data());
  return sig;
}

bool verify(const PublicKey& key, ByteView message, const Signature& signature) {
  return crypto_sign_ed25519_verify_detached(signature.data(), message.data(), message.size(),
                                             key.data()) == 0;
}

}  // namespace signalnode::crypto
