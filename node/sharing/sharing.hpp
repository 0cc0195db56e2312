// Sharing between partners (BRIEF 3.6, docs/protocol.md), one class per job:
// the outbox (decide and queue), delivery (push to one partner), receiving
// (a partner's batch), follow-ups (withdrawal, feedback, notices) and
// retention. Default deny on both sides: the covenant's projection and check
// live in policies/projection.hpp.
#pragma once

#include <string>

#include "node/sharing/context.hpp"
#include "node/sharing/delivery.hpp"
#include "node/sharing/follow_ups.hpp"
#include "node/sharing/inbox.hpp"
#include "node/sharing/outbox.hpp"
#include "node/sharing/receiver.hpp"
#include "node/sharing/reconcile.hpp"
#include "node/sharing/requests.hpp"
#include "node/sharing/retention.hpp"
#include "node/sharing/types.hpp"

namespace signalnode::node::sharing {

class Sharing {
 public:
  Sharing(storage::Store& store, pseudonyms::Pseudonymiser& pseudonymiser, NowMs now_ms,
          alerts::BundleRule bundle_rule = {}, std::string self_org = {})
      : ctx_{store, pseudonymiser, std::move(now_ms), alerts::Matcher{std::move(self_org), bundle_rule}} {}
  Sharing(const Sharing&) = delete;
  Sharing& operator=(const Sharing&) = delete;

 private:
  Context ctx_;  // before the jobs, which hold a reference to it

 public:
  Outbox outbox{ctx_};
  Delivery delivery{ctx_};
  Receiver receiver{ctx_};
  FollowUps follow_ups{ctx_};
  Requests requests{ctx_};
  Retention retention{ctx_};
  Reconcile reconcile{ctx_};
  // Reads the received records (also what is overdue: Inbox::count_overdue).
  Inbox inbox{ctx_.store};
};

}  // namespace signalnode::node::sharing
