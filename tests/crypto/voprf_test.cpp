// RFC 9497 Appendix A.1.2 (ristretto255-SHA512, VOPRF mode) and properties.
// Vector values copied from the RFC text (also cfrg/draft-irtf-cfrg-voprf
// poc/vectors/allVectors.json, mode 1).
#include "crypto/voprf.hpp"

#include <gtest/gtest.h>

#include "crypto/random.hpp"
#include "tests/support/hex.hpp"

namespace c = signalnode::crypto;
namespace v = signalnode::crypto::voprf;

namespace {

using signalnode::testing::hex;
using signalnode::testing::element;

v::Proof proof(std::string_view s) {
  auto p = v::parse_proof(hex(s));
  EXPECT_TRUE(p) << s;
  return p.value_or(v::Proof{});
}

const std::string kSeed = "a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3";
const std::string kKeyInfo = "74657374206b6579";  // "test key"
const std::string kSkSm = "e6f73f344b79b379f1a0dd37e07ff62e38d9f71345ce62ae3a9bc60b04ccd909";
const std::string kPkSm = "c803e2cc6b05fc15064549b5920659ca4a77b2cca6f04f6b357009335476ad4e";
const std::string kBlind = "64d37aed22a27f5191de1c1d69fadb899d8862b58eb4220029e036ec4c1f6706";

struct Vector {
  std::string input, blind, blinded, evaluated, output;
};
// Test Vectors 1 and 2 (batch size 1) share Blind and ProofRandomScalar.
const std::string kProofRSingle = "222a5e897cf59db8145db8d16e597e8facb80ae7d4e26d9881aa6f61d645fc0e";
const Vector kSingle[] = {
    {"00", kBlind, "863f330cc1a1259ed5a5998a23acfd37fb4351a793a5b3c090b642ddc439b945",
     "aa8fa048764d5623868679402ff6108d2521884fa138cd7f9c7669a9a014267e",
     "b58cfbe118e0cb94d79b5fd6a6dafb98764dff49c14e1770b566e42402da1a7da4d8527693914139caee5bd03903af43a491351d23b430948"
     "dd50cde10d32b3c"},
    {"5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a", kBlind, "cc0b2a350101881d8a4cba4c80241d74fb7dcbfde4a61fde2f91443c2bf9ef0c",
     "60a59a57208d48aca71e9e850d22674b611f752bed48b36f7a91b372bd7ad468",
     "8a9a2f3c7f085b65933594309041fc1898d42d0858e59f90814ae90571a6df60356f4610bf816f27afdd84f47719e480906d27ecd99498589"
     "0e5f539e7ea74b6"},
};
const std::string kSingleProofs[] = {
    "ddef93772692e535d1a53903db24367355cc2cc78de93b3be5a8ffcc6985dd066d4346421d17bf5117a2a1ff0fcb2a759f58a539dfbe857a4"
    "0bce4cf49ec600d",
    "401a0da6264f8cf45bb2f5264bc31e109155600babb3cd4e5af7d181a2c9dc0a67154fabf031fd936051dec80b0b6ae29c9503493dde7393b"
    "722eafdf5a50b02",
};
// Test Vector 3 (batch size 2).
const Vector kBatch[] = {
    {"00", kBlind, "863f330cc1a1259ed5a5998a23acfd37fb4351a793a5b3c090b642ddc439b945",
     "aa8fa048764d5623868679402ff6108d2521884fa138cd7f9c7669a9a014267e", kSingle[0].output},
    {"5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a", "222a5e897cf59db8145db8d16e597e8facb80ae7d4e26d9881aa6f61d645fc0e",
     "90a0145ea9da29254c3a56be4fe185465ebb3bf2a1801f7124bbbadac751e654",
     "cc5ac221950a49ceaa73c8db41b82c20372a4c8d63e5dded2db920b7eee36a2a", kSingle[1].output},
};
const std::string kBatchProof =
    "cc203910175d786927eeb44ea847328047892ddf8590e723c37205cb74600b0a5ab5337c8eb4ceae0494c2cf89529dcf94572ed267473d567ae"
    "ed6ab873dee08";
const std::string kBatchProofR = "419c4f4f5052c53c45f3da494d2b67b220d02118e0857cdbcf037f9ea84bbe0c";

// Runs the whole client/server exchange on one batch of vectors and checks
// every intermediate value against the RFC.
void check_batch(std::span<const Vector> vectors, const std::string& r_hex, const std::string& proof_hex) {
  auto kp = v::derive_key_pair(hex(kSeed), hex(kKeyInfo));
  std::vector<c::Bytes> inputs;
  std::vector<v::Scalar> blinds;
  std::vector<v::Element> blinded;
  for (const auto& vec : vectors) {
    inputs.push_back(hex(vec.input));
    auto b = v::blind_with(inputs.back(), c::oprf::scalar_from(hex(vec.blind)));
    ASSERT_TRUE(b);
    EXPECT_EQ(c::to_hex(b->blinded_element), vec.blinded);
    blinds.push_back(std::move(b->blind));
    blinded.push_back(b->blinded_element);
  }
  auto eval = v::blind_evaluate_with(kp.secret, blinded, c::oprf::scalar_from(hex(r_hex)));
  ASSERT_FALSE(eval.invalid_index);
  ASSERT_EQ(eval.evaluated.size(), vectors.size());
  for (std::size_t i = 0; i < vectors.size(); ++i) EXPECT_EQ(c::to_hex(eval.evaluated[i]), vectors[i].evaluated);
  EXPECT_EQ(c::to_hex(v::serialize(eval.proof)), proof_hex);

  EXPECT_TRUE(v::verify_proof(kp.public_key, blinded, eval.evaluated, proof(proof_hex)));
  std::vector<c::ByteView> views(inputs.begin(), inputs.end());
  auto outputs = v::finalize(views, blinds, eval.evaluated, blinded, kp.public_key, eval.proof);
  ASSERT_TRUE(outputs);
  for (std::size_t i = 0; i < vectors.size(); ++i) EXPECT_EQ(c::to_hex((*outputs)[i]), vectors[i].output);
}

}  // namespace

