// The pseudonymisation authority's OPRF keys, one per key epoch, each in
// keys/oprf/epoch-NNNN.key (32-byte scalar, 0600). The newest epoch serves;
// older ones stay readable so an operator can explain old pseudonyms.
// A share holder of a threshold key (issue 15) holds keys/oprf/epoch-NNNN.share
// instead, as `signalnode pa ceremony` wrote it: that epoch's key is then its
// share k_i, and the PA answers as share i with a VOPRF proof (BRIEF 3.8).
#pragma once

#include <filesystem>
#include <cstdint>
#include <map>
#include <optional>

#include "crypto/oprf.hpp"

namespace signalnode::node::pseudonyms {

class OprfKeyring {
 public:
  // Throws when the folder holds no valid key.
  static OprfKeyring load(const std::filesystem::path& dir);
  // Writes the key of the next epoch (1 when none exists); returns its epoch.
  static int create_next_epoch(const std::filesystem::path& dir);

  int current_epoch() const { return keys_.rbegin()->first; }
  const crypto::oprf::Scalar& current() const { return keys_.rbegin()->second; }
  const crypto::oprf::Scalar* at(int epoch) const;
  // The share index when the current epoch's key is a share of a threshold key.
  std::optional<std::uint16_t> current_share_index() const;

 private:
  std::map<int, crypto::oprf::Scalar> keys_;
  std::map<int, std::uint16_t> share_index_;
};

}  // namespace signalnode::node::pseudonyms
