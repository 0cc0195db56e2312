#include "crypto/random.hpp"

#include <sodium.h>

#include <stdexcept>

namespace signalnode::crypto {

void init() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

Bytes random_bytes(std::size_t n) {
  Bytes out(n);
  fill_random(out);
  return out;
}

void fill_random(std::span<std::uint8_t> out) { randombytes_buf(out.data(), out.size()); }

std::string random_hex_id(std::size_t bytes) { return to_hex(random_bytes(bytes)); }

}  // namespace signalnode::crypto
