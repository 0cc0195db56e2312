// The sender's side of sharing: per signal whose pseudonyms are ready, the
// covenant's decision for each partner and one record per entitled partner
// in the durable outbox (corrections and withdrawals where a signal changed);
// and where each record stands, as the officer sees it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "node/federation/manifest.hpp"
#include "node/sharing/context.hpp"
#include "node/sharing/types.hpp"
#include "policies/policy.hpp"

namespace signalnode::node::sharing {

class Outbox {
 public:
  explicit Outbox(Context& ctx) : ctx_(ctx) {}

  // After a crash: batches that were being sent are queued again (the
  // receiver's idempotency makes a second delivery harmless).
  void recover();
  // Signals whose pseudonyms are all ready: decide each partner, queue
  // records. A signal granted to a partner in whose domain its identifiers
  // have no pseudonyms yet is linked and queued for them and waits (counted
  // in `awaiting`). Returns the number of signals decided.
  std::size_t share_ready(const policies::Policy& policy, const federation::Manifest& manifest,
                          const policies::Party& self, std::size_t max_signals = 200, std::size_t* awaiting = nullptr);

  // Catch-up (issue 18): a signal decided while a partner was not granted it
  // (absent from the manifest, its rule suspended or not yet in force) is
  // queued for that partner once a new covenant or manifest grants it, and
  // only for that partner: the others' records stay as they are. A walk over
  // the active decided signals in (created_at_ms, id) order, max_signals per
  // pass, restarted by each change; a signal older than the granting rule's
  // retention is left out (the partner would no longer hold it). Returns the
  // records queued; `awaiting` counts those waiting for pseudonyms in the
  // partner's domain (kept in catch_up_waiting and retried each pass).
  std::size_t catch_up(const policies::Policy& policy, const federation::Manifest& manifest,
                       const policies::Party& self, std::size_t max_signals = 200, std::size_t* awaiting = nullptr);

  [[nodiscard]] std::vector<PartnerState> state_of(const std::string& signal_id) const;
  // The same for a page of signals, in one read.
  [[nodiscard]] std::map<std::string, SignalProgress> progress_of(const std::vector<std::string>& signal_ids) const;
  [[nodiscard]] std::map<std::string, OutboxStats> outbox_stats() const;
  // Own signals with at least one partner past its rule's feedback period
  // (feedback_period_days in the covenant in force, counted from the receipt
  // that acknowledged the delivery) without an answer from it (feedback other
  // than `received`), counted per author: the signal's submitted_by
  // ("user:<username>" for a web user, the token id for an API client).
  // Active signals only; each signal counts once. For notifications.
  [[nodiscard]] std::map<std::string, int> no_answer_by_author(const policies::Policy& policy,
                                                               std::int64_t now_ms) const;

 private:
  Context& ctx_;
};

}  // namespace signalnode::node::sharing
