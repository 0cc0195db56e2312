// Keyed hashing and key derivation from libsodium (BLAKE2b): lookup keys that
// find equal identifiers in the database without storing them, and subkeys so
// one key file never serves two purposes.
#pragma once

#include "crypto/aead.hpp"
#include "crypto/bytes.hpp"

namespace signalnode::crypto {

using LookupKey = std::array<std::uint8_t, 32>;
using SubKey = SecretArray<32>;

// crypto_kdf_derive_from_key; context is exactly 8 characters.
SubKey derive_subkey(const AeadKey& master, std::uint64_t id, std::string_view context8);
// crypto_generichash (BLAKE2b-256) keyed with `key`.
LookupKey keyed_hash(const SubKey& key, ByteView message);

}  // namespace signalnode::crypto
