// The pseudonymisation authority's OPRF keys, one per key epoch, each in
// keys/oprf/epoch-NNNN.key (32-byte scalar, 0600). The newest epoch serves;
// older ones stay readable so an operator can explain old pseudonyms.
#pragma once

#include <filesystem>
#include <map>

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

 private:
  std::map<int, crypto::oprf::Scalar> keys_;
};

}  // namespace signalnode::node::pseudonyms
