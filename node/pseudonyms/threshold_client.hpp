// The client side of a threshold PA (issue 15, BRIEF 3.8): the same blinded
// batch goes to the share holders one after another until t of them have
// answered with a proof that verifies against their own public share; their
// evaluations are combined into exactly the evaluation under the whole key. A
// holder that is down, answers for another index, answers off the group or
// with a proof that fails is named (for the log and metrics) and passed over,
// so the node keeps working while n - t holders are down or lying; nothing is
// combined from an answer whose proof did not verify.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "crypto/threshold.hpp"
#include "crypto/voprf.hpp"
#include "node/pseudonyms/key_ceremony.hpp"

namespace signalnode::node::pseudonyms {

struct ShareAnswer {
  crypto::threshold::ShareIndex index = 0;
  int epoch = 0;
  std::vector<crypto::threshold::Element> evaluated;
  crypto::voprf::Proof proof{};
};

// One share holder as a client reaches it (over mTLS, or in process).
class ShareHolder {
 public:
  virtual ~ShareHolder() = default;
  virtual const std::string& name() const = 0;                     // the holder's org, for logs
  virtual crypto::threshold::ShareIndex index() const = 0;         // as the key set lists it
  // Throws (any std::exception) when the holder cannot answer.
  virtual ShareAnswer evaluate(std::span<const crypto::threshold::Element> blinded) = 0;
};

// A holder with its share in this process (the PA node itself; tests).
class LocalShareHolder : public ShareHolder {
 public:
  LocalShareHolder(std::string name, crypto::threshold::Share share, int epoch)
      : name_(std::move(name)), share_(std::move(share)), epoch_(epoch) {}
  const std::string& name() const override { return name_; }
  crypto::threshold::ShareIndex index() const override { return share_.index; }
  ShareAnswer evaluate(std::span<const crypto::threshold::Element> blinded) override;

 private:
  std::string name_;
  crypto::threshold::Share share_;
  int epoch_;
};

struct FaultyHolder {
  std::string name;
  std::string why;  // never an element or an input
};

struct ThresholdEvaluation {
  std::vector<crypto::threshold::Element> combined;  // empty when fewer than t verified
  std::vector<std::string> answered;                 // the holders combined
  std::vector<FaultyHolder> faulty;
};

// Asks `holders` in order until `keys.threshold` verified answers; never
// throws for a holder's fault. `combined` is empty when too few verified.
ThresholdEvaluation evaluate_with_threshold(std::span<ShareHolder* const> holders, const PublicKeySet& keys,
                                            std::span<const crypto::threshold::Element> blinded);

}  // namespace signalnode::node::pseudonyms
