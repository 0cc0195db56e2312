// Password hashing for the web interface's accounts: argon2id from libsodium
// (crypto_pwhash_str), at its interactive limits (64 MiB, 2 passes), so a
// stolen database costs an attacker that much per guess while a login stays
// around 0.1 s. The string holds algorithm, parameters and salt.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/aead.hpp"

namespace signalnode::crypto {

std::string hash_password(std::string_view password);
[[nodiscard]] bool verify_password(const std::string& hash, std::string_view password);

// A key from a passphrase (backups with keys, node/backup): argon2id
// (crypto_pwhash, ALG_ARGON2ID13) over a 16-byte salt. The parameters travel
// with what the key seals; reading them back, callers bound them first.
inline constexpr std::size_t kPassphraseSaltBytes = 16;
struct PassphraseCost {
  std::uint64_t opslimit;
  std::size_t memlimit;  // bytes
};
// libsodium's MODERATE: about 256 MiB and 3 passes, ~1 s here: offline
// files, unlike log-ins, can afford it.
PassphraseCost moderate_passphrase_cost();
// libsodium's INTERACTIVE (64 MiB, 2 passes): tests.
PassphraseCost interactive_passphrase_cost();
// Throws std::invalid_argument on a salt of the wrong size or parameters
// outside libsodium's limits, std::runtime_error when out of memory.
AeadKey key_from_passphrase(ByteView passphrase, ByteView salt, PassphraseCost cost);

}  // namespace signalnode::crypto