class VoprfTest : public ::testing::Test {
 protected:
  void SetUp() override { c::init(); }
};

TEST_F(VoprfTest, ContextStringIsTheVoprfSuites) {
  const auto& ctx = v::context_string();
  EXPECT_EQ(std::string(ctx.begin(), ctx.end()), std::string("OPRFV1-\x01-ristretto255-SHA512", 28));
}

TEST_F(VoprfTest, DeriveKeyPairReproducesTheRfcKey) {
  auto kp = v::derive_key_pair(hex(kSeed), hex(kKeyInfo));
  EXPECT_EQ(c::to_hex(kp.secret.view()), kSkSm);
  EXPECT_EQ(c::to_hex(kp.public_key), kPkSm);
}

TEST_F(VoprfTest, RfcVector1BatchSize1) { check_batch({&kSingle[0], 1}, kProofRSingle, kSingleProofs[0]); }

TEST_F(VoprfTest, RfcVector2BatchSize1) { check_batch({&kSingle[1], 1}, kProofRSingle, kSingleProofs[1]); }

TEST_F(VoprfTest, RfcVector3BatchSize2) { check_batch(kBatch, kBatchProofR, kBatchProof); }

TEST_F(VoprfTest, RandomProofsVerifyAndOutputsMatchTheVectors) {
  // With CSPRNG randomness the proof differs from the RFC's but still verifies,
  // and the output does not depend on the blind.
  auto kp = v::derive_key_pair(hex(kSeed), hex(kKeyInfo));
  std::vector<c::Bytes> inputs = {hex(kBatch[0].input), hex(kBatch[1].input)};
  std::vector<v::Scalar> blinds;
  std::vector<v::Element> blinded;
  for (const auto& in : inputs) {
    auto b = v::blind(in);
    ASSERT_TRUE(b);
    blinds.push_back(std::move(b->blind));
    blinded.push_back(b->blinded_element);
  }
  auto eval = v::blind_evaluate(kp.secret, blinded);
  ASSERT_FALSE(eval.invalid_index);
  EXPECT_NE(c::to_hex(v::serialize(eval.proof)), kBatchProof);
  std::vector<c::ByteView> views(inputs.begin(), inputs.end());
  auto outputs = v::finalize(views, blinds, eval.evaluated, blinded, kp.public_key, eval.proof);
  ASSERT_TRUE(outputs);
  EXPECT_EQ(c::to_hex((*outputs)[0]), kBatch[0].output);
  EXPECT_EQ(c::to_hex((*outputs)[1]), kBatch[1].output);
}

