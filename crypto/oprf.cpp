#include "crypto/oprf.hpp"

#include <sodium.h>

#include <cstring>
#include <stdexcept>

namespace signalnode::crypto::oprf {

namespace {

constexpr std::string_view kSuite = "ristretto255-SHA512";
constexpr std::size_t kHashBytes = crypto_hash_sha512_BYTES;  // 64
constexpr std::size_t kBlockBytes = 128;                     // SHA-512 input block

static_assert(kElementBytes == crypto_core_ristretto255_BYTES);
static_assert(kScalarBytes == crypto_core_ristretto255_SCALARBYTES);
static_assert(kHashBytes == crypto_core_ristretto255_HASHBYTES);

void append(Bytes& out, ByteView data) { out.insert(out.end(), data.begin(), data.end()); }
void append(Bytes& out, std::string_view text) { append(out, as_bytes(text)); }
void append_u16(Bytes& out, std::size_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v & 0xff));
}

bool is_zero(ByteView bytes) { return sodium_is_zero(bytes.data(), bytes.size()) == 1; }

Bytes dst_with(std::string_view prefix, ByteView context) {
  Bytes dst;
  append(dst, prefix);
  append(dst, context);
  return dst;
}

Bytes dst_with(std::string_view prefix) { return dst_with(prefix, context_string()); }

std::optional<Element> hash_to_group_dst(ByteView input, ByteView dst) {
  Bytes uniform = expand_message_xmd_sha512(input, dst, kHashBytes);
  Element e{};
  crypto_core_ristretto255_from_hash(e.data(), uniform.data());
  wipe(uniform.data(), uniform.size());
  if (is_zero(e)) return std::nullopt;
  return e;
}

}  // namespace

Bytes context_string() { return context_string(kModeOprf); }

Bytes context_string(std::uint8_t mode) {
  Bytes out;
  append(out, std::string_view("OPRFV1-"));
  out.push_back(mode);
  out.push_back('-');
  append(out, kSuite);
  return out;
}

Bytes expand_message_xmd_sha512(ByteView message, ByteView dst, std::size_t length) {
  std::size_t ell = (length + kHashBytes - 1) / kHashBytes;
  if (ell == 0 || ell > 255 || length > 65535 || dst.size() > 255) {
    throw std::invalid_argument("expand_message_xmd: length or DST out of range");
  }
  Bytes dst_prime(dst.begin(), dst.end());
  dst_prime.push_back(static_cast<std::uint8_t>(dst.size()));

  // b_0 = H(Z_pad || msg || I2OSP(len, 2) || I2OSP(0, 1) || DST_prime)
  std::array<std::uint8_t, kHashBytes> b0{};
  std::array<std::uint8_t, kBlockBytes> z_pad{};
  std::array<std::uint8_t, 3> lib_str = {static_cast<std::uint8_t>(length >> 8),
                                         static_cast<std::uint8_t>(length & 0xff), 0};
  crypto_hash_sha512_state st;
  crypto_hash_sha512_init(&st);
  crypto_hash_sha512_update(&st, z_pad.data(), z_pad.size());
  crypto_hash_sha512_update(&st, message.data(), message.size());
  crypto_hash_sha512_update(&st, lib_str.data(), lib_str.size());
  crypto_hash_sha512_update(&st, dst_prime.data(), dst_prime.size());
  crypto_hash_sha512_final(&st, b0.data());

  Bytes out;
  out.reserve(ell * kHashBytes);
  std::array<std::uint8_t, kHashBytes> bi{};
  for (std::size_t i = 1; i <= ell; ++i) {
    // b_i = H(strxor(b_0, b_(i-1)) || I2OSP(i, 1) || DST_prime), with b_0 alone for i = 1
    std::array<std::uint8_t, kHashBytes> chain{};
    for (std::size_t j = 0; j < kHashBytes; ++j) chain[j] = i == 1 ? b0[j] : static_cast<std::uint8_t>(b0[j] ^ bi[j]);
    std::uint8_t counter = static_cast<std::uint8_t>(i);
    crypto_hash_sha512_init(&st);
    crypto_hash_sha512_update(&st, chain.data(), chain.size());
    crypto_hash_sha512_update(&st, &counter, 1);
    crypto_hash_sha512_update(&st, dst_prime.data(), dst_prime.size());
    crypto_hash_sha512_final(&st, bi.data());
    out.insert(out.end(), bi.begin(), bi.end());
  }
  out.resize(length);
  sodium_memzero(&st, sizeof st);
  return out;
}

