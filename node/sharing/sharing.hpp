// Sharing between partners (BRIEF 3.6, docs/protocol.md): decide per signal
// and partner by the covenant, build pseudonymised records into a durable
// outbox, push them in signed batches, and receive partners' batches with the
// same covenant checked again. Default deny on both sides.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/ed25519.hpp"
#include "node/alerts/matching.hpp"
#include "node/audit/audit_log.hpp"
#include "node/federation/manifest.hpp"
#include "node/net/https_client.hpp"
#include "node/pseudonyms/pseudonymiser.hpp"
#include "node/storage/store.hpp"
#include "policies/policy.hpp"
#include "policies/projection.hpp"
#include "protocol/wire.hpp"

namespace signalnode::node::sharing {

using NowMs = std::function<std::int64_t()>;

// Feedback an analyst sets on a received record; codes, so that no free text
// travels unless a rule allows a note (docs/protocol.md).
inline constexpr std::string_view kFeedbackStatuses[] = {
    "received", "assessed", "investigation_started", "inspection_planned", "action_taken", "no_follow_up", "forwarded"};
inline constexpr std::string_view kFeedbackReasons[] = {
    "insufficient_information", "outside_mandate", "already_known", "no_violation_found",
    "no_capacity", "forwarded_to_police", "forwarded_to_partner"};
inline constexpr std::size_t kMaxFeedbackNote = 500;

bool is_feedback_status(std::string_view s);
bool is_feedback_reason(std::string_view s);

// A withdrawal or correction sent after a record, as the officer sees it.
struct FollowUp {
  std::string kind;   // withdrawal | correction
  std::string state;  // queued | failing | applied | rejected | void
  std::string reason;
};

struct PartnerState {
  std::string partner;
  std::string state;  // not_shared | queued | failing | delivered | rejected | cancelled
  std::string rule_id;
  std::string reason;  // why not shared, why rejected, or the last delivery error
  std::int64_t attempts = 0;
  std::optional<std::int64_t> delivered_at_ms;
  std::optional<FollowUp> follow_up;  // the latest withdrawal or correction
};

// What partners told the source about one of its signals.
struct FeedbackItem {
  std::string kind;  // feedback | bundle_notice
  std::string partner;
  std::string status, reason, note;  // feedback
  std::int64_t organisations = -1;   // notice, where granted
  std::vector<std::string> categories;
  std::int64_t received_at_ms = 0;
};

// The answer to an officer's or analyst's request, for the API to render.
struct ActionResult {
  int status = 200;     // HTTP status: 200/202 done, 400 bad field, 404 unknown, 409 conflict
  std::string field;    // the offending field for 400
  std::string detail;
  boost::json::object body;
};

// A list row's view of an own signal: where it is per partner, and how many
// partners answered.
struct SignalProgress {
  std::vector<PartnerState> sharing;
  std::int64_t feedback = 0;
};

struct OutboxStats {
  std::int64_t depth = 0;
  std::int64_t oldest_ms = 0;
};

struct ReceiveResult {
  int status = 200;
  std::string content_type = "application/octet-stream";
  std::string body;  // the signed receipt, or a problem+json
};

class Sharing {
 public:
  Sharing(storage::Store& store, pseudonyms::Pseudonymiser& pseudonymiser, NowMs now_ms,
          alerts::BundleRule bundle_rule = {}, std::string self_org = {});

  // After a crash: batches that were being sent are queued again (the
  // receiver's idempotency makes a second delivery harmless).
  void recover();

  // Signals whose pseudonyms are all ready: decide each partner, queue records.
  std::size_t share_ready(const policies::Policy& policy, const federation::Manifest& manifest,
                          const policies::Party& self, std::size_t max_signals = 200);

  // One delivery pass to one partner: at most one signed batch of its due
  // records over `client`, that partner's connection. Each partner has its
  // own delivery thread and client, so a stalled partner delays only its own
  // queue. Returns the number of records the partner acknowledged.
  std::size_t deliver_to(const federation::Partner& partner, const policies::Policy& policy,
                         const policies::Party& self, const crypto::SigningKey& key, net::HttpsClient& client,
                         std::size_t max_batch = 500);

