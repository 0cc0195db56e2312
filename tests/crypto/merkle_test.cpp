#include "crypto/merkle.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

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

// RFC 6962's reference tree: the eight leaf inputs of the Certificate
// Transparency test data, its tree heads, paths and consistency proofs, as
// published in google/certificate-transparency cpp/merkletree/merkle_tree_test.cc
// (kInputs, kSHA256Roots, kSHA256Paths, kSHA256Proofs) and again in
// transparency-dev/merkle proof/verify_test.go, which adds the 6 -> 7 proof.
// Values computed by our own code would only prove it agrees with itself.
namespace ref {

const char* const kInputs[] = {
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f",
};

// The tree heads of the first 1..8 inputs.
const char* const kRoots[] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

struct Inclusion {
  std::uint64_t index;  // from 0; the reference counts leaves from 1
  std::uint64_t size;
  std::vector<const char*> proof;
};
const Inclusion kInclusion[] = {
    {0, 1, {}},
    {0, 8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {5, 8,
     {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    {1, 5,
     {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};

struct Consistency {
  std::uint64_t old_size;
  std::uint64_t new_size;
  std::vector<const char*> proof;
};
const Consistency kConsistency[] = {
    {1, 1, {}},
    {1, 8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {6, 8,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 5,
     {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    {6, 7,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
};

}  // namespace ref

namespace {

c::Digest256 digest(std::string_view hex) {
  c::Digest256 d{};
  auto bytes = c::from_hex(hex);
  EXPECT_TRUE(bytes && bytes->size() == d.size()) << hex;
  if (bytes && bytes->size() == d.size()) std::copy(bytes->begin(), bytes->end(), d.begin());
  return d;
}

std::vector<c::Digest256> digests(const std::vector<const char*>& hex) {
  std::vector<c::Digest256> out;
  for (const char* h : hex) out.push_back(digest(h));
  return out;
}

std::vector<c::Digest256> reference_leaves() {
  std::vector<c::Digest256> out;
  for (const char* input : ref::kInputs) {
    auto bytes = c::from_hex(input);
    EXPECT_TRUE(bytes) << input;
    out.push_back(m::leaf_hash(bytes ? c::ByteView(*bytes) : c::ByteView{}));
  }
  return out;
}

c::Digest256 flipped(c::Digest256 d, std::size_t bit) {
  d[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
  return d;
}

// The leaves with the root of every prefix: roots[n] is the tree of the first n.
struct Tree {
  explicit Tree(std::vector<c::Digest256> l) : leaves(std::move(l)) {
    for (std::size_t n = 0; n <= leaves.size(); ++n) roots.push_back(m::root(first(n)));
  }
  std::span<const c::Digest256> first(std::uint64_t n) const { return std::span(leaves).subspan(0, n); }
  std::vector<c::Digest256> leaves;
  std::vector<c::Digest256> roots;
};

// The proof with one hash added or taken away at either end.
std::vector<std::pair<std::string, std::vector<c::Digest256>>> resized(const std::vector<c::Digest256>& proof,
                                                                      const std::vector<c::Digest256>& extras) {
  std::vector<std::pair<std::string, std::vector<c::Digest256>>> out;
  if (!proof.empty()) {
    out.emplace_back("without the last hash", std::vector(proof.begin(), proof.end() - 1));
    out.emplace_back("without the first hash", std::vector(proof.begin() + 1, proof.end()));
  }
  for (std::size_t k = 0; k < extras.size(); ++k) {
    auto longer = proof;
    longer.push_back(extras[k]);
    out.emplace_back("extra hash " + std::to_string(k) + " at the end", longer);
    longer = proof;
    longer.insert(longer.begin(), extras[k]);
    out.emplace_back("extra hash " + std::to_string(k) + " in front", longer);
  }
  return out;
}

// Which bits to flip in a hash: all 256 for the reference proofs; one per
// hash elsewhere, moving with the arguments so every bit position is met.
std::vector<std::size_t> bits_to_flip(bool every_bit, std::uint64_t seed) {
  if (!every_bit) return {static_cast<std::size_t>(seed * 37 % 256)};
  std::vector<std::size_t> all(256);
  for (std::size_t b = 0; b < all.size(); ++b) all[b] = b;
  return all;
}

// Tries every near miss of the valid inclusion proof `proof` for leaf
// `index` of the tree's first `size` leaves; returns those the verifier
// accepted (each one a bug).
std::vector<std::string> accepted_inclusion_probes(const Tree& t, std::uint64_t index, std::uint64_t size,
                                                   const std::vector<c::Digest256>& proof, bool every_bit) {
  std::vector<std::string> accepted;
  const std::string at = " (leaf " + std::to_string(index) + " of " + std::to_string(size) + ")";
  const auto& leaf = t.leaves[index];
  const auto& root = t.roots[size];
  auto reject = [&](bool ok, const std::string& what) {
    if (ok) accepted.push_back(what + at);
  };
  // Wrong leaf index: every other position, past the end, and the wrapped -1.
  for (std::uint64_t j = 0; j <= size + 1; ++j) {
    if (j == index) continue;
    reject(m::verify_inclusion(leaf, j, size, proof, root), "index " + std::to_string(j));
    if (j < size) {
      reject(m::verify_inclusion(t.leaves[j], j, size, proof, root), "leaf " + std::to_string(j) + " at its own index");
    }
  }
  reject(m::verify_inclusion(leaf, index - 1, size, proof, root), "index - 1 (wrapped)");
  // Wrong tree size, with the root a verifier holding that tree head has:
  // every other size up to the tree's leaves...
  for (std::uint64_t n = 0; n < t.roots.size(); ++n) {
    if (n != size) {
      reject(m::verify_inclusion(leaf, index, n, proof, t.roots[n]), "size " + std::to_string(n) + " with its root");
    }
  }
  // ...and the reference test's wrong heights against this root. Not every
  // size against this root: where the path from this leaf has the same shape
  // (leaf 0 in 5 or 6 leaves, say) the proof rebuilds this root whatever size
  // is claimed. RFC 9162 binds the size through the signed tree head, not the
  // proof, which is why `audit check` verifies the head's signature over both.
  reject(m::verify_inclusion(leaf, index, size * 2, proof, root), "size * 2");
  reject(m::verify_inclusion(leaf, index, size / 2, proof, root), "size / 2");
  // Wrong leaf.
  for (std::size_t bit : bits_to_flip(every_bit, index + size)) {
    reject(m::verify_inclusion(flipped(leaf, bit), index, size, proof, root), "leaf bit " + std::to_string(bit));
  }
  // One hash more or less.
  for (const auto& [what, wrong] : resized(proof, {c::Digest256{}, root, leaf})) {
    reject(m::verify_inclusion(leaf, index, size, wrong, root), what);
  }
  // One bit flipped in a proof hash, or in the root.
  for (std::size_t k = 0; k < proof.size(); ++k) {
    for (std::size_t bit : bits_to_flip(every_bit, index + size + k)) {
      auto wrong = proof;
      wrong[k] = flipped(wrong[k], bit);
      reject(m::verify_inclusion(leaf, index, size, wrong, root),
             "proof[" + std::to_string(k) + "] bit " + std::to_string(bit));
    }
  }
  for (std::size_t bit : bits_to_flip(every_bit, index * 3 + size)) {
    reject(m::verify_inclusion(leaf, index, size, proof, flipped(root, bit)), "root bit " + std::to_string(bit));
  }
  return accepted;
}

// The same for the consistency proof `proof` from the tree's first
// `old_size` leaves to its first `new_size`.
std::vector<std::string> accepted_consistency_probes(const Tree& t, std::uint64_t old_size, std::uint64_t new_size,
                                                     const std::vector<c::Digest256>& proof, bool every_bit) {
  std::vector<std::string> accepted;
  const std::string at = " (" + std::to_string(old_size) + " -> " + std::to_string(new_size) + ")";
  const auto& old_root = t.roots[old_size];
  const auto& new_root = t.roots[new_size];
  auto reject = [&](bool ok, const std::string& what) {
    if (ok) accepted.push_back(what + at);
  };
  // Wrong old size: every other one, with these roots and with its own (the
  // proof must rebuild the old root, which pins the old size).
  for (std::uint64_t n = 0; n < t.roots.size(); ++n) {
    if (n == old_size) continue;
    reject(m::verify_consistency(n, new_size, old_root, new_root, proof), "old size " + std::to_string(n));
    reject(m::verify_consistency(n, new_size, t.roots[n], new_root, proof),
           "old size " + std::to_string(n) + " with its root");
  }
  // Wrong new size: every other one with its root, and the reference test's
  // wrong heights against this root (see the inclusion probes for why not
  // every size against this root).
  for (std::uint64_t n = 0; n < t.roots.size(); ++n) {
    if (n != new_size) {
      reject(m::verify_consistency(old_size, n, old_root, t.roots[n], proof),
             "new size " + std::to_string(n) + " with its root");
    }
  }
  reject(m::verify_consistency(old_size ^ 2, new_size, old_root, new_root, proof), "old size ^ 2");
  reject(m::verify_consistency(old_size, new_size * 2, old_root, new_root, proof), "new size * 2");
  reject(m::verify_consistency(old_size, new_size / 2, old_root, new_root, proof), "new size / 2");
  // Wrong roots.
  if (old_size != new_size) {
    reject(m::verify_consistency(old_size, new_size, new_root, old_root, proof), "swapped roots");
    reject(m::verify_consistency(old_size, new_size, new_root, new_root, proof), "new root for both");
    reject(m::verify_consistency(old_size, new_size, old_root, old_root, proof), "old root for both");
  }
  for (std::size_t bit : bits_to_flip(every_bit, old_size + new_size)) {
    reject(m::verify_consistency(old_size, new_size, flipped(old_root, bit), new_root, proof),
           "old root bit " + std::to_string(bit));
    reject(m::verify_consistency(old_size, new_size, old_root, flipped(new_root, bit), proof),
           "new root bit " + std::to_string(bit));
  }
  // One hash more or less.
  std::vector<c::Digest256> extras = {c::Digest256{}, old_root, new_root};
  if (!proof.empty()) extras.push_back(proof.front());
  for (const auto& [what, wrong] : resized(proof, extras)) {
    reject(m::verify_consistency(old_size, new_size, old_root, new_root, wrong), what);
  }
  // One bit flipped in a proof hash.
  for (std::size_t k = 0; k < proof.size(); ++k) {
    for (std::size_t bit : bits_to_flip(every_bit, old_size * 5 + new_size + k)) {
      auto wrong = proof;
      wrong[k] = flipped(wrong[k], bit);
      reject(m::verify_consistency(old_size, new_size, old_root, new_root, wrong),
             "proof[" + std::to_string(k) + "] bit " + std::to_string(bit));
    }
  }
  return accepted;
}

// From the definition (RFC 9162 2.1.1), not from the verifier's bit tricks:
// the side each hash of a leaf's inclusion proof joins on, leaf to root
// (true: the proof's hash is the left child).
std::vector<bool> path_shape(std::uint64_t index, std::uint64_t size) {
  if (size <= 1) return {};
  std::uint64_t k = 1;
  while (k * 2 < size) k *= 2;
  auto shape = index < k ? path_shape(index, k) : path_shape(index - k, size - k);
  shape.push_back(index >= k);
  return shape;
}

std::string listed(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < 20; ++i) out += "\n  " + items[i];
  if (items.size() > 20) out += "\n  ... and " + std::to_string(items.size() - 20) + " more";
  return out;
}

}  // namespace

TEST(Merkle, ReferenceTreeHeadsOfTheCertificateTransparencyTestData) {
  Tree t(reference_leaves());
  EXPECT_EQ(c::to_hex(t.roots[0]), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  m::Frontier f;
  for (std::size_t n = 1; n <= 8; ++n) {
    f.add(t.leaves[n - 1]);
    EXPECT_EQ(c::to_hex(t.roots[n]), ref::kRoots[n - 1]) << "size " << n;
    EXPECT_EQ(c::to_hex(f.root()), ref::kRoots[n - 1]) << "frontier, size " << n;
  }
}

TEST(Merkle, ReferenceInclusionProofsAreProducedAcceptedAndTheirNearMissesRejected) {
  Tree t(reference_leaves());
  for (const auto& v : ref::kInclusion) {
    auto expected = digests(v.proof);
    EXPECT_EQ(m::inclusion_proof(t.first(v.size), v.index), expected) << "leaf " << v.index << " of " << v.size;
    EXPECT_TRUE(m::verify_inclusion(t.leaves[v.index], v.index, v.size, expected, t.roots[v.size]))
        << "leaf " << v.index << " of " << v.size;
    auto accepted = accepted_inclusion_probes(t, v.index, v.size, expected, /*every_bit=*/true);
    EXPECT_TRUE(accepted.empty()) << "accepted:" << listed(accepted);
  }
}

TEST(Merkle, ReferenceConsistencyProofsAreProducedAcceptedAndTheirNearMissesRejected) {
  Tree t(reference_leaves());
  for (const auto& v : ref::kConsistency) {
    auto expected = digests(v.proof);
    EXPECT_EQ(m::consistency_proof(t.first(v.new_size), v.old_size), expected) << v.old_size << " -> " << v.new_size;
    EXPECT_TRUE(m::verify_consistency(v.old_size, v.new_size, t.roots[v.old_size], t.roots[v.new_size], expected))
        << v.old_size << " -> " << v.new_size;
    auto accepted = accepted_consistency_probes(t, v.old_size, v.new_size, expected, /*every_bit=*/true);
    EXPECT_TRUE(accepted.empty()) << "accepted:" << listed(accepted);
  }
}

TEST(Merkle, InclusionNearMissesAreRejectedForEveryLeafOfEverySizeUpTo64) {
  Tree t(leaves(65));  // one leaf more, so "size + 1 with its root" exists for 64 too
  std::vector<std::string> accepted;
  for (std::uint64_t size = 1; size <= 64; ++size) {
    for (std::uint64_t index = 0; index < size; ++index) {
      auto proof = m::inclusion_proof(t.first(size), index);
      ASSERT_TRUE(m::verify_inclusion(t.leaves[index], index, size, proof, t.roots[size])) << index << " of " << size;
      auto wrong = accepted_inclusion_probes(t, index, size, proof, /*every_bit=*/false);
      accepted.insert(accepted.end(), wrong.begin(), wrong.end());
    }
  }
  EXPECT_TRUE(accepted.empty()) << accepted.size() << " accepted:" << listed(accepted);
}

TEST(Merkle, ConsistencyNearMissesAreRejectedForEveryPairOfSizesUpTo64) {
  Tree t(leaves(65));
  std::vector<std::string> accepted;
  for (std::uint64_t new_size = 1; new_size <= 64; ++new_size) {
    for (std::uint64_t old_size = 1; old_size <= new_size; ++old_size) {
      auto proof = m::consistency_proof(t.first(new_size), old_size);
      ASSERT_TRUE(m::verify_consistency(old_size, new_size, t.roots[old_size], t.roots[new_size], proof))
          << old_size << " -> " << new_size;
      auto wrong = accepted_consistency_probes(t, old_size, new_size, proof, /*every_bit=*/false);
      accepted.insert(accepted.end(), wrong.begin(), wrong.end());
    }
  }
  EXPECT_TRUE(accepted.empty()) << accepted.size() << " accepted:" << listed(accepted);
}

TEST(Merkle, AnInclusionProofFitsNoOtherLeafAndSizeWhosePathHasAnotherShape) {
  // The probes above change one thing at a time. A forger changes index and
  // size together: the proof for leaf 4 of 8, say, replayed as leaf 0 of a
  // 4-leaf tree, rebuilds the right half and then, with the hash it has to
  // spare, the root. The verifier replays a proof by the claimed index and
  // size alone, so against the same root it may accept only a claim whose
  // path joins the same hashes on the same sides.
  constexpr std::uint64_t kMax = 32;
  Tree t(leaves(kMax));
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::vector<bool>> shapes;
  for (std::uint64_t n = 1; n <= kMax; ++n) {
    for (std::uint64_t j = 0; j < n; ++j) shapes[{j, n}] = path_shape(j, n);
  }
  std::vector<std::string> accepted;
  for (std::uint64_t size = 1; size <= kMax; ++size) {
    for (std::uint64_t index = 0; index < size; ++index) {
      const auto& own = shapes.at({index, size});
      auto proof = m::inclusion_proof(t.first(size), index);
      ASSERT_EQ(proof.size(), own.size()) << index << " of " << size;
      for (const auto& [claim, shape] : shapes) {
        if (shape == own) continue;
        if (m::verify_inclusion(t.leaves[index], claim.first, claim.second, proof, t.roots[size])) {
          accepted.push_back("leaf " + std::to_string(index) + " of " + std::to_string(size) + " as leaf " +
                             std::to_string(claim.first) + " of " + std::to_string(claim.second));
        }
      }
    }
  }
  EXPECT_TRUE(accepted.empty()) << accepted.size() << " accepted:" << listed(accepted);
}
