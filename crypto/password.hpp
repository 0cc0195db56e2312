// Password hashing for the web interface's accounts: argon2id from libsodium
// (crypto_pwhash_str), at its interactive limits (64 MiB, 2 passes), so a
// stolen database costs an attacker that much per guess while a login stays
// around 0.1 s. The string holds algorithm, parameters and salt.
#pragma once

#include <string>
#include <string_view>

namespace signalnode::crypto {

std::string hash_password(std::string_view password);
[[nodiscard]] bool verify_password(const std::string& hash, std::string_view password);

}  // namespace signalnode::crypto
