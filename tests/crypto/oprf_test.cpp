// RFC 9497 Appendix A.1.1 (ristretto255-SHA512, OPRF mode) and properties.
#include "crypto/oprf.hpp"

#include <gtest/gtest.h>

#include "crypto/random.hpp"
#include "tests/support/hex.hpp"

namespace c = signalnode::crypto;
namespace o = signalnode::crypto::oprf;

namespace {

using signalnode::testing::hex;
using signalnode::testing::element;

const std::string kSeed = "a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3";
const std::string kKeyInfo = "74657374206b6579";  // "test key"
const std::string kSkSm = "5ebcea5ee37023ccb9fc2d2019f9d7737be85591ae8652ffa9ef0f4d37063b0e";
const std::string kBlind = "64d37aed22a27f5191de1c1d69fadb899d8862b58eb4220029e036ec4c1f6706";

struct Vector {
  std::string input, blinded, evaluated, output;
};
const Vector kVectors[] = {
    {"00", "609a0ae68c15a3cf6903766461307e5c8bb2f95e7e6550e1ffa2dc99e412803c",
     "7ec6578ae5120958eb2db1745758ff379e77cb64fe77b0b2d8cc917ea0869c7e",
     "527759c3d9366f277d8c6020418d96bb393ba2afb20ff90df23fb7708264e2f3ab9135e3bd69955851de4b1f9fe8a0973396719b7912ba9ee"
     "8aa7d0b5e24bcf6"},
    {"5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a", "da27ef466870f5f15296299850aa088629945a17d1f5b7f5ff043f76b3c06418",
     "b4cbf5a4f1eeda5a63ce7b77c7d23f461db3fcab0dd28e4e17cecb5c90d02c25",
     "f4a74c9c592497375e796aa837e907b1a045d34306a749db9f34221f7e750cb4f2a6413a6bf6fa5e19ba6348eb673934a722a7ede2e7621"
     "306d18951e7cf2c73"},
};

}  // namespace

class OprfTest : public ::testing::Test {
 protected:
  void SetUp() override { c::init(); }
};

TEST_F(OprfTest, ContextStringIsTheSuites) {
  auto ctx = o::context_string();
  EXPECT_EQ(std::string(ctx.begin(), ctx.end()), std::string("OPRFV1-\0-ristretto255-SHA512", 28));
}

TEST_F(OprfTest, ExpandMessageXmdMatchesRfc9380Sha512Vectors) {
  // RFC 9380 Appendix K.3 (expand_message_xmd, SHA-512), DST
  // "QUUX-V01-CS02-with-expander-SHA512-256", len_in_bytes = 0x20.
  const std::string dst = "QUUX-V01-CS02-with-expander-SHA512-256";
  EXPECT_EQ(c::to_hex(o::expand_message_xmd_sha512(c::as_bytes(""), c::as_bytes(dst), 32)),
            "6b9a7312411d92f921c6f68ca0b6380730a1a4d982c507211a90964c394179ba");
  EXPECT_EQ(c::to_hex(o::expand_message_xmd_sha512(c::as_bytes("abc"), c::as_bytes(dst), 32)),
            "0da749f12fbe5483eb066a5f595055679b976e93abe9be6f0f6318bce7aca8dc");
  // len 0x80 needs two SHA-512 blocks: exercises the b_0 XOR chain.
  EXPECT_EQ(c::to_hex(o::expand_message_xmd_sha512(c::as_bytes(""), c::as_bytes(dst), 128)),
            "41b037d1734a5f8df225dd8c7de38f851efdb45c372887be655212d07251b921b052b62eaed99b46f72f2ef4cc96bfaf"
            "254ebbbec091e1a3b9e4fb5e5b619d2e0c5414800a1d882b62bb5cd1778f098b8eb6cb399d5d9d18f5d5842cf5d13d7e"
            "b00a7cff859b605da678b318bd0e65ebff70bec88c753b159a805d2c89c55961");
  EXPECT_THROW(o::expand_message_xmd_sha512(c::as_bytes("abc"), c::as_bytes(std::string(256, 'x')), 32),
               std::invalid_argument);
  EXPECT_THROW(o::expand_message_xmd_sha512(c::as_bytes("abc"), c::as_bytes(dst), 256 * 64), std::invalid_argument);
}

TEST_F(OprfTest, DeriveKeyPairReproducesTheRfcKey) {
  auto kp = o::derive_key_pair(hex(kSeed), hex(kKeyInfo));
  EXPECT_EQ(c::to_hex(kp.secret.view()), kSkSm);
}

