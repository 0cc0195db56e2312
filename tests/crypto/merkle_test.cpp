#include "crypto/merkle.hpp"

#include <gtest/gtest.h>

namespace c = signalnode::crypto;
namespace m = signalnode::crypto::merkle;

namespace {
std::vector<c::Digest256> leaves(std::size_t n) {
  std::vector<c::Digest256> out;
  for (std::size_t i = 0; i < n; ++i) {
    std::string data = "leaf " + std::to_string(i);
    out.push_back(m::leaf_hash(c::as_bytes(data)));
  }
  return out;
}
}  // namespace

TEST(Merkle, KnownValuesFromTheDefinition) {
  // The empty tree is SHA-256 of nothing; one leaf is its leaf hash.
  EXPECT_EQ(c::to_hex(m::root({})), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(c::to_hex(m::leaf_hash({})), "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  auto l = leaves(3);
  EXPECT_EQ(m::root(l), m::node_hash(m::node_hash(l[0], l[1]), l[2]));
}

TEST(Merkle, FrontierMatchesTheRecursiveDefinitionForEverySize) {
  auto l = leaves(130);
  m::Frontier f;
  for (std::size_t n = 1; n <= l.size(); ++n) {
    f.add(l[n - 1]);
    ASSERT_EQ(f.root(), m::root(std::span(l).subspan(0, n))) << n;
  }
}

TEST(Merkle, InclusionProofsVerifyAndDetectTampering) {
  auto l = leaves(37);
  auto r = m::root(l);
  for (std::uint64_t i = 0; i < l.size(); ++i) {
    auto proof = m::inclusion_proof(l, i);
    EXPECT_TRUE(m::verify_inclusion(l[i], i, l.size(), proof, r)) << i;
    EXPECT_FALSE(m::verify_inclusion(l[(i + 1) % l.size()], i, l.size(), proof, r)) << i;
  }
  EXPECT_FALSE(m::verify_inclusion(l[0], 40, l.size(), m::inclusion_proof(l, 0), r));
}

TEST(Merkle, ConsistencyProofsBetweenEveryPairOfSizes) {
  auto l = leaves(21);
  for (std::uint64_t a = 1; a <= l.size(); ++a) {
    for (std::uint64_t b = a; b <= l.size(); ++b) {
      auto old_root = m::root(std::span(l).subspan(0, a));
      auto new_root = m::root(std::span(l).subspan(0, b));
      auto proof = m::consistency_proof(std::span(l).subspan(0, b), a);
      ASSERT_TRUE(m::verify_consistency(a, b, old_root, new_root, proof)) << a << " " << b;
      if (a < b) {
        auto forged = old_root;
        forged[0] ^= 1;
        EXPECT_FALSE(m::verify_consistency(a, b, forged, new_root, proof)) << a << " " << b;
      }
    }
  }
}
