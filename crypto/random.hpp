// libsodium initialisation and its CSPRNG: the only source of randomness.
#pragma once

#include <span>

#include "crypto/bytes.hpp"

namespace signalnode::crypto {

// Idempotent and thread-safe; throws when libsodium cannot initialise.
void init();

Bytes random_bytes(std::size_t n);
void fill_random(std::span<std::uint8_t> out);
// A random identifier of `bytes` bytes, lower-case hex.
std::string random_hex_id(std::size_t bytes = 16);

}  // namespace signalnode::crypto
