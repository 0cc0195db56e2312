// What fewer than t share holders learn: nothing about the key k, and no PRF
// value. Shamir: any t-1 points of a random degree t-1 polynomial are uniformly
// random and fit every possible f(0) = k equally well, so their shares carry no
// information about k; what they can combine is a different, unrelated output.
// The public shares P_i = k_i*G give only discrete-log images, and k*G is public
// anyway. Every holder, however many collude, sees only blinded elements r*H(x)
// for a fresh random r, which are uniform in the group: no input, no output.
// Only t holders together can evaluate the PRF (they then hold k in effect), and
// the dealer that ran split() saw k: deal once, offline, then wipe it. Each
// answer's DLEQ proof names a holder that answered with a wrong share.
//
// BRIEF 3.8: the VOPRF key k as Shamir shares k_i = f(i), i = 1..n, over the
// ristretto255 scalar field; the client sends the same blinded batch to at
// least t holders, verifies each proof against that holder's P_i, combines
// Z = sum lambda_i * Z_i and finalizes as RFC 9497 (voprf::finalize_verified).
// A whole-key PA is n = t = 1 with index 0 and P_0 = pkS (lambda = 1).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "crypto/voprf.hpp"

namespace signalnode::crypto::threshold {

using voprf::Element;
using voprf::PublicScalar;
using voprf::Scalar;

using ShareIndex = std::uint16_t;
// The index of a whole-key holder (t = n = 1, no Lagrange).
inline constexpr ShareIndex kWholeKeyIndex = 0;
inline constexpr std::size_t kMaxHolders = 255;

struct Share {
  ShareIndex index = 0;
  Scalar value;  // k_i = f(i)
};
struct PublicShare {
  ShareIndex index = 0;
  Element point{};  // P_i = k_i*G
};
struct Dealing {
  std::vector<Share> shares;               // index 1..n, in order
  std::vector<PublicShare> public_shares;  // the same order
  Element group_public_key{};              // pkS = k*G
};

// Shamir split of a non-zero secret with a random polynomial of degree t-1
// from the CSPRNG (coefficients wiped). Throws std::invalid_argument unless
// 1 <= t <= n <= kMaxHolders and the secret is non-zero.
Dealing split(const Scalar& secret, std::size_t t, std::size_t n);

// The whole key as the single holder of index 0 (t = n = 1), P_0 = pkS.
Dealing whole_key(const Scalar& secret);

// lambda_i = prod_{j in S, j != i} j / (j - i) mod L, in the order given;
// nullopt for an empty set, a zero index or a repeated index.
std::optional<std::vector<PublicScalar>> lagrange_at_zero(std::span<const ShareIndex> indices);

// One holder's evaluated batch, its proof already verified against its P_i.
struct HolderEvaluation {
  ShareIndex index = 0;
  std::vector<Element> evaluated;
};
// Z_m = sum_i lambda_i * Z_{i,m} per batch position m. nullopt for fewer than
// t answers, a repeated or zero index (index 0 only alone with t = 1: the whole
// key), batches of different or zero length, or any invalid element.
std::optional<std::vector<Element>> combine(std::span<const HolderEvaluation> answers, std::size_t t);

// One holder's answer as it arrives: evaluated batch and batch proof.
struct HolderAnswer {
  ShareIndex index = 0;
  std::vector<Element> evaluated;
  voprf::Proof proof{};
};
// The client's whole step: each answer's proof checked against the P_i of its
// index (an index without a public share fails), then combine(). nullopt if
// any proof fails, so a cheating holder cannot skew the combination.
std::optional<std::vector<Element>> verify_and_combine(std::span<const HolderAnswer> answers,
                                                       std::span<const PublicShare> public_shares,
                                                       std::span<const Element> blinded, std::size_t t);

}  // namespace signalnode::crypto::threshold
