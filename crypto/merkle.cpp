#include "crypto/merkle.hpp"

namespace signalnode::crypto::merkle {

namespace {

std::uint64_t largest_power_of_two_below(std::uint64_t n) {
  std::uint64_t k = 1;
  while (k << 1 < n) k <<= 1;
  return k;
}

void subproof(std::span<const Digest256> d, std::uint64_t m, bool complete, std::vector<Digest256>& out) {
  const std::uint64_t n = d.size();
  if (m == n) {
    if (!complete) out.push_back(root(d));
    return;
  }
  std::uint64_t k = largest_power_of_two_below(n);
  if (m <= k) {
    subproof(d.subspan(0, k), m, complete, out);
    out.push_back(root(d.subspan(k)));
  } else {
    subproof(d.subspan(k), m - k, false, out);
    out.push_back(root(d.subspan(0, k)));
  }
}

}  // namespace

namespace {
// One hashing context per thread, reused: a fresh one per hash cost more than
// the hash itself at a million leaves.
Sha256& hasher() {
  thread_local Sha256 h;
  return h;
}
}  // namespace

Digest256 leaf_hash(ByteView leaf) {
  static const std::uint8_t kLeaf = 0x00;
  return hasher().update({&kLeaf, 1}).update(leaf).finish();
}

Digest256 node_hash(const Digest256& left, const Digest256& right) {
  static const std::uint8_t kNode = 0x01;
  return hasher().update({&kNode, 1}).update(left).update(right).finish();
}

Digest256 root(std::span<const Digest256> leaves) {
  if (leaves.empty()) return sha256({});
  if (leaves.size() == 1) return leaves[0];
  std::uint64_t k = largest_power_of_two_below(leaves.size());
  return node_hash(root(leaves.subspan(0, k)), root(leaves.subspan(k)));
}

void Frontier::add(const Digest256& leaf) {
  stack_.emplace_back(0, leaf);
  while (stack_.size() >= 2 && stack_[stack_.size() - 2].first == stack_.back().first) {
    auto right = stack_.back();
    stack_.pop_back();
    auto& left = stack_.back();
    left.second = node_hash(left.second, right.second);
    left.first += 1;
  }
  ++size_;
}

Digest256 Frontier::root() const {
  if (stack_.empty()) return sha256({});
  Digest256 r = stack_.back().second;
  for (auto it = stack_.rbegin() + 1; it != stack_.rend(); ++it) r = node_hash(it->second, r);
  return r;
}

std::vector<Digest256> inclusion_proof(std::span<const Digest256> leaves, std::uint64_t index) {
  std::vector<Digest256> path;
  std::span<const Digest256> d = leaves;
  std::uint64_t m = index;
  std::vector<Digest256> reversed;
  while (d.size() > 1) {
    std::uint64_t k = largest_power_of_two_below(d.size());
    if (m < k) {
      reversed.push_back(root(d.subspan(k)));
      d = d.subspan(0, k);
    } else {
      reversed.push_back(root(d.subspan(0, k)));
      d = d.subspan(k);
      m -= k;
    }
  }
  path.assign(reversed.rbegin(), reversed.rend());
  return path;
}

bool verify_inclusion(const Digest256& leaf, std::uint64_t index, std::uint64_t size, std::span<const Digest256> proof,
                      const Digest256& expected_root) {
  if (index >= size) return false;
  std::uint64_t fn = index, sn = size - 1;
  Digest256 r = leaf;
  for (const auto& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) == 1 || fn == sn) {
      r = node_hash(p, r);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = node_hash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == expected_root;
}

std::vector<Digest256> consistency_proof(std::span<const Digest256> leaves, std::uint64_t old_size) {
  std::vector<Digest256> out;
  if (old_size == 0 || old_size >= leaves.size()) return out;
  subproof(leaves, old_size, true, out);
  return out;
}

bool verify_consistency(std::uint64_t old_size, std::uint64_t new_size, const Digest256& old_root,
                        const Digest256& new_root, std::span<const Digest256> proof) {
  if (old_size == 0 || old_size > new_size) return false;
  if (old_size == new_size) return proof.empty() && old_root == new_root;
  std::vector<Digest256> path(proof.begin(), proof.end());
  if ((old_size & (old_size - 1)) == 0) path.insert(path.begin(), old_root);
  if (path.empty()) return false;
  std::uint64_t fn = old_size - 1, sn = new_size - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Digest256 fr = path[0], sr = path[0];
  for (std::size_t i = 1; i < path.size(); ++i) {
    const auto& c = path[i];
    if (sn == 0) return false;
    if ((fn & 1) == 1 || fn == sn) {
      fr = node_hash(c, fr);
      sr = node_hash(c, sr);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = node_hash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == old_root && sr == new_root && sn == 0;
}

}  // namespace signalnode::crypto::merkle
