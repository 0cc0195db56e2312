// Encryption at rest: XChaCha20-Poly1305 (libsodium IETF construction).
// Sealed form = 24-byte random nonce || ciphertext || 16-byte tag. The
// associated data binds a ciphertext to its row so rows cannot be swapped.
#pragma once

#include <optional>

#include "crypto/bytes.hpp"

namespace signalnode::crypto {

inline constexpr std::size_t kAeadKeyBytes = 32;
using AeadKey = SecretArray<kAeadKeyBytes>;

AeadKey generate_aead_key();
AeadKey aead_key_from(ByteView raw);  // throws unless raw is 32 bytes

Bytes seal(const AeadKey& key, ByteView plaintext, ByteView associated_data);
// nullopt when the ciphertext, tag or associated data does not verify.
std::optional<SecretBytes> open(const AeadKey& key, ByteView sealed, ByteView associated_data);

}  // namespace signalnode::crypto
