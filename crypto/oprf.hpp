// RFC 9497 OPRF, mode 0x00 (OPRF), suite ristretto255-SHA512, composed from
// libsodium's ristretto255 group operations and SHA-512. Pseudonyms are its
// 64-byte Output over the canonical identifier (BRIEF 3.5).
//
// Client: blind(input) -> send blinded_element; receive evaluated element;
//         finalize(input, blind, evaluated) -> Output.
// Server (the pseudonymisation authority): blind_evaluate(sk, blinded).
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "crypto/bytes.hpp"

namespace signalnode::crypto::oprf {

inline constexpr std::size_t kElementBytes = 32;
inline constexpr std::size_t kScalarBytes = 32;
inline constexpr std::size_t kOutputBytes = 64;

using Element = std::array<std::uint8_t, kElementBytes>;
using Output = std::array<std::uint8_t, kOutputBytes>;
using Scalar = SecretArray<kScalarBytes>;  // little-endian, reduced mod L

// RFC 9380 expand_message_xmd with SHA-512. Throws std::invalid_argument for
// lengths the RFC forbids (len > 255*64, DST > 255 bytes).
Bytes expand_message_xmd_sha512(ByteView message, ByteView dst, std::size_t length);

// Mode byte of the context string (RFC 9497 section 3.1).
inline constexpr std::uint8_t kModeOprf = 0x00;
inline constexpr std::uint8_t kModeVoprf = 0x01;

// The suite's context string: "OPRFV1-" || 0x00 || "-ristretto255-SHA512".
Bytes context_string();
// The same for another mode; crypto/voprf uses 0x01. Every DST derives from
// it, so the modes never share a hash-to-group or a key derivation.
Bytes context_string(std::uint8_t mode);

// HashToGroup; nullopt in the (negligible) case the input maps to the identity.
std::optional<Element> hash_to_group(ByteView input);
// HashToGroup under another mode's context string.
std::optional<Element> hash_to_group(ByteView input, ByteView context);
Scalar hash_to_scalar(ByteView input, ByteView dst);

// An element a peer may send: canonical encoding and not the identity.
bool is_valid_element(const Element& element);

struct KeyPair {
  Scalar secret;
  Element public_key{};
};
KeyPair generate_key_pair();
// RFC 9497 section 3.2.1; throws if no key is found within 256 tries.
KeyPair derive_key_pair(ByteView seed, ByteView info);
// DeriveKeyPair under another mode's context string.
KeyPair derive_key_pair(ByteView seed, ByteView info, ByteView context);
// A secret scalar from storage; throws unless 32 bytes, canonical and non-zero.
Scalar scalar_from(ByteView bytes);

struct Blinded {
  Scalar blind;
  Element blinded_element{};
};
// Random blind from libsodium's CSPRNG; nullopt if the input maps to identity.
std::optional<Blinded> blind(ByteView input);
// With a given blind (test vectors only).
std::optional<Blinded> blind_with(ByteView input, const Scalar& blind);
// The same under another mode's context string (VOPRF: crypto/voprf.hpp).
std::optional<Blinded> blind(ByteView input, ByteView context);
std::optional<Blinded> blind_with(ByteView input, const Scalar& blind, ByteView context);
// A non-zero scalar from libsodium's CSPRNG (blinds, proof randomness).
Scalar random_scalar();

// nullopt when the blinded element is invalid (non-canonical or identity).
std::optional<Element> blind_evaluate(const Scalar& secret, const Element& blinded);

// Validates every element before any work, so a bad batch costs nothing and
// reveals nothing: either all evaluated, or the index of the first bad one.
struct BatchEvaluation {
  std::vector<Element> evaluated;
  std::optional<std::size_t> invalid_index;
};
BatchEvaluation blind_evaluate_batch(const Scalar& secret, std::span<const Element> blinded);

// nullopt when the evaluated element is invalid.
std::optional<Output> finalize(ByteView input, const Scalar& blind, const Element& evaluated);

// The PRF without blinding (what the protocol computes; for tests and the PA's
// own subject-access lookups).
std::optional<Output> evaluate(const Scalar& secret, ByteView input);

}  // namespace signalnode::crypto::oprf
