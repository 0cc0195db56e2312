#include "crypto/aead.hpp"

#include <sodium.h>

#include <cstring>
#include <stdexcept>

#include "crypto/random.hpp"

namespace signalnode::crypto {
namespace {
constexpr std::size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;
static_assert(kAeadKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
}  // namespace

AeadKey generate_aead_key() {
  AeadKey key;
  crypto_aead_xchacha20poly1305_ietf_keygen(key.data());
  return key;
}

AeadKey aead_key_from(ByteView raw) {
  if (raw.size() != kAeadKeyBytes) throw std::invalid_argument("data key must be 32 bytes");
  AeadKey key;
  std::memcpy(key.data(), raw.data(), kAeadKeyBytes);
  return key;
}

Bytes seal(const AeadKey& key, ByteView plaintext, ByteView associated_data) {
  Bytes out(kNonce + plaintext.size() + kTag);
  fill_random({out.data(), kNonce});
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + kNonce, &written, plaintext.data(),
                                             plaintext.size(), associated_data.data(),
                                             associated_data.size(), nullptr, out.data(), key.data());
  out.resize(kNonce + written);
  return out;
}

std::optional<SecretBytes> open(const AeadKey& key, ByteView sealed, ByteView associated_data) {
  if (sealed.size() < kNonce + kTag) return std::nullopt;
  Bytes plain(sealed.size() - kNonce - kTag);
  unsigned long long written = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain.data(), &written, nullptr,
                                                 sealed.data() + kNonce, sealed.size() - kNonce,
                                                 associated_data.data(), associated_data.size(),
                                                 sealed.data(), key.data()) != 0) {
    return std::nullopt;
  }
  plain.resize(written);
  return SecretBytes(std::move(plain));
}

}  // namespace signalnode::crypto
