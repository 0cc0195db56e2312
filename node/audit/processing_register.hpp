// The register of processing activities (LDV "Register", AVG art. 30) that
// every node publishes (GET /api/v1/processing-register): one entry per
// covenant rule (legal basis, purpose, categories, recipients, retention) and
// one per processing the node does for itself (accounts, its own signals, the
// PA service, subject access, cases, the log). Each version of an entry has
// its own identifier, `<name>.<16 hex of the SHA-256 of its content>`, so a
// changed rule gets a new one and what the log says stays pinned to the
// version in force; every event points at one by URI
// (`dpl.core.processing_activity_id` = urn:signalnode:processing-activity:<id>).
// Every node of a federation runs the same covenant, so both sides of an
// exchange name the same activity. Old versions stay in the register.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "node/storage/store.hpp"
#include "policies/policy.hpp"

namespace signalnode::node::audit {

inline constexpr std::string_view kActivityUriPrefix = "urn:signalnode:processing-activity:";

// The register entry of one covenant rule (without id, uri and when seen).
boost::json::object rule_activity(const policies::Rule& rule);
// The rule's version identifier and URI.
std::string rule_activity_id(const policies::Rule& rule);
std::string activity_uri(std::string_view id);
// The identifier in a URI of this register, or nullopt.
std::optional<std::string> activity_id_of(std::string_view uri);
// The activity an event without a rule belongs to, by the event's name
// (node activities: accounts, own signals, pseudonymisation, ...).
const std::string& default_activity_uri(std::string_view event_name);

class ProcessingRegister {
 public:
  explicit ProcessingRegister(storage::Store& store) : store_(store) {}

  // In the caller's transaction: the policy in force; a version not seen
  // before is added, and the current ones are marked so.
  static void record_policy(storage::Database& db, const policies::Policy& policy, std::int64_t now_ms);

  // Every entry: the node's own activities, then each rule version (current
  // first, then newest first), with "current" and "firstSeen".
  [[nodiscard]] boost::json::array entries() const;
  [[nodiscard]] std::optional<boost::json::object> find(std::string_view id) const;

 private:
  storage::Store& store_;
};

}  // namespace signalnode::node::audit
