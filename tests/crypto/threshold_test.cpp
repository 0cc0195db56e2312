// Threshold VOPRF (BRIEF 3.8): Shamir shares of the RFC 9497 key, per-holder
// proofs, Lagrange combination, and the same Output as the whole key.
#include "crypto/threshold.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <cstring>

#include "crypto/random.hpp"
#include "tests/support/hex.hpp"

namespace c = signalnode::crypto;
namespace v = signalnode::crypto::voprf;
namespace th = signalnode::crypto::threshold;

namespace {

using signalnode::testing::hex;
c::Bytes text(std::string_view s) { return {s.begin(), s.end()}; }

// RFC 9497 A.1.2: the VOPRF key and the Output of input 00 (Test Vector 1).
const std::string kSeed = "a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3";
const std::string kKeyInfo = "74657374206b6579";
const std::string kOutput00 =
    "b58cfbe118e0cb94d79b5fd6a6dafb98764dff49c14e1770b566e42402da1a7da4d8527693914139caee5bd03903af43a491351d23b430948dd"
    "50cde10d32b3c";

// A client's blinded batch for some inputs.
struct Batch {
  std::vector<c::Bytes> inputs;
  std::vector<v::Scalar> blinds;
  std::vector<v::Element> blinded;
};
Batch blind_all(std::vector<c::Bytes> inputs) {
  Batch batch;
  batch.inputs = std::move(inputs);
  for (const auto& in : batch.inputs) {
    auto b = v::blind(in);
    EXPECT_TRUE(b);
    batch.blinds.push_back(std::move(b->blind));
    batch.blinded.push_back(b->blinded_element);
  }
  return batch;
}

th::HolderAnswer answer_from(const th::Share& share, const Batch& batch) {
  auto eval = v::blind_evaluate(share.value, batch.blinded);
  EXPECT_FALSE(eval.invalid_index);
  return {share.index, std::move(eval.evaluated), eval.proof};
}

std::vector<std::string> outputs_of(const Batch& batch, const std::vector<v::Element>& combined) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < combined.size(); ++i) {
    auto o = v::finalize_verified(batch.inputs[i], batch.blinds[i], combined[i]);
    EXPECT_TRUE(o);
    out.push_back(o ? c::to_hex(*o) : "");
  }
  return out;
}

// Every subset of {0..n-1} of size k, as index lists.
std::vector<std::vector<std::size_t>> subsets(std::size_t n, std::size_t k) {
  std::vector<std::vector<std::size_t>> all;
  for (unsigned mask = 0; mask < (1u << n); ++mask) {
    if (static_cast<std::size_t>(__builtin_popcount(mask)) != k) continue;
    std::vector<std::size_t> s;
    for (std::size_t i = 0; i < n; ++i) {
      if (mask & (1u << i)) s.push_back(i);
    }
    all.push_back(s);
  }
  return all;
}

}  // namespace

class ThresholdTest : public ::testing::Test {
 protected:
  void SetUp() override { c::init(); }
};

TEST_F(ThresholdTest, SplitGivesConsistentPublicShares) {
  auto kp = v::derive_key_pair(hex(kSeed), hex(kKeyInfo));
  auto dealing = th::split(kp.secret, 3, 5);
  ASSERT_EQ(dealing.shares.size(), 5u);
  ASSERT_EQ(dealing.public_shares.size(), 5u);
  EXPECT_EQ(dealing.group_public_key, kp.public_key);
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(dealing.shares[i].index, i + 1);
    EXPECT_EQ(dealing.public_shares[i].index, i + 1);
    v::Element p{};
    ASSERT_EQ(crypto_scalarmult_ristretto255_base(p.data(), dealing.shares[i].value.data()), 0);
    EXPECT_EQ(p, dealing.public_shares[i].point);
    EXPECT_NE(c::to_hex(dealing.shares[i].value.view()), c::to_hex(kp.secret.view()));
  }
  // Two dealings of the same key use different random polynomials.
  auto again = th::split(kp.secret, 3, 5);
  EXPECT_NE(c::to_hex(again.shares[0].value.view()), c::to_hex(dealing.shares[0].value.view()));
  EXPECT_THROW(th::split(kp.secret, 0, 3), std::invalid_argument);
  EXPECT_THROW(th::split(kp.secret, 4, 3), std::invalid_argument);
  EXPECT_THROW(th::split(kp.secret, 2, 256), std::invalid_argument);
  EXPECT_THROW(th::split(v::Scalar{}, 2, 3), std::invalid_argument);
}

