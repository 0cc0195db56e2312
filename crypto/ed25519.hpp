// Node signing identity: Ed25519 (libsodium). Records, receipts and audit tree
// heads are signed with it; its public key is pinned in the manifest.
#pragma once

#include "crypto/bytes.hpp"

namespace signalnode::crypto {

using PublicKey = std::array<std::uint8_t, 32>;
using Signature = std::array<std::uint8_t, 64>;

class SigningKey {
 public:
  static SigningKey generate();
  // From libsodium's 64-byte secret key (seed || public key); throws otherwise.
  static SigningKey from_secret(ByteView secret);

  const PublicKey& public_key() const { return public_key_; }
  Signature sign(ByteView message) const;
  ByteView secret() const { return secret_.view(); }

 private:
  SecretArray<64> secret_;
  PublicKey public_key_{};
};

[[nodiscard]] bool verify(const PublicKey& key, ByteView message, const Signature& signature);

}  // namespace signalnode::crypto
