// A whole-key PA in this process (BRIEF 3.8: n = t = 1, share index 0,
// P_0 = pkS), reached through the same ThresholdTransport every node uses, so
// unit tests exercise proofs and combination as nodes do. `key()` is there for
// tests that compute the expected pseudonym themselves.
#pragma once

#include <cstring>
#include <filesystem>
#include <memory>
#include <string>

#include "crypto/threshold.hpp"
#include "node/pseudonyms/oprf_keyring.hpp"
#include "node/pseudonyms/pa_service.hpp"
#include "node/pseudonyms/threshold_client.hpp"

namespace signalnode::testing {

class LocalPa {
 public:
  explicit LocalPa(const std::filesystem::path& key_dir, node::pseudonyms::PaLimits limits = {},
                   node::pseudonyms::PaObserver observer = {}, std::string caller = "gemeente-test") {
    if (!std::filesystem::exists(key_dir)) node::pseudonyms::OprfKeyring::create_next_epoch(key_dir);
    auto ring = node::pseudonyms::OprfKeyring::load(key_dir);
    std::memcpy(key_.data(), ring.current().data(), crypto::oprf::kScalarBytes);
    pa_ = std::make_unique<node::pseudonyms::PaService>(std::move(ring), limits, std::move(observer));
    auto set = std::make_shared<node::pseudonyms::HolderSet>();
    auto dealing = crypto::threshold::whole_key(key_);
    set->keys.epoch = pa_->current_epoch();
    set->keys.threshold = 1;
    set->keys.group_public_key = dealing.group_public_key;
    set->keys.shares = dealing.public_shares;
    set->holders.push_back(std::make_shared<node::pseudonyms::PaServiceHolder>("pa-test", *pa_, std::move(caller)));
    holders_ = set;
    transport_ = std::make_unique<node::pseudonyms::ThresholdTransport>([this] { return holders_; });
  }

  node::pseudonyms::PaService& service() { return *pa_; }
  node::pseudonyms::OprfTransport& transport() { return *transport_; }
  const crypto::oprf::Scalar& key() const { return key_; }
  // The pseudonym of `input` (OIN:KIND:CANONICAL) under the whole key.
  crypto::oprf::Output pseudonym(std::string_view input) const {
    auto b = crypto::voprf::blind(crypto::as_bytes(input));
    auto eval = crypto::voprf::blind_evaluate(key_, std::span(&b->blinded_element, 1));
    return *crypto::voprf::finalize_verified(crypto::as_bytes(input), b->blind, eval.evaluated.at(0));
  }

 private:
  crypto::oprf::Scalar key_;
  std::unique_ptr<node::pseudonyms::PaService> pa_;
  std::shared_ptr<const node::pseudonyms::HolderSet> holders_;
  std::unique_ptr<node::pseudonyms::ThresholdTransport> transport_;
};

}  // namespace signalnode::testing