TEST_F(VoprfTest, ProofFailsForAnotherKeyOrAlteredBatch) {
  auto kp = v::derive_key_pair(hex(kSeed), hex(kKeyInfo));
  auto other = c::oprf::generate_key_pair();
  std::vector<v::Element> blinded = {element(kBatch[0].blinded), element(kBatch[1].blinded)};
  auto eval = v::blind_evaluate(kp.secret, blinded);
  ASSERT_TRUE(v::verify_proof(kp.public_key, blinded, eval.evaluated, eval.proof));
  EXPECT_FALSE(v::verify_proof(other.public_key, blinded, eval.evaluated, eval.proof));

  // One element evaluated with another key: the batch proof no longer holds.
  auto forged = eval.evaluated;
  forged[1] = *c::oprf::blind_evaluate(other.secret, blinded[1]);
  EXPECT_FALSE(v::verify_proof(kp.public_key, blinded, forged, eval.proof));
  // Swapped order, truncated batch, altered proof.
  std::vector<v::Element> swapped = {eval.evaluated[1], eval.evaluated[0]};
  EXPECT_FALSE(v::verify_proof(kp.public_key, blinded, swapped, eval.proof));
  EXPECT_FALSE(v::verify_proof(kp.public_key, std::span(blinded).first(1), std::span(eval.evaluated).first(1),
                               eval.proof));
  auto bad = eval.proof;
  bad.s[0] ^= 1;
  EXPECT_FALSE(v::verify_proof(kp.public_key, blinded, eval.evaluated, bad));
}

TEST_F(VoprfTest, RefusesInvalidElementsAndMalformedProofs) {
  auto kp = v::derive_key_pair(hex(kSeed), hex(kKeyInfo));
  v::Element identity{};
  v::Element over_p{};
  over_p.fill(0xff);
  over_p[31] = 0x7f;
  v::Element negative = element(kBatch[0].blinded);
  negative[0] |= 1;
  std::vector<v::Element> good = {element(kBatch[0].blinded), element(kBatch[1].blinded)};
  for (const auto& bad : {identity, over_p, negative}) {
    std::vector<v::Element> batch = {good[0], bad};
    auto eval = v::blind_evaluate(kp.secret, batch);
    ASSERT_TRUE(eval.invalid_index);
    EXPECT_EQ(*eval.invalid_index, 1u);
    EXPECT_TRUE(eval.evaluated.empty()) << "no partial work on a bad batch";

    auto honest = v::blind_evaluate(kp.secret, good);
    auto evaluated = honest.evaluated;
    evaluated[0] = bad;
    EXPECT_FALSE(v::verify_proof(kp.public_key, good, evaluated, honest.proof));
    EXPECT_FALSE(v::verify_proof(bad, good, honest.evaluated, honest.proof));
  }
  EXPECT_TRUE(v::blind_evaluate(kp.secret, std::span<const v::Element>{}).invalid_index);

  // A proof scalar >= L is refused rather than reduced (no second encoding).
  EXPECT_FALSE(v::parse_proof(c::Bytes(64, 0xff)));
  EXPECT_FALSE(v::parse_proof(c::Bytes(63, 0)));
  auto p = proof(kSingleProofs[0]);
  // s + L is the same scalar mod L, in a non-canonical encoding.
  const auto l = hex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
  unsigned carry = 0;
  for (std::size_t i = 0; i < 32; ++i) {
    unsigned sum = p.s[i] + l[i] + carry;
    p.s[i] = static_cast<std::uint8_t>(sum & 0xff);
    carry = sum >> 8;
  }
  std::vector<v::Element> one = {element(kSingle[0].blinded)};
  std::vector<v::Element> one_eval = {element(kSingle[0].evaluated)};
  EXPECT_TRUE(v::verify_proof(kp.public_key, one, one_eval, proof(kSingleProofs[0])));
  EXPECT_FALSE(v::verify_proof(kp.public_key, one, one_eval, p));
}
