#include "crypto/keyed_hash.hpp"

#include <sodium.h>

#include <stdexcept>

namespace signalnode::crypto {

static_assert(kAeadKeyBytes == crypto_kdf_KEYBYTES);

SubKey derive_subkey(const AeadKey& master, std::uint64_t id, std::string_view context8) {
  if (context8.size() != crypto_kdf_CONTEXTBYTES) throw std::invalid_argument("KDF context must be 8 bytes");
  char ctx[crypto_kdf_CONTEXTBYTES];
  std::copy(context8.begin(), context8.end(), ctx);
  SubKey out;
  if (crypto_kdf_derive_from_key(out.data(), out.size(), id, ctx, master.data()) != 0) {
    throw std::runtime_error("key derivation failed");
  }
  return out;
}

LookupKey keyed_hash(const SubKey& key, ByteView message) {
  LookupKey out{};
  crypto_generichash(out.data(), out.size(), message.data(), message.size(), key.data(), key.size());
  return out;
}

}  // namespace signalnode::crypto
