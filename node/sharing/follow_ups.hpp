// What follows a shared record, started on this node: the officer's
// withdrawal, the analyst's feedback and bundle notices back to a record's
// source, and what partners told this node about its own signals.
#pragma once

#include <string>
#include <vector>

#include "node/sharing/context.hpp"
#include "node/sharing/types.hpp"
#include "policies/policy.hpp"

namespace signalnode::node::sharing {

class FollowUps {
 public:
  explicit FollowUps(Context& ctx) : ctx_(ctx) {}

  // Erases the signal's content on this node and sends a signed withdrawal
  // to every partner that received a record of it; a record still waiting
  // in the outbox is cancelled instead. (Corrections need nothing here: the
  // corrected signal goes through pseudonymisation and share_ready again.)
  [[nodiscard]] Outcome withdraw(const std::string& signal_id, const std::string& by);
  // Status (and coded reason, and a note where the record's rule allows one)
  // back to the source of a received record.
  [[nodiscard]] Outcome send_feedback(const std::string& inbox_id, const std::string& status, const std::string& reason,
                                      const std::string& note, const policies::Policy& policy);
  // Tells the source of each record in a bundle that its subject is part of
  // one, with what the rule grants.
  [[nodiscard]] Outcome send_notices(const std::string& alert_id, const policies::Policy& policy);

  [[nodiscard]] std::vector<FeedbackItem> feedback_of(const std::string& signal_id) const;

 private:
  Context& ctx_;
};

}  // namespace signalnode::node::sharing