std::optional<Element> hash_to_group(ByteView input) {
  static const Bytes dst = dst_with("HashToGroup-");
  return hash_to_group_dst(input, dst);
}

std::optional<Element> hash_to_group(ByteView input, ByteView context) {
  return hash_to_group_dst(input, dst_with("HashToGroup-", context));
}

Scalar hash_to_scalar(ByteView input, ByteView dst) {
  Bytes uniform = expand_message_xmd_sha512(input, dst, kHashBytes);
  Scalar s;
  crypto_core_ristretto255_scalar_reduce(s.data(), uniform.data());
  wipe(uniform.data(), uniform.size());
  return s;
}

bool is_valid_element(const Element& element) {
  return !is_zero(element) && crypto_core_ristretto255_is_valid_point(element.data()) == 1;
}

KeyPair generate_key_pair() {
  KeyPair kp;
  do {
    crypto_core_ristretto255_scalar_random(kp.secret.data());
  } while (is_zero(kp.secret.view()));
  if (crypto_scalarmult_ristretto255_base(kp.public_key.data(), kp.secret.data()) != 0) {
    throw std::runtime_error("OPRF key generation failed");
  }
  return kp;
}

KeyPair derive_key_pair(ByteView seed, ByteView info) { return derive_key_pair(seed, info, context_string()); }

KeyPair derive_key_pair(ByteView seed, ByteView info, ByteView context) {
  const Bytes dst = dst_with("DeriveKeyPair", context);
  if (info.size() > 65535) throw std::invalid_argument("DeriveKeyPair: info too long");
  Bytes derive_input(seed.begin(), seed.end());
  append_u16(derive_input, info.size());
  append(derive_input, info);
  derive_input.push_back(0);  // the counter byte
  for (int counter = 0; counter <= 255; ++counter) {
    derive_input.back() = static_cast<std::uint8_t>(counter);
    Scalar s = hash_to_scalar(derive_input, dst);
    if (is_zero(s.view())) continue;
    KeyPair kp;
    kp.secret = std::move(s);
    crypto_scalarmult_ristretto255_base(kp.public_key.data(), kp.secret.data());
    wipe(derive_input.data(), derive_input.size());
    return kp;
  }
  wipe(derive_input.data(), derive_input.size());
  throw std::runtime_error("DeriveKeyPair: no valid key found");
}

Scalar scalar_from(ByteView bytes) {
  if (bytes.size() != kScalarBytes) throw std::invalid_argument("OPRF scalar must be 32 bytes");
  // Canonical: reducing the value (zero-extended to 64 bytes) leaves it unchanged.
  std::array<std::uint8_t, 64> wide{};
  std::memcpy(wide.data(), bytes.data(), kScalarBytes);
  Scalar s;
  crypto_core_ristretto255_scalar_reduce(s.data(), wide.data());
  sodium_memzero(wide.data(), wide.size());
  if (sodium_memcmp(s.data(), bytes.data(), kScalarBytes) != 0 || is_zero(s.view())) {
    throw std::invalid_argument("OPRF scalar is not canonical or is zero");
  }
  return s;
}

Scalar random_scalar() {
  Scalar r;
  do {
    crypto_core_ristretto255_scalar_random(r.data());
  } while (is_zero(r.view()));
  return r;
}

std::optional<Blinded> blind_with(ByteView input, const Scalar& blind_scalar) {
  return blind_with(input, blind_scalar, context_string());
}