TEST_F(ThresholdTest, LagrangeCoefficientsRecoverTheSecret) {
  // sum lambda_i * k_i = k for any t of the n shares, on the scalars themselves.
  auto kp = c::oprf::generate_key_pair();
  auto dealing = th::split(kp.secret, 3, 5);
  for (const auto& s : subsets(5, 3)) {
    std::vector<th::ShareIndex> indices;
    for (auto i : s) indices.push_back(dealing.shares[i].index);
    auto lambdas = th::lagrange_at_zero(indices);
    ASSERT_TRUE(lambdas);
    v::Scalar sum;
    for (std::size_t a = 0; a < s.size(); ++a) {
      v::Scalar term;
      v::Scalar prev;
      crypto_core_ristretto255_scalar_mul(term.data(), (*lambdas)[a].data(), dealing.shares[s[a]].value.data());
      std::memcpy(prev.data(), sum.data(), 32);
      crypto_core_ristretto255_scalar_add(sum.data(), prev.data(), term.data());
    }
    EXPECT_EQ(c::to_hex(sum.view()), c::to_hex(kp.secret.view()));
  }
}

TEST_F(ThresholdTest, LagrangeRefusesEmptyZeroAndRepeatedIndices) {
  EXPECT_FALSE(th::lagrange_at_zero({}));
  std::vector<th::ShareIndex> zero = {0, 1};
  EXPECT_FALSE(th::lagrange_at_zero(zero));
  std::vector<th::ShareIndex> repeated = {1, 2, 1};
  EXPECT_FALSE(th::lagrange_at_zero(repeated));
  std::vector<th::ShareIndex> single = {4};
  auto one = th::lagrange_at_zero(single);
  ASSERT_TRUE(one);
  EXPECT_EQ(c::to_hex((*one)[0]), "01" + std::string(62, '0'));
}

TEST_F(ThresholdTest, TwoOfThreeAndThreeOfFiveMatchTheSingleKeyOutput) {
  auto kp = v::derive_key_pair(hex(kSeed), hex(kKeyInfo));
  for (auto [t, n] : {std::pair<std::size_t, std::size_t>{2, 3}, {3, 5}}) {
    SCOPED_TRACE(std::to_string(t) + " of " + std::to_string(n));
    auto dealing = th::split(kp.secret, t, n);
    auto batch = blind_all({hex("00"), text("bsn:123456782")});
    std::vector<th::HolderAnswer> answers;
    for (const auto& share : dealing.shares) answers.push_back(answer_from(share, batch));

    // The whole key's answer, checked against pkS, is the reference.
    auto whole = v::blind_evaluate(kp.secret, batch.blinded);
    ASSERT_TRUE(v::verify_proof(kp.public_key, batch.blinded, whole.evaluated, whole.proof));
    auto expected = outputs_of(batch, whole.evaluated);
    EXPECT_EQ(expected[0], kOutput00) << "the RFC 9497 Output for input 00";

    // Any t of the n holders (and all n) give the same Output.
    for (std::size_t k : {t, n}) {
      for (const auto& s : subsets(n, k)) {
        std::vector<th::HolderAnswer> chosen;
        for (auto i : s) chosen.push_back(answers[i]);
        auto combined = th::verify_and_combine(chosen, dealing.public_shares, batch.blinded, t);
        ASSERT_TRUE(combined);
        EXPECT_EQ(outputs_of(batch, *combined), expected);
      }
    }

    // t-1 holders are refused, and even combined as if enough, miss the Output.
    std::vector<th::HolderEvaluation> short_set;
    for (std::size_t i = 0; i + 1 < t; ++i) short_set.push_back({answers[i].index, answers[i].evaluated});
    EXPECT_FALSE(th::combine(short_set, t));
    auto partial = th::combine(short_set, t - 1);
    ASSERT_TRUE(partial);
    auto wrong = outputs_of(batch, *partial);
    EXPECT_NE(wrong[0], expected[0]);
    EXPECT_NE(wrong[1], expected[1]);
  }
}

