// What the sharing jobs share: the store, the pseudonymiser, the clock, and
// the matcher that keeps alerts current in every transaction that changes
// what an alert is made of.
#pragma once

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

  // Re-evaluates the alerts of these subjects (adds the match keys), in the
  // caller's transaction.
  void refresh_alerts(storage::Database& db, std::vector<alerts::Subject> subjects, std::int64_t now);
  // The subjects of an own signal, from its sealed pseudonyms.
  std::vector<alerts::Subject> own_subjects(storage::Database& db, const std::string& signal_id) const;
};

}  // namespace signalnode::node::sharing