std::optional<Blinded> blind(ByteView input) { return blind(input, context_string()); }

std::optional<Blinded> blind_with(ByteView input, const Scalar& blind_scalar, ByteView context) {
  auto input_element = hash_to_group(input, context);
  if (!input_element) return std::nullopt;
  Blinded b;
  std::memcpy(b.blind.data(), blind_scalar.data(), kScalarBytes);
  if (crypto_scalarmult_ristretto255(b.blinded_element.data(), b.blind.data(), input_element->data()) != 0) {
    return std::nullopt;
  }
  return b;
}

std::optional<Blinded> blind(ByteView input, ByteView context) { return blind_with(input, random_scalar(), context); }

std::optional<Element> blind_evaluate(const Scalar& secret, const Element& blinded) {
  if (!is_valid_element(blinded)) return std::nullopt;
  Element out{};
  if (crypto_scalarmult_ristretto255(out.data(), secret.data(), blinded.data()) != 0) return std::nullopt;
  return out;
}

BatchEvaluation blind_evaluate_batch(const Scalar& secret, std::span<const Element> blinded) {
  BatchEvaluation result;
  for (std::size_t i = 0; i < blinded.size(); ++i) {
    if (!is_valid_element(blinded[i])) {
      result.invalid_index = i;
      return result;
    }
  }
  result.evaluated.resize(blinded.size());
  for (std::size_t i = 0; i < blinded.size(); ++i) {
    // Valid and non-identity input with a non-zero secret cannot give the
    // identity; a failure here would mean a broken key.
    if (crypto_scalarmult_ristretto255(result.evaluated[i].data(), secret.data(), blinded[i].data()) != 0) {
      throw std::runtime_error("OPRF evaluation failed: invalid key");
    }
  }
  return result;
}

std::optional<Output> finalize(ByteView input, const Scalar& blind_scalar, const Element& evaluated) {
  if (!is_valid_element(evaluated) || input.size() > 65535) return std::nullopt;
  Scalar inverse;
  if (crypto_core_ristretto255_scalar_invert(inverse.data(), blind_scalar.data()) != 0) return std::nullopt;
  Element unblinded{};
  if (crypto_scalarmult_ristretto255(unblinded.data(), inverse.data(), evaluated.data()) != 0) return std::nullopt;

  // Hash(I2OSP(len(input), 2) || input || I2OSP(len(N), 2) || N || "Finalize")
  std::array<std::uint8_t, 2> input_len = {static_cast<std::uint8_t>(input.size() >> 8),
                                           static_cast<std::uint8_t>(input.size() & 0xff)};
  std::array<std::uint8_t, 2> element_len = {0, static_cast<std::uint8_t>(kElementBytes)};
  crypto_hash_sha512_state st;
  crypto_hash_sha512_init(&st);
  crypto_hash_sha512_update(&st, input_len.data(), input_len.size());
  crypto_hash_sha512_update(&st, input.data(), input.size());
  crypto_hash_sha512_update(&st, element_len.data(), element_len.size());
  crypto_hash_sha512_update(&st, unblinded.data(), unblinded.size());
  crypto_hash_sha512_update(&st, reinterpret_cast<const unsigned char*>("Finalize"), 8);
  Output out{};
  crypto_hash_sha512_final(&st, out.data());
  sodium_memzero(&st, sizeof st);
  sodium_memzero(unblinded.data(), unblinded.size());
  return out;
}

std::optional<Output> evaluate(const Scalar& secret, ByteView input) {
  // Blinding with the scalar 1 is the identity map, so this is exactly the PRF.
  Scalar one;
  one.data()[0] = 1;
  auto b = blind_with(input, one);
  if (!b) return std::nullopt;
  auto evaluated = blind_evaluate(secret, b->blinded_element);
  if (!evaluated) return std::nullopt;
  return finalize(input, one, *evaluated);
}

}  // namespace signalnode::crypto::oprf
