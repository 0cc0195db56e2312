// What t colluding share holders could do, and what tests use to compute a
// pseudonym without the nodes' threshold client: put the whole VOPRF key
// together from t share files (Lagrange interpolation at 0, libsodium's scalar
// arithmetic) and evaluate plain RFC 9497 VOPRF with it.
#pragma once

#include <sodium.h>

#include <cstring>
#include <filesystem>
#include <string_view>
#include <vector>

#include "crypto/threshold.hpp"
#include "crypto/voprf.hpp"
#include "node/pseudonyms/key_ceremony.hpp"

namespace signalnode::testing {

inline crypto::oprf::Scalar whole_key_from(const std::vector<std::filesystem::path>& share_files) {
  std::vector<crypto::threshold::Share> shares;
  std::vector<crypto::threshold::ShareIndex> indices;
  for (const auto& f : share_files) {
    shares.push_back(node::pseudonyms::load_share(f));
    indices.push_back(shares.back().index);
  }
  auto lambdas = crypto::threshold::lagrange_at_zero(indices);
  crypto::oprf::Scalar key;
  std::memset(key.data(), 0, crypto::oprf::kScalarBytes);
  for (std::size_t i = 0; i < shares.size(); ++i) {
    unsigned char term[crypto_core_ristretto255_SCALARBYTES];
    crypto_core_ristretto255_scalar_mul(term, lambdas->at(i).data(), shares[i].value.data());
    crypto_core_ristretto255_scalar_add(key.data(), key.data(), term);
  }
  return key;
}

// The demo node folder's share file of epoch `epoch`.
inline std::filesystem::path share_file_of(const std::filesystem::path& node_dir, int epoch = 1) {
  char name[32];
  std::snprintf(name, sizeof name, "epoch-%04d.share", epoch);
  return node_dir / "keys" / "oprf" / name;
}

inline crypto::oprf::Output voprf_output(const crypto::oprf::Scalar& key, std::string_view input) {
  auto b = crypto::voprf::blind(crypto::as_bytes(input));
  auto eval = crypto::voprf::blind_evaluate(key, std::span(&b->blinded_element, 1));
  return *crypto::voprf::finalize_verified(crypto::as_bytes(input), b->blind, eval.evaluated.at(0));
}

}  // namespace signalnode::testing