TEST_F(ThresholdTest, WholeKeyIsIndexZeroWithoutLagrange) {
  auto kp = v::derive_key_pair(hex(kSeed), hex(kKeyInfo));
  auto dealing = th::whole_key(kp.secret);
  ASSERT_EQ(dealing.public_shares.size(), 1u);
  EXPECT_EQ(dealing.public_shares[0].index, th::kWholeKeyIndex);
  EXPECT_EQ(dealing.public_shares[0].point, kp.public_key);
  auto batch = blind_all({hex("00")});
  std::vector<th::HolderAnswer> answers = {answer_from(dealing.shares[0], batch)};
  auto combined = th::verify_and_combine(answers, dealing.public_shares, batch.blinded, 1);
  ASSERT_TRUE(combined);
  EXPECT_EQ(outputs_of(batch, *combined)[0], kOutput00);
  // Index 0 is the whole key only alone and with t = 1.
  std::vector<th::HolderEvaluation> as_evaluations = {{0, answers[0].evaluated}};
  EXPECT_FALSE(th::combine(as_evaluations, 2));
  as_evaluations.push_back({1, answers[0].evaluated});
  EXPECT_FALSE(th::combine(as_evaluations, 1));
}

TEST_F(ThresholdTest, WrongShareOrWrongPublicShareFailsTheProof) {
  auto kp = c::oprf::generate_key_pair();
  auto dealing = th::split(kp.secret, 2, 3);
  auto batch = blind_all({text("kvk:12345678")});

  // Holder 2 answers with holder 3's share: its proof fails against P_2.
  auto cheat = answer_from(dealing.shares[2], batch);
  cheat.index = 2;
  EXPECT_FALSE(v::verify_proof(dealing.public_shares[1].point, batch.blinded, cheat.evaluated, cheat.proof));
  std::vector<th::HolderAnswer> answers = {answer_from(dealing.shares[0], batch), cheat};
  EXPECT_FALSE(th::verify_and_combine(answers, dealing.public_shares, batch.blinded, 2));

  // An honest answer checked against another holder's P_i also fails.
  auto honest = answer_from(dealing.shares[0], batch);
  EXPECT_TRUE(v::verify_proof(dealing.public_shares[0].point, batch.blinded, honest.evaluated, honest.proof));
  EXPECT_FALSE(v::verify_proof(dealing.public_shares[1].point, batch.blinded, honest.evaluated, honest.proof));
  EXPECT_FALSE(v::verify_proof(dealing.group_public_key, batch.blinded, honest.evaluated, honest.proof));
  auto relabelled = honest;
  relabelled.index = 3;
  answers = {answer_from(dealing.shares[1], batch), relabelled};
  EXPECT_FALSE(th::verify_and_combine(answers, dealing.public_shares, batch.blinded, 2));
  // An index with no public share at all.
  relabelled.index = 9;
  answers = {answer_from(dealing.shares[1], batch), relabelled};
  EXPECT_FALSE(th::verify_and_combine(answers, dealing.public_shares, batch.blinded, 2));
}

TEST_F(ThresholdTest, CombineRefusesInvalidElementsRepeatsAndMismatchedBatches) {
  auto kp = c::oprf::generate_key_pair();
  auto dealing = th::split(kp.secret, 2, 3);
  auto batch = blind_all({hex("00"), hex("01")});
  std::vector<th::HolderEvaluation> good;
  for (const auto& share : dealing.shares) good.push_back({share.index, answer_from(share, batch).evaluated});
  ASSERT_TRUE(th::combine(good, 2));

  v::Element identity{};
  v::Element over_p{};
  over_p.fill(0xff);
  over_p[31] = 0x7f;
  v::Element negative = good[0].evaluated[0];
  negative[0] |= 1;
  for (const auto& bad : {identity, over_p, negative}) {
    auto answers = good;
    answers[1].evaluated[1] = bad;
    EXPECT_FALSE(th::combine(answers, 2));
  }

  auto repeated = good;
  repeated[2].index = repeated[0].index;
  EXPECT_FALSE(th::combine(repeated, 2));
  auto zero = good;
  zero[0].index = 0;
  EXPECT_FALSE(th::combine(zero, 2));
  auto ragged = good;
  ragged[1].evaluated.pop_back();
  EXPECT_FALSE(th::combine(ragged, 2));
  EXPECT_FALSE(th::combine(std::span<const th::HolderEvaluation>{}, 1));
  EXPECT_FALSE(th::combine(good, 0));
}
