// RFC 9497 VOPRF, mode 0x01, suite ristretto255-SHA512 (BRIEF 3.8): the OPRF of
// crypto/oprf plus a batched DLEQ proof that every evaluated element was made
// with the key behind a known public key, so a client notices a PA (or a
// threshold share holder, crypto/threshold) that answers with another key.
//
// Client: blind(input) per input -> send the blinded batch;
//         receive evaluated batch + proof; verify_proof(pk, ...) ->
//         finalize_verified(input, blind, evaluated) per input (or finalize()).
// Server: blind_evaluate(key, blinded batch) -> evaluated + proof.
#pragma once

#include <array>
#include <optional>
#include <span>
#include <vector>

#include "crypto/bytes.hpp"
#include "crypto/oprf.hpp"

namespace signalnode::crypto::voprf {

using oprf::Element;
using oprf::KeyPair;
using oprf::Output;
using oprf::Scalar;
using oprf::kElementBytes;
using oprf::kOutputBytes;
using oprf::kScalarBytes;

inline constexpr std::size_t kProofBytes = 2 * kScalarBytes;
// Composite indices are two bytes in the transcript (I2OSP(i, 2)).
inline constexpr std::size_t kMaxBatch = 65535;

// A public, canonical ristretto255 scalar (little-endian, reduced mod L).
using PublicScalar = std::array<std::uint8_t, kScalarBytes>;

// RFC 9497 Proof: c || s, both public.
struct Proof {
  PublicScalar c{};
  PublicScalar s{};
};
std::array<std::uint8_t, kProofBytes> serialize(const Proof& proof);
// nullopt unless 64 bytes and both scalars canonical (no malleable proofs).
std::optional<Proof> parse_proof(ByteView bytes);

// "OPRFV1-" || 0x01 || "-ristretto255-SHA512".
const Bytes& context_string();

// RFC 9497 section 3.2.1 with the VOPRF context; throws as oprf's does.
KeyPair derive_key_pair(ByteView seed, ByteView info);

using oprf::Blinded;
// HashToGroup with the VOPRF context, then a random blind from the CSPRNG;
// nullopt if the input maps to the identity.
std::optional<Blinded> blind(ByteView input);
// With a given blind (test vectors only).
std::optional<Blinded> blind_with(ByteView input, const Scalar& blind);

// BlindEvaluateBatch + GenerateProof with key k and public key k*G. Every
// blinded element is validated first: either all are evaluated with a proof
// over the whole batch, or invalid_index names the first bad one (an empty or
// over-long batch is refused as index 0) and nothing is computed.
struct Evaluation {
  std::vector<Element> evaluated;
  Proof proof{};
  std::optional<std::size_t> invalid_index;
};
Evaluation blind_evaluate(const Scalar& key, std::span<const Element> blinded);
// With a given proof randomness r (test vectors only).
Evaluation blind_evaluate_with(const Scalar& key, std::span<const Element> blinded, const Scalar& r);

// VerifyProof with ComputeComposites: true only when the proof shows that
// evaluated[i] = k*blinded[i] for all i, with public_key = k*G. Every element
// is validated (canonical, not the identity); sizes must match.
[[nodiscard]] bool verify_proof(const Element& public_key, std::span<const Element> blinded,
                                std::span<const Element> evaluated, const Proof& proof);

// RFC 9497 VOPRF Finalize: verifies the proof over the batch, then unblinds and
// hashes each input. nullopt if the proof fails or anything is malformed.
std::optional<std::vector<Output>> finalize(std::span<const ByteView> inputs, std::span<const Scalar> blinds,
                                            std::span<const Element> evaluated, std::span<const Element> blinded,
                                            const Element& public_key, const Proof& proof);

// The hash step of Finalize alone (the same as mode 0x00's), for an element
// whose proofs the caller has already verified: a threshold combination
// (crypto/threshold) has no single proof of its own.
std::optional<Output> finalize_verified(ByteView input, const Scalar& blind, const Element& evaluated);

}  // namespace signalnode::crypto::voprf
