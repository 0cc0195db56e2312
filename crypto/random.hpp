// libsodium initialisation and its CSPRNG: the only source of randomness.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "crypto/bytes.hpp"

namespace signalnode::crypto {

// Idempotent and thread-safe; throws when libsodium cannot initialise.
void init();

Bytes random_bytes(std::size_t n);
void fill_random(std::span<std::uint8_t> out);
// A random identifier of `bytes` bytes, lower-case hex.
std::string random_hex_id(std::size_t bytes = 16);
// A 32-hex-digit identifier that sorts by time: `unix_ms` as 12 hex digits
// (48 bits, big-endian: until the year 10889) followed by 80 random bits.
// Rows keyed by it are appended to their B-tree's last pages instead of
// landing on a random page each (issue 19); two made in the same
// millisecond stay apart by their random part. Same length and alphabet as
// random_hex_id(16).
std::string time_ordered_hex_id(std::int64_t unix_ms);

}  // namespace signalnode::crypto
