#include "node/pseudonyms/threshold_client.hpp"

#include <algorithm>
#include <exception>
#include <future>

namespace signalnode::node::pseudonyms {
namespace th = crypto::threshold;

ShareAnswer LocalShareHolder::evaluate(std::span<const th::Element> blinded) {
  auto eval = crypto::voprf::blind_evaluate(share_.value, blinded);
  if (eval.invalid_index) throw std::invalid_argument("a blinded element is not a valid group element");
  return {share_.index, epoch_, std::move(eval.evaluated), eval.proof};
}

th::ShareIndex PaServiceHolder::index() const { return pa_.share_index(); }

ShareAnswer PaServiceHolder::evaluate(std::span<const th::Element> blinded) {
  PaResult r = pa_.evaluate(caller_, blinded);
  if (auto* refusal = std::get_if<PaRefusal>(&r)) {
    throw TransportError("refused: " + refusal->error.field + " " + refusal->error.reason, refusal->retry_after_seconds);
  }
  auto& a = std::get<PaAnswer>(r);
  if (!a.proof || !a.share_index) throw std::runtime_error("answered without a proof");
  return {*a.share_index, a.key_epoch, std::move(a.evaluated), *a.proof};
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

// A holder's answer with the reason it cannot be used (empty when its proof
// verified). Checked on the asking thread, so the t proofs of a batch are
// verified in parallel, as the holders evaluate in parallel.
struct Checked {
  ShareAnswer answer;
  std::string why;
};
struct Asked {
  ShareHolder* holder;
  std::future<Checked> answer;
};
}  // namespace

ThresholdEvaluation evaluate_with_threshold(std::span<ShareHolder* const> holders, const PublicKeySet& keys,
                                            std::span<const th::Element> blinded) {
  ThresholdEvaluation out;
  std::vector<th::HolderEvaluation> verified;
  std::size_t next = 0;
  while (verified.size() < keys.threshold && next < holders.size()) {
    // As many holders as answers are missing, all at once.
    std::vector<Asked> round;
    for (std::size_t missing = keys.threshold - verified.size(); missing > 0 && next < holders.size(); --missing) {
      ShareHolder* h = holders[next++];
      round.push_back({h, std::async(std::launch::async, [h, blinded, &keys] {
                         Checked c{h->evaluate(blinded), {}};
                         c.why = check(c.answer, *h, keys, blinded);
                         return c;
                       })});
    }
    for (auto& asked : round) {
      Checked checked;
      try {
        checked = asked.answer.get();
      } catch (const TransportError& e) {
        out.faulty.push_back({asked.holder->name(), std::string("did not answer: ") + e.what(), e.retry_after()});
        continue;
      } catch (const std::exception& e) {
        out.faulty.push_back({asked.holder->name(), std::string("did not answer: ") + e.what(), 0});
        continue;
      }
      if (!checked.why.empty()) {
        out.faulty.push_back({asked.holder->name(), checked.why, 0});
        continue;
      }
      const auto repeated = std::find_if(verified.begin(), verified.end(), [&](const th::HolderEvaluation& v) {
        return v.index == checked.answer.index;
      });
      if (repeated != verified.end()) {
        out.faulty.push_back({asked.holder->name(), "answered as a share index another holder already answered as", 0});
        continue;
      }
      verified.push_back({checked.answer.index, std::move(checked.answer.evaluated)});
      out.answered.push_back(asked.holder->name());
    }
  }
  if (verified.size() < keys.threshold) return out;
  if (auto combined = th::combine(verified, keys.threshold)) {
    out.combined = std::move(*combined);
  } else {
    for (const auto& name : out.answered) out.faulty.push_back({name, "its answer could not be combined with the others", 0});
    out.answered.clear();
  }
  return out;
}

PaAnswer ThresholdTransport::evaluate(std::span<const crypto::oprf::Element> blinded) {
  auto set = provider_();
  if (!set || set->holders.empty()) throw TransportError("no pseudonymisation authority is configured");
  constexpr auto kAskLast = std::chrono::minutes(1);
  const auto now = std::chrono::steady_clock::now();
  // Healthy holders first, taking turns; recently failed ones after them.
  std::vector<ShareHolder*> order;
  {
    std::lock_guard lock(mutex_);
    std::vector<ShareHolder*> healthy, failed;
    for (const auto& h : set->holders) {
      auto f = failed_at_.find(h->name());
      (f != failed_at_.end() && now - f->second < kAskLast ? failed : healthy).push_back(h.get());
    }
    if (!healthy.empty()) std::rotate(healthy.begin(), healthy.begin() + static_cast<std::ptrdiff_t>(next_++ % healthy.size()), healthy.end());
    order = std::move(healthy);
    order.insert(order.end(), failed.begin(), failed.end());
  }
  auto r = evaluate_with_threshold(order, set->keys, blinded);
  double retry = 0;
  std::string faults;
  {
    std::lock_guard lock(mutex_);
    for (const auto& f : r.faulty) failed_at_[f.name] = now;
    for (const auto& name : r.answered) failed_at_.erase(name);
  }
  for (const auto& f : r.faulty) {
    if (report_) report_(f);
    retry = std::max(retry, f.retry_after_seconds);
    faults += (faults.empty() ? "" : "; ") + f.name + " " + f.why;
  }
  if (r.combined.empty()) {
    throw TransportError(std::to_string(r.answered.size()) + " of the " + std::to_string(set->keys.threshold) +
                             " share holders needed answered with a valid proof (" + faults + ")",
                         retry);
  }
  PaAnswer answer;
  answer.evaluated = std::move(r.combined);
  answer.key_epoch = set->keys.epoch;
  return answer;
}

}  // namespace signalnode::node::pseudonyms
