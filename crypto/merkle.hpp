// RFC 9162 section 2.1 Merkle Tree Hash over SHA-256, with inclusion and
// consistency proofs, for the audit log. leaf = SHA-256(0x00 || data),
// node = SHA-256(0x01 || left || right).
#pragma once

#include <span>
#include <vector>

#include "crypto/sha256.hpp"

namespace signalnode::crypto::merkle {

Digest256 leaf_hash(ByteView leaf);
Digest256 node_hash(const Digest256& left, const Digest256& right);
// MTH of the given leaf hashes (the empty tree is SHA-256 of nothing).
Digest256 root(std::span<const Digest256> leaves);

// A running root, one leaf at a time, in O(log n) memory: the right edge of
// the tree as perfect subtrees.
class Frontier {
 public:
  void add(const Digest256& leaf);
  std::uint64_t size() const { return size_; }
  Digest256 root() const;

 private:
  std::vector<std::pair<int, Digest256>> stack_;  // (height, hash), heights strictly decreasing
  std::uint64_t size_ = 0;
};

std::vector<Digest256> inclusion_proof(std::span<const Digest256> leaves, std::uint64_t index);
[[nodiscard]] bool verify_inclusion(const Digest256& leaf, std::uint64_t index, std::uint64_t size,
                                    std::span<const Digest256> proof, const Digest256& root);
std::vector<Digest256> consistency_proof(std::span<const Digest256> leaves, std::uint64_t old_size);
[[nodiscard]] bool verify_consistency(std::uint64_t old_size, std::uint64_t new_size, const Digest256& old_root,
                                      const Digest256& new_root, std::span<const Digest256> proof);

}  // namespace signalnode::crypto::merkle
