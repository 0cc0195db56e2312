// What the sharing jobs share: the store, the pseudonymiser, the clock, and
// the matcher that keeps alerts current in every transaction that changes
// what an alert is made of.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "node/alerts/matching.hpp"
#include "node/pseudonyms/pseudonymiser.hpp"
#include "node/storage/store.hpp"

namespace signalnode::node::sharing {

struct Context {
  storage::Store& store;
  pseudonyms::Pseudonymiser& pseudonymiser;
  std::function<std::int64_t()> now_ms;
  alerts::Matcher matcher;
  // The newest time a partner's own clock vouched for since this process
  // started (a receipt's received_at, a batch's created_at): what confirms
  // that this node's clock did not jump, before retention deletes by it.
  std::atomic<std::int64_t> witnessed_ms{0};
  void witness(std::int64_t partner_ms) {
    std::int64_t seen = witnessed_ms.load();
    while (partner_ms > seen && !witnessed_ms.compare_exchange_weak(seen, partner_ms)) {
    }
  }

  // Re-evaluates the alerts of these subjects (adds the match keys), in the
  // caller's transaction.
  void refresh_alerts(storage::Database& db, std::vector<alerts::Subject> subjects, std::int64_t now);
  // The subjects of an own signal, from its sealed pseudonyms.
  std::vector<alerts::Subject> own_subjects(storage::Database& db, const std::string& signal_id) const;
};

}  // namespace signalnode::node::sharing
