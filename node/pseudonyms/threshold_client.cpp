#include "node/pseudonyms/threshold_client.hpp"

#include <algorithm>
#include <exception>

namespace signalnode::node::pseudonyms {
namespace th = crypto::threshold;

ShareAnswer LocalShareHolder::evaluate(std::span<const th::Element> blinded) {
  auto eval = crypto::voprf::blind_evaluate(share_.value, blinded);
  if (eval.invalid_index) throw std::invalid_argument("a blinded element is not a valid group element");
  return {share_.index, epoch_, std::move(eval.evaluated), eval.proof};
}

namespace {
// Why an answer cannot be used, or empty when its proof verifies against the
// public share of the index the key set gives this holder.
std::string check(const ShareAnswer& a, const ShareHolder& holder, const PublicKeySet& keys,
                  std::span<const th::Element> blinded) {
  if (a.epoch != keys.epoch) return "answered for key epoch " + std::to_string(a.epoch) + ", not " + std::to_string(keys.epoch);
  if (a.index != holder.index()) return "answered as share " + std::to_string(a.index) + ", not its own";
  auto share = std::find_if(keys.shares.begin(), keys.shares.end(), [&](const th::PublicShare& s) { return s.index == a.index; });
  if (share == keys.shares.end()) return "its share index is not in the key set";
  if (a.evaluated.size() != blinded.size()) return "answered with the wrong number of elements";
  for (const auto& e : a.evaluated) {
    if (!crypto::oprf::is_valid_element(e)) return "answered with an element off the group";
  }
  if (!crypto::voprf::verify_proof(share->point, blinded, a.evaluated, a.proof)) {
    return "its proof does not verify against its public share";
  }
  return {};
}
}  // namespace

ThresholdEvaluation evaluate_with_threshold(std::span<ShareHolder* const> holders, const PublicKeySet& keys,
                                            std::span<const th::Element> blinded) {
  ThresholdEvaluation out;
  std::vector<th::HolderEvaluation> verified;
  for (ShareHolder* holder : holders) {
    if (verified.size() >= keys.threshold) break;
    ShareAnswer answer;
    try {
      answer = holder->evaluate(blinded);
    } catch (const std::exception& e) {
      out.faulty.push_back({holder->name(), std::string("did not answer: ") + e.what()});
      continue;
    }
    if (auto why = check(answer, *holder, keys, blinded); !why.empty()) {
      out.faulty.push_back({holder->name(), why});
      continue;
    }
    verified.push_back({answer.index, std::move(answer.evaluated)});
    out.answered.push_back(holder->name());
  }
  if (verified.size() < keys.threshold) return out;
  if (auto combined = th::combine(verified, keys.threshold)) out.combined = std::move(*combined);
  return out;
}

}  // namespace signalnode::node::pseudonyms
