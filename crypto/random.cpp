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

void fill_random(std::span<std::uint8_t> out) {
  if (out.empty()) return;  // an empty span's data() may be null, which libsodium must not get
  randombytes_buf(out.data(), out.size());
}

std::string random_hex_id(std::size_t bytes) { return to_hex(random_bytes(bytes)); }

std::string time_ordered_hex_id(std::int64_t unix_ms) {
  std::uint8_t id[16];
  auto t = static_cast<std::uint64_t>(unix_ms < 0 ? 0 : unix_ms);
  for (int i = 5; i >= 0; --i) {
    id[i] = static_cast<std::uint8_t>(t & 0xff);
    t >>= 8;
  }
  fill_random(std::span<std::uint8_t>(id + 6, 10));
  return to_hex(ByteView(id, sizeof id));
}

}  // namespace signalnode::crypto
