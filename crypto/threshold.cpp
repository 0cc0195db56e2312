#include "crypto/threshold.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace signalnode::crypto::threshold {

namespace {

bool is_zero(ByteView bytes) { return sodium_is_zero(bytes.data(), bytes.size()) == 1; }

PublicScalar scalar_of(ShareIndex index) {
  PublicScalar s{};
  s[0] = static_cast<std::uint8_t>(index & 0xff);
  s[1] = static_cast<std::uint8_t>(index >> 8);
  return s;
}

bool has_repeat(std::vector<ShareIndex> indices) {
  std::sort(indices.begin(), indices.end());
  return std::adjacent_find(indices.begin(), indices.end()) != indices.end();
}

// f(x) by Horner over coefficients a_0..a_{t-1}; the accumulator is wiped.
void evaluate_polynomial(Scalar& out, const std::vector<Scalar>& coefficients, ShareIndex x) {
  const PublicScalar xs = scalar_of(x);
  Scalar product;
  std::memcpy(out.data(), coefficients.back().data(), voprf::kScalarBytes);
  for (std::size_t k = coefficients.size() - 1; k-- > 0;) {
    crypto_core_ristretto255_scalar_mul(product.data(), out.data(), xs.data());
    crypto_core_ristretto255_scalar_add(out.data(), product.data(), coefficients[k].data());
  }
}

Element public_of(const Scalar& s) {
  Element p{};
  if (crypto_scalarmult_ristretto255_base(p.data(), s.data()) != 0) {
    throw std::invalid_argument("threshold: zero scalar");
  }
  return p;
}

}  // namespace

Dealing split(const Scalar& secret, std::size_t t, std::size_t n) {
  if (t < 1 || t > n || n > kMaxHolders) throw std::invalid_argument("threshold: need 1 <= t <= n <= 255");
  if (is_zero(secret.view())) throw std::invalid_argument("threshold: zero secret");

  std::vector<Scalar> coefficients(t);
  std::memcpy(coefficients[0].data(), secret.data(), voprf::kScalarBytes);
  Dealing dealing;
  for (;;) {
    for (std::size_t k = 1; k < t; ++k) crypto_core_ristretto255_scalar_random(coefficients[k].data());
    dealing.shares.clear();
    dealing.shares.resize(n);
    bool zero_share = false;
    for (std::size_t i = 0; i < n; ++i) {
      dealing.shares[i].index = static_cast<ShareIndex>(i + 1);
      evaluate_polynomial(dealing.shares[i].value, coefficients, dealing.shares[i].index);
      zero_share = zero_share || is_zero(dealing.shares[i].value.view());
    }
    // A zero share (probability n/L) would have no public share; draw again.
    if (!zero_share) break;
  }
  // coefficients (a_0 = k included) are SecretArrays: wiped when they go.
  dealing.public_shares.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    dealing.public_shares[i].index = dealing.shares[i].index;
    dealing.public_shares[i].point = public_of(dealing.shares[i].value);
  }
  dealing.group_public_key = public_of(secret);
  return dealing;
}

Dealing whole_key(const Scalar& secret) {
  if (is_zero(secret.view())) throw std::invalid_argument("threshold: zero secret");
  Dealing dealing;
  dealing.shares.resize(1);
  dealing.shares[0].index = kWholeKeyIndex;
  std::memcpy(dealing.shares[0].value.data(), secret.data(), voprf::kScalarBytes);
  dealing.group_public_key = public_of(secret);
  dealing.public_shares.push_back({kWholeKeyIndex, dealing.group_public_key});
  return dealing;
}

std::optional<std::vector<PublicScalar>> lagrange_at_zero(std::span<const ShareIndex> indices) {
  if (indices.empty() || has_repeat({indices.begin(), indices.end()})) return std::nullopt;
  if (std::find(indices.begin(), indices.end(), ShareIndex{0}) != indices.end()) return std::nullopt;

  std::vector<PublicScalar> lambdas(indices.size());
  for (std::size_t a = 0; a < indices.size(); ++a) {
    const PublicScalar xi = scalar_of(indices[a]);
    PublicScalar numerator = scalar_of(1);
    PublicScalar denominator = scalar_of(1);
    for (std::size_t b = 0; b < indices.size(); ++b) {
      if (b == a) continue;
      const PublicScalar xj = scalar_of(indices[b]);
      PublicScalar difference{};
      crypto_core_ristretto255_scalar_sub(difference.data(), xj.data(), xi.data());
      // libsodium does not promise in-place products: multiply into copies.
      const PublicScalar num = numerator;
      const PublicScalar den = denominator;
      crypto_core_ristretto255_scalar_mul(numerator.data(), num.data(), xj.data());
      crypto_core_ristretto255_scalar_mul(denominator.data(), den.data(), difference.data());
    }
    // Distinct indices below L make every j - i non-zero, so this cannot fail.
    PublicScalar inverse{};
    if (crypto_core_ristretto255_scalar_invert(inverse.data(), denominator.data()) != 0) return std::nullopt;
    crypto_core_ristretto255_scalar_mul(lambdas[a].data(), numerator.data(), inverse.data());
  }
  return lambdas;
}

std::optional<std::vector<Element>> combine(std::span<const HolderEvaluation> answers, std::size_t t) {
  if (t < 1 || answers.size() < t || answers.empty()) return std::nullopt;
  const std::size_t batch = answers[0].evaluated.size();
  for (const auto& answer : answers) {
    if (answer.evaluated.size() != batch || batch == 0) return std::nullopt;
    for (const auto& e : answer.evaluated) {
      if (!oprf::is_valid_element(e)) return std::nullopt;
    }
  }
  // The whole key: its answer is already Z.
  if (answers.size() == 1 && answers[0].index == kWholeKeyIndex) {
    if (t != 1) return std::nullopt;
    return answers[0].evaluated;
  }

  std::vector<ShareIndex> indices;
  for (const auto& answer : answers) indices.push_back(answer.index);
  auto lambdas = lagrange_at_zero(indices);
  if (!lambdas) return std::nullopt;

  std::vector<Element> combined(batch);
  for (std::size_t m = 0; m < batch; ++m) {
    for (std::size_t a = 0; a < answers.size(); ++a) {
      // lambda_i is non-zero and Z_i valid, so the term is never the identity.
      Element term{};
      if (crypto_scalarmult_ristretto255(term.data(), (*lambdas)[a].data(), answers[a].evaluated[m].data()) != 0) {
        return std::nullopt;
      }
      if (a == 0) {
        combined[m] = term;
      } else if (crypto_core_ristretto255_add(combined[m].data(), combined[m].data(), term.data()) != 0) {
        return std::nullopt;
      }
    }
    // Honest shares give k*B, never the identity; anything else is refused here
    // rather than at Finalize.
    if (!oprf::is_valid_element(combined[m])) return std::nullopt;
  }
  return combined;
}

std::optional<std::vector<Element>> verify_and_combine(std::span<const HolderAnswer> answers,
                                                       std::span<const PublicShare> public_shares,
                                                       std::span<const Element> blinded, std::size_t t) {
  std::vector<HolderEvaluation> verified;
  verified.reserve(answers.size());
  for (const auto& answer : answers) {
    auto share = std::find_if(public_shares.begin(), public_shares.end(),
                              [&answer](const PublicShare& p) { return p.index == answer.index; });
    if (share == public_shares.end()) return std::nullopt;
    if (!voprf::verify_proof(share->point, blinded, answer.evaluated, answer.proof)) return std::nullopt;
    verified.push_back({answer.index, answer.evaluated});
  }
  return combine(verified, t);
}

}  // namespace signalnode::crypto::threshold
