// Public keys and signature checks for passkeys (and, later, ID tokens), all
// through OpenSSL: keys are built from their raw parts (a COSE or JWK key),
// checked (a point on the curve, an RSA modulus of 2048 to 4096 bits) and kept
// as DER SubjectPublicKeyInfo. No signature code of our own.
#pragma once

#include <optional>

#include "crypto/bytes.hpp"

namespace signalnode::node::auth {

// COSE algorithm numbers (RFC 9053; RFC 8812 for RS256 and PS256).
enum class SignatureAlgorithm : int { es256 = -7, eddsa = -8, ps256 = -37, rs256 = -257 };

std::optional<SignatureAlgorithm> signature_algorithm_from_cose(std::int64_t alg);

// DER SubjectPublicKeyInfo of a P-256 point (x, y of 32 bytes), an Ed25519
// key (32 bytes) or an RSA key (big-endian n and e); nullopt when the parts
// do not make a valid key.
std::optional<crypto::Bytes> p256_public_key(crypto::ByteView x, crypto::ByteView y);
std::optional<crypto::Bytes> ed25519_public_key(crypto::ByteView x);
std::optional<crypto::Bytes> rsa_public_key(crypto::ByteView n, crypto::ByteView e);

// Whether `signature` over `message` verifies under the DER key with `alg`.
// ES256 signatures are DER (ECDSA-Sig-Value), as WebAuthn sends them; a key
// of another type than `alg` needs never verifies (no key confusion).
[[nodiscard]] bool verify_signature(crypto::ByteView spki_der, SignatureAlgorithm alg, crypto::ByteView message,
                                    crypto::ByteView signature);

// A raw r||s ECDSA P-256 signature (64 bytes, as JOSE writes it) as DER.
std::optional<crypto::Bytes> ecdsa_raw_to_der(crypto::ByteView raw);

}  // namespace signalnode::node::auth
