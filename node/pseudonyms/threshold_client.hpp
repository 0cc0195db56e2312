// The client side of a threshold PA (issue 15, BRIEF 3.8): the same blinded
// batch goes to t share holders at once; each answer counts only when its proof
// verifies against that holder's own public share, and t such answers are
// combined into exactly the evaluation under the whole key. A holder that is
// down, stalls until its deadline, answers for another index or epoch, off the
// group or with a proof that fails is named (for the log and metrics) and the
// next holders are asked, again at once: a slow holder costs one deadline, not
// one per holder, and the node keeps working while n - t holders are down or
// lying. Nothing is combined from an answer whose proof did not verify.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "crypto/threshold.hpp"
#include "crypto/voprf.hpp"
#include "node/pseudonyms/key_ceremony.hpp"
#include "node/pseudonyms/oprf_transport.hpp"

namespace signalnode::node::pseudonyms {

struct ShareAnswer {
  crypto::threshold::ShareIndex index = 0;
  int epoch = 0;
  std::vector<crypto::threshold::Element> evaluated;
  crypto::voprf::Proof proof{};
};

// One share holder as a client reaches it (over mTLS, or in process). May be
// called from several threads at once.
class ShareHolder {
 public:
  virtual ~ShareHolder() = default;
  virtual const std::string& name() const = 0;                     // the holder's org, for logs
  virtual crypto::threshold::ShareIndex index() const = 0;         // as the key set lists it
  // Throws (any std::exception) when the holder cannot answer; TransportError
  // with a retry hint when it refuses for the caller's budget.
  virtual ShareAnswer evaluate(std::span<const crypto::threshold::Element> blinded) = 0;
};

// A holder with its share in this process (tests).
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

// A PA service in this process, called as `caller` with the same checks,
// budgets and record as over the network (tests, benchmarks).
class PaServiceHolder : public ShareHolder {
 public:
  PaServiceHolder(std::string name, PaService& pa, std::string caller)
      : name_(std::move(name)), pa_(pa), caller_(std::move(caller)) {}
  const std::string& name() const override { return name_; }
  crypto::threshold::ShareIndex index() const override;
  ShareAnswer evaluate(std::span<const crypto::threshold::Element> blinded) override;

 private:
  std::string name_;
  PaService& pa_;
  std::string caller_;
};

struct FaultyHolder {
  std::string name;
  std::string why;  // never an element or an input
  double retry_after_seconds = 0;  // when the holder refused for the caller's budget
};

struct ThresholdEvaluation {
  std::vector<crypto::threshold::Element> combined;  // empty when fewer than t verified
  std::vector<std::string> answered;                 // the holders combined
  std::vector<FaultyHolder> faulty;
};

// Asks `holders` in order, `keys.threshold` at a time and concurrently, until
// t answers verified or no holder is left; never throws for a holder's fault.
// `combined` is empty when too few verified.
ThresholdEvaluation evaluate_with_threshold(std::span<ShareHolder* const> holders, const PublicKeySet& keys,
                                            std::span<const crypto::threshold::Element> blinded);

// The key set of the epoch in force and its holders (from the manifest).
struct HolderSet {
  PublicKeySet keys;
  std::vector<std::shared_ptr<ShareHolder>> holders;
};

// How every node reaches the PA: t verified share answers, combined. A holder
// that failed is asked last for the next minute, so a down holder does not
// cost each batch a round.
class ThresholdTransport : public OprfTransport {
 public:
  using Provider = std::function<std::shared_ptr<const HolderSet>()>;
  using FaultReport = std::function<void(const FaultyHolder&)>;
  explicit ThresholdTransport(Provider provider, FaultReport report = {})
      : provider_(std::move(provider)), report_(std::move(report)) {}
  std::size_t max_batch() const override { return 1000; }
  // The combined elements and the epoch; throws TransportError naming the
  // faulty holders when fewer than t answers verified.
  PaAnswer evaluate(std::span<const crypto::oprf::Element> blinded) override;

 private:
  Provider provider_;
  FaultReport report_;
  std::mutex mutex_;
  std::map<std::string, std::chrono::steady_clock::time_point> failed_at_;
  std::size_t next_ = 0;  // where the next batch starts among the healthy holders
};

}  // namespace signalnode::node::pseudonyms