  // POST /federation/v1/batches from an authenticated partner.
  // `witness`: this node's newest signed audit tree head, put in the receipt.
  ReceiveResult receive(std::string_view body, const std::string& peer_org, std::string_view traceparent,
                        const federation::Manifest& manifest, const policies::Policy& policy,
                        const policies::Party& self, const crypto::SigningKey& key,
                        const std::optional<audit::TreeHead>& witness = std::nullopt);

  // Storage limitation: deletes received records past their rule's retention
  // (and their subjects), recording the count in the audit log. Returns it.
  std::int64_t expire_received();
  // Deletes own signals older than `retention_days` with everything they
  // carry (outbox, feedback), recording the count in the audit log.
  std::int64_t expire_own(int retention_days);

  // DELETE /api/v1/signals/{id}: erases the signal's content on this node and
  // sends a signed withdrawal to every partner that received a record of it;
  // a record still waiting in the outbox is cancelled instead.
  ActionResult withdraw(const std::string& signal_id, const std::string& by);
  // After PUT /api/v1/signals/{id} stored the corrected signal: nothing to
  // do here; share_ready sends corrections once its pseudonyms are ready.

  // POST /api/v1/inbox/{id}/feedback: status (and coded reason, and a note
  // where the record's rule allows one) back to the record's source.
  ActionResult send_feedback(const std::string& inbox_id, const std::string& status, const std::string& reason,
                             const std::string& note, const policies::Policy& policy);
  // POST /api/v1/alerts/{id}/notices: tells the source of each record in a
  // bundle that its subject is part of one, with what the rule grants.
  ActionResult send_notices(const std::string& alert_id, const policies::Policy& policy);

  std::vector<FeedbackItem> feedback_of(const std::string& signal_id) const;

  std::vector<PartnerState> state_of(const std::string& signal_id) const;
  // The same for a page of signals, in one read.
  std::map<std::string, SignalProgress> progress_of(const std::vector<std::string>& signal_ids) const;
  std::map<std::string, OutboxStats> outbox_stats() const;

 private:
  void apply_receipt(const federation::Partner& partner, const policies::Policy& policy,
                     const protocol::wire::Batch& batch, const std::vector<std::string>& record_ids,
                     const protocol::wire::Receipt& receipt, const crypto::Bytes& signed_receipt,
                     const std::string& traceparent, std::int64_t started_ms);
  void record_failure(const std::vector<std::string>& record_ids, const std::vector<std::int64_t>& attempts,
                      const std::string& error);
  // Receiving, one record or message inside the batch's transaction: returns
  // empty when accepted, else the reason it was rejected.
  struct Incoming;
  std::string receive_record(storage::Database& db, const Incoming& in, const protocol::wire::Record& r);
  std::string receive_shared(storage::Database& db, const Incoming& in, const protocol::wire::Record& r);
  std::string receive_withdrawal(storage::Database& db, const Incoming& in, const protocol::wire::Record& r);
  std::string receive_correction(storage::Database& db, const Incoming& in, const protocol::wire::Record& r);
  std::string receive_about_own(storage::Database& db, const Incoming& in, const protocol::wire::Record& r);
  void store_subjects(storage::Database& db, const std::string& inbox_id, const protocol::wire::Record& r);
  // Re-evaluates the alerts of these subjects (adds the match keys).
  void refresh_alerts(storage::Database& db, std::vector<alerts::Subject> subjects, std::int64_t now);
  // The subjects of an own signal, from its sealed pseudonyms.
  std::vector<alerts::Subject> own_subjects(storage::Database& db, const std::string& signal_id) const;

  storage::Store& store_;
  pseudonyms::Pseudonymiser& pseudonymiser_;
  NowMs now_ms_;
  alerts::Matcher matcher_;
};

// ISO 8601 week of a YYYY-MM-DD date, e.g. "2026-W47" (coarse time). The
// covenant's projection defines it; the name stays here for node code.
using policies::iso_week;

}  // namespace signalnode::node::sharing
