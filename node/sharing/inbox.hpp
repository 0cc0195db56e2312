// Reading the inbox: records received from partners (pseudonyms only), as the
// analyst lists them, and the subjects of one received record for matching.
// The Receiver writes the inbox tables; this reads them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "node/alerts/matching.hpp"
#include "node/storage/store.hpp"
#include "policies/policy.hpp"

namespace signalnode::node::sharing {

struct InboxQuery {
  std::int64_t limit = 50;
  std::optional<std::string> before;  // keyset pagination: records older than this inbox id
  std::optional<std::string> category;
  std::optional<std::string> source;  // the sending organisation
  // Records under these rules are left out (issue 21: rules that address
  // other teams of this organisation; team_hidden_rules).
  std::vector<std::string> hidden_rules;
};

// The rules of `policy` whose records a person of `team` ('' for the whole
// organisation) at `self` may not see: those that address only other teams
// there. A record under a rule the covenant in force no longer has stays
// visible to the whole organisation (nothing addresses it to a team).
std::vector<std::string> team_hidden_rules(const policies::Policy& policy, const policies::Party& self,
                                           const std::string& team);

struct InboxSubject {
  std::string kind;
  std::string id_kind;
  std::vector<std::uint8_t> pseudonym;
};

// What the analyst told the source about a received record.
struct InboxFeedback {
  std::string status;
  std::string reason;  // empty when none was given
  std::int64_t set_at_ms = 0;
};

struct InboxItem {
  std::string id;
  std::string sender;
  std::string sender_role;
  std::string category;
  std::string observed_week;  // empty when the rule does not grant it
  std::string municipality;   // likewise
  std::string severity;       // likewise
  std::optional<std::int64_t> persons;
  std::string rule_id;
  std::string policy_sha256;
  std::int64_t received_at_ms = 0;
  std::int64_t expires_at_ms = 0;
  std::optional<InboxFeedback> feedback;
  // When this node first sent feedback that answers (not `received`).
  std::optional<std::int64_t> answered_at_ms;
  std::vector<InboxSubject> subjects;  // in the record's order
};

class Inbox {
 public:
  explicit Inbox(storage::Store& store) : store_(store) {}

  // Newest first, at most query.limit.
  [[nodiscard]] std::vector<InboxItem> list(const InboxQuery& query) const;
  // Received records whose rule's feedback period (feedback_period_days in
  // the covenant in force) has passed at `now_ms`, counted from their
  // receipt here, without feedback from this node other than `received`:
  // what the recipient still owes its partners (for notifications).
  [[nodiscard]] std::int64_t count_overdue(const policies::Policy& policy, std::int64_t now_ms) const;
  // The ids of those records (at most `limit`), for the analysts' notice:
  // each is raised once, when it first becomes overdue.
  [[nodiscard]] std::vector<std::string> overdue_ids(const policies::Policy& policy, std::int64_t now_ms,
                                                     std::size_t limit = 1000) const;
  // The subjects of a received record, as stored (the caller adds match
  // keys), in the caller's transaction.
  [[nodiscard]] static std::vector<alerts::Subject> subjects_of(storage::Database& db, const std::string& inbox_id);
  // The rule a received record came under; nullopt when there is no such record.
  [[nodiscard]] std::optional<std::string> rule_of(const std::string& inbox_id) const;

 private:
  storage::Store& store_;
};

}  // namespace signalnode::node::sharing