TEST_F(OprfTest, RfcVectorsBlindEvaluateFinalize) {
  auto kp = o::derive_key_pair(hex(kSeed), hex(kKeyInfo));
  o::Scalar blind = o::scalar_from(hex(kBlind));
  for (const auto& v : kVectors) {
    SCOPED_TRACE(v.input);
    auto input = hex(v.input);
    auto blinded = o::blind_with(input, blind);
    ASSERT_TRUE(blinded);
    EXPECT_EQ(c::to_hex(blinded->blinded_element), v.blinded);
    auto evaluated = o::blind_evaluate(kp.secret, blinded->blinded_element);
    ASSERT_TRUE(evaluated);
    EXPECT_EQ(c::to_hex(*evaluated), v.evaluated);
    auto output = o::finalize(input, blinded->blind, *evaluated);
    ASSERT_TRUE(output);
    EXPECT_EQ(c::to_hex(*output), v.output);
    EXPECT_EQ(c::to_hex(*o::evaluate(kp.secret, input)), v.output);
  }
}

TEST_F(OprfTest, BatchEvaluationMatchesTheRfcVectors) {
  auto kp = o::derive_key_pair(hex(kSeed), hex(kKeyInfo));
  std::vector<o::Element> batch = {element(kVectors[0].blinded), element(kVectors[1].blinded)};
  auto result = o::blind_evaluate_batch(kp.secret, batch);
  ASSERT_FALSE(result.invalid_index);
  ASSERT_EQ(result.evaluated.size(), 2u);
  EXPECT_EQ(c::to_hex(result.evaluated[0]), kVectors[0].evaluated);
  EXPECT_EQ(c::to_hex(result.evaluated[1]), kVectors[1].evaluated);
}

TEST_F(OprfTest, BlindedProtocolEqualsUnblindedPrfForRandomInputsAndKeys) {
  for (int i = 0; i < 200; ++i) {
    auto kp = o::generate_key_pair();
    auto input = c::random_bytes(1 + static_cast<std::size_t>(i) % 64);
    auto blinded = o::blind(input);
    ASSERT_TRUE(blinded);
    auto evaluated = o::blind_evaluate(kp.secret, blinded->blinded_element);
    ASSERT_TRUE(evaluated);
    auto output = o::finalize(input, blinded->blind, *evaluated);
    ASSERT_TRUE(output);
    EXPECT_EQ(*output, *o::evaluate(kp.secret, input));
    // A second, independently blinded run gives the same pseudonym, through a
    // different blinded element (the PA cannot link the two requests).
    auto again = o::blind(input);
    EXPECT_NE(again->blinded_element, blinded->blinded_element);
    EXPECT_EQ(*o::finalize(input, again->blind, *o::blind_evaluate(kp.secret, again->blinded_element)), *output);
  }
}

TEST_F(OprfTest, DifferentKeysOrInputsGiveUnrelatedOutputs) {
  auto k1 = o::generate_key_pair();
  auto k2 = o::generate_key_pair();
  auto in = c::as_bytes("bsn:123456782");
  EXPECT_NE(*o::evaluate(k1.secret, in), *o::evaluate(k2.secret, in));
  EXPECT_NE(*o::evaluate(k1.secret, in), *o::evaluate(k1.secret, c::as_bytes("bsn:012345672")));
}

TEST_F(OprfTest, RejectsIdentityNonCanonicalAndOffCurveElements) {
  auto kp = o::generate_key_pair();
  o::Element identity{};
  EXPECT_FALSE(o::is_valid_element(identity));
  EXPECT_FALSE(o::blind_evaluate(kp.secret, identity));

  // Non-canonical: a field element >= p (all 0xff) and a "negative" encoding
  // (lowest bit set) are both invalid ristretto255 encodings.
  o::Element over_p{};
  over_p.fill(0xff);
  over_p[31] = 0x7f;
  EXPECT_FALSE(o::is_valid_element(over_p));
  EXPECT_FALSE(o::blind_evaluate(kp.secret, over_p));
  o::Element negative = element(kVectors[0].blinded);
  negative[0] |= 1;
  EXPECT_FALSE(o::is_valid_element(negative));

  std::vector<o::Element> batch = {element(kVectors[0].blinded), element(kVectors[1].blinded), identity};
  auto result = o::blind_evaluate_batch(kp.secret, batch);
  ASSERT_TRUE(result.invalid_index);
  EXPECT_EQ(*result.invalid_index, 2u);
  EXPECT_TRUE(result.evaluated.empty()) << "no partial work on a bad batch";

  auto blinded = o::blind(c::as_bytes("kvk:12345678"));
  EXPECT_FALSE(o::finalize(c::as_bytes("kvk:12345678"), blinded->blind, identity));
}

TEST_F(OprfTest, StoredScalarsMustBeCanonicalAndNonZero) {
  EXPECT_NO_THROW(o::scalar_from(hex(kSkSm)));
  EXPECT_THROW(o::scalar_from(c::Bytes(32, 0)), std::invalid_argument);
  EXPECT_THROW(o::scalar_from(c::Bytes(32, 0xff)), std::invalid_argument);
  EXPECT_THROW(o::scalar_from(c::Bytes(31, 1)), std::invalid_argument);
}
