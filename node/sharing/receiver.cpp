// Receiving partners' batches (POST /federation/v1/batches): shared records
// checked against the covenant, and the messages that follow them
// (withdrawals and corrections from a record's source; feedback and bundle
// notices from its recipients), each applied once and audited on arrival.
#include "node/sharing/receiver.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

#include "crypto/random.hpp"
#include "node/audit/ldv.hpp"
#include "node/log/log.hpp"
#include "node/notify/notices.hpp"
#include "node/signals/signal_repository.hpp"
#include "node/sharing/feedback_state.hpp"
#include "node/sharing/outbox_state.hpp"
#include "node/sharing/inbox.hpp"
#include "node/sharing/records.hpp"
#include "node/sharing/requests.hpp"
#include "policies/projection.hpp"
#include "policies/record_fields.hpp"

namespace signalnode::node::sharing {
namespace wire = protocol::wire;
namespace json = boost::json;

namespace {

// Audit event names on the receiving side: accepted, rejected.
std::pair<audit::EventName, audit::EventName> received_event_names(wire::RecordKind kind) {
  namespace ev = audit::events;
  switch (kind) {
    case wire::RecordKind::withdrawal: return {ev::kRecordWithdrawn, ev::kWithdrawalRejected};
    case wire::RecordKind::correction: return {ev::kRecordCorrected, ev::kCorrectionRejected};
    case wire::RecordKind::feedback: return {ev::kFeedbackReceived, ev::kFeedbackRejected};
    case wire::RecordKind::bundle_notice: return {ev::kNoticeReceived, ev::kNoticeRejected};
    case wire::RecordKind::contact_request:
    case wire::RecordKind::details_request: return {ev::kRequestReceived, ev::kRequestRejected};
    case wire::RecordKind::request_answer: return {ev::kAnswerReceived, ev::kAnswerRejected};
    case wire::RecordKind::shared_signal: break;
  }
  return {ev::kRecordReceived, ev::kRecordRejected};
}

// The fields of a withdrawal, feedback or bundle notice by their content
// (policies/record_fields.hpp), before the message is looked at further:
// empty when each passes, else a reason naming the field, never its content.
std::string check_follow_up_fields(const wire::Record& r) {
  if (!policies::valid_record_id(r.record_id)) return "record_id is not 32 lowercase hex digits";
  if (!policies::valid_record_id(r.refers_to)) return "refers_to is not 32 lowercase hex digits";
  if (!policies::valid_category(r.category)) return "category is not a category of the taxonomy";
  if (!policies::valid_rule_id(r.rule_id)) return "rule_id is not a rule id";
  if (!r.observed_week.empty() || !r.municipality.empty() || !r.severity.empty() || r.persons != -1 ||
      !r.subjects.empty()) {
    return "a follow-up message carries no shared-record fields";
  }
  if (!wire::is_request_kind(r.kind) && !(r.request == wire::RequestPart{})) return "only requests carry request fields";
  if (wire::is_request_kind(r.kind) && (!r.note.empty() || r.organisations != -1 || !r.categories.empty())) {
    return "a request or answer carries no feedback or notice fields";
  }
  if (r.kind == wire::RecordKind::feedback) {
    // A known status, a known reason code, and `withheld` exactly with one of
    // its withholding reasons (the codes never repeat the field's content).
    if (auto wrong = check_feedback_codes(r.status, r.reason)) return wrong->field + " " + wrong->en;
    if (!policies::valid_feedback_note(r.note)) return "note is not UTF-8 of at most 500 bytes";
  }
  if (r.kind == wire::RecordKind::bundle_notice) {
    if (r.organisations != -1 && !policies::valid_organisations(r.organisations)) {
      return "organisations is not from 1 to 1000";
    }
    for (const auto& c : r.categories) {
      if (!policies::valid_category(c)) return "categories holds a category not of the taxonomy";
    }
  }
  return {};
}

}  // namespace

struct Receiver::Incoming {
  // This node's own expiry of a record check_received passed (so its rule exists).
  std::int64_t expiry(const wire::Record& r) const {
    const policies::Rule* rule = policy.find(r.rule_id);
    return rule ? policies::received_expiry(*rule, now) : now;
  }
  const federation::Partner& sender;
  const policies::Policy& policy;
  const policies::Party& self;
  std::string batch_id;
  std::optional<std::pair<std::string, std::string>> trace;
  std::int64_t now;
  NowMs now_ms;

  // Rejections are not logged one full event each (a hostile partner could
  // fill the log): per batch chunk (100 records) and kind one event with the
  // count per reason.
  struct Rejections {
    std::int64_t count = 0;
    std::map<std::string, std::int64_t> reasons;
    std::set<std::string> categories;
  };
  mutable std::map<wire::RecordKind, Rejections> rejections;

  // The subjects whose alerts the batch changes: refreshed once each after its
  // records, so 600 records about 64 subjects cost 64 refreshes, not 2,400.
  mutable std::vector<alerts::Subject> touched;
  void touch(std::vector<alerts::Subject> subjects) const {
    touched.insert(touched.end(), std::make_move_iterator(subjects.begin()), std::make_move_iterator(subjects.end()));
  }

  void audit(storage::Database& db, const wire::Record& received, const std::string& why) const {
    if (!why.empty()) {
      auto& tally = rejections[received.kind];
      ++tally.count;
      ++tally.reasons[why.substr(0, 200)];
      if (policies::valid_category(received.category)) tally.categories.insert(received.category);
      return;
    }
    // The log keeps no field a rejected record smuggled: what fails its
    // content rule is recorded as empty.
    wire::Record r = received;
    if (!policies::valid_record_id(r.record_id)) r.record_id.clear();
    if (!r.refers_to.empty() && !policies::valid_record_id(r.refers_to)) r.refers_to.clear();
    if (!policies::valid_category(r.category)) r.category.clear();
    if (!policies::valid_rule_id(r.rule_id)) r.rule_id.clear();
    auto [accepted_name, rejected_name] = received_event_names(r.kind);
    audit::Event e;
    e.name = why.empty() ? accepted_name : rejected_name;
    e.status = why.empty() ? "ok" : "rejected";
    e.start_ms = now;
    e.end_ms = now_ms();
    if (trace) {
      e.trace_id = trace->first;
      e.parent_span_id = audit::ldv::callee_span_id(trace->first, trace->second);
      e.foreign = audit::ForeignOperation{trace->first, trace->second, "urn:oin:" + sender.oin};
    }
    e.attributes = detail::activity(r, policy);
    e.attributes["partner"] = sender.org;
    e.attributes["batchId"] = batch_id;
    if (wire::is_request_kind(r.kind) && policies::valid_record_id(r.refers_to)) {
      // A request's events share one trace on both sides: the request's id.
      e.trace_id = r.kind == wire::RecordKind::request_answer ? r.refers_to : r.record_id;
      detail::add_request_attributes(e.attributes, r);
    }
    e.data_subjects = r.kind == wire::RecordKind::request_answer ? Requests::subjects_of_request(db, r.refers_to)
                                                                 : detail::subjects_of(r);
    e.partner = sender.org;
    e.category = r.category;
    audit::AuditLog::append(db, e);
  }

  // After the batch's records: one `<kind>.rejected` event per kind that had
  // rejections, with how many and why (nothing of their content).
  void audit_rejections(storage::Database& db) const {
    // The privacy officer hears that a partner's records were refused (once
    // per batch; what and why is in the log, not in the message).
    if (!rejections.empty()) {
      notify::Notices::raise(db, notify::Topic::records_rejected, notify::Audience::of(notify::Topic::records_rejected),
                             batch_id, now);
    }
    for (const auto& [kind, tally] : rejections) {
      audit::Event e;
      e.name = received_event_names(kind).second;
      e.status = "rejected";
      e.start_ms = now;
      e.end_ms = now_ms();
      if (trace) {
        e.trace_id = trace->first;
        e.parent_span_id = audit::ldv::callee_span_id(trace->first, trace->second);
        e.foreign = audit::ForeignOperation{trace->first, trace->second, "urn:oin:" + sender.oin};
      }
      json::array reasons;
      for (const auto& [reason, n] : tally.reasons) reasons.push_back(json::object{{"reason", reason}, {"count", n}});
      json::array categories;
      for (const auto& c : tally.categories) categories.push_back(json::value(c));
      e.attributes = {{"partner", sender.org}, {"batchId", batch_id}, {"kind", detail::kind_name(kind)},
                      {"count", tally.count}, {"reasons", std::move(reasons)}, {"categories", std::move(categories)}};
      if (tally.reasons.size() == 1) e.attributes["reason"] = tally.reasons.begin()->first;
      e.partner = sender.org;
      if (tally.categories.size() == 1) e.category = *tally.categories.begin();
      audit::AuditLog::append(db, e);
    }
  }
};

ReceiveOutcome Receiver::receive(std::string_view body, const std::string& peer_org, std::string_view traceparent,
                               const federation::Manifest& manifest, const policies::Policy& policy,
                               const policies::Party& self, const crypto::SigningKey& key,
                               const std::optional<audit::TreeHead>& witness, const RecordBudget& budget) {
  std::string error;
  crypto::ByteView bytes(reinterpret_cast<const std::uint8_t*>(body.data()), body.size());
  auto signed_batch = wire::decode_signed(bytes, error);
  if (!signed_batch) return ReceiveOutcome::refused(ReceiveOutcome::Kind::malformed, "malformed envelope: " + error);
  auto batch = wire::decode_batch(signed_batch->message, error);
  if (!batch) return ReceiveOutcome::refused(ReceiveOutcome::Kind::malformed, "malformed batch: " + error);
  if (batch->sender != peer_org) {
    return ReceiveOutcome::refused(ReceiveOutcome::Kind::not_from_peer, "the batch names sender " + batch->sender.substr(0, 64) + " but the TLS peer is " + peer_org);
  }
  if (batch->receiver != self.org) return ReceiveOutcome::refused(ReceiveOutcome::Kind::malformed, "batch is addressed to another node");
  const federation::Partner* sender = manifest.find(peer_org);
  if (!sender || !wire::verify_batch(*signed_batch, sender->signing_key)) {
    return ReceiveOutcome::refused(ReceiveOutcome::Kind::malformed, "the batch signature does not verify with the sender's manifest key");
  }
  if (budget) {
    if (double wait = budget(batch->records.size()); wait != 0) {
      auto outcome = ReceiveOutcome::refused(ReceiveOutcome::Kind::over_budget,
                                             "this partner's records exceed the receiving node's budget per minute; retry later");
      outcome.retry_after_seconds = wait < 0 ? 60 : wait;
      return outcome;
    }
  }

  ctx_.witness(batch->created_at_ms);
  Incoming in{*sender, policy, self, batch->batch_id, audit::parse_traceparent(traceparent), ctx_.now_ms(), ctx_.now_ms, {}, {}};
  std::string receipt_body;
  std::size_t accepted = 0, rejected = 0;
  wire::Receipt receipt{wire::kVersion, batch->batch_id, batch->sender, self.org, in.now, {}, 0, 0, {}, {}};
  if (witness) {
    receipt.tree_size = witness->tree_size;
    receipt.tree_timestamp_ms = witness->timestamp_ms;
    receipt.tree_root = witness->root_hash;
    receipt.tree_signature = witness->signature;
  }
  // The records are stored and matched kRecordsPerTransaction at a time, each
  // chunk its own transaction, so an officer's submit waits for one chunk at
  // most, never for a whole batch. A crash between chunks loses nothing: the
  // sender, without a receipt, sends the batch again; what was stored answers
  // as accepted and is stored and logged once (inbox (sender, record_id) and
  // inbox_messages are unique), and the rest is applied.
  const std::size_t n = batch->records.size();
  bool replayed = false;
  for (std::size_t start = 0; !replayed && (start == 0 || start < n); start += kRecordsPerTransaction) {
    const std::size_t end = std::min(n, start + kRecordsPerTransaction);
    ctx_.store.write([&](storage::Database& db) {
      if (start == 0) {
        // A replayed batch gets its original receipt and changes nothing; the
        // sender never reuses a batch id, so the replay itself is recorded.
        auto seen = db.cached("SELECT receipt FROM inbox_batches WHERE sender = ? AND batch_id = ?");
        seen.bind(1, std::string_view(batch->sender)).bind(2, std::string_view(batch->batch_id));
        if (seen.step()) {
          auto stored = seen.blob(0);
          receipt_body.assign(stored.begin(), stored.end());
          audit::Event e;
          e.name = audit::events::kBatchReplayed;
          e.status = "rejected";
          e.start_ms = e.end_ms = in.now;
          e.attributes = {{"partner", sender->org}, {"batchId", batch->batch_id},
                          {"reason", "batch received before; answered with its original receipt, nothing applied"}};
          e.partner = sender->org;
          audit::AuditLog::append(db, e);
          replayed = true;
          return;
        }
      }
      for (std::size_t i = start; i < end; ++i) {
        const auto& r = batch->records[i];
        std::string why = receive_record(db, in, r);
        // A record id that is not one is answered as "": the receipt, which
        // the receiver also keeps, repeats nothing smuggled.
        receipt.outcomes.push_back({policies::valid_record_id(r.record_id) ? r.record_id : "", why.empty(), why});
        ++(why.empty() ? accepted : rejected);
      }
      ctx_.refresh_alerts(db, std::move(in.touched), in.now);
      in.touched.clear();
      // Each chunk logs its own rejections: a follow-up rejected here is
      // remembered as applied (inbox_messages), so a resend after a crash
      // would not log it again.
      in.audit_rejections(db);
      in.rejections.clear();
      if (end < n) return;
      auto signed_receipt = wire::encode(wire::sign_receipt(receipt, key));
      // OR IGNORE: the same batch received twice at once stores one receipt.
      db.cached("INSERT OR IGNORE INTO inbox_batches (sender, batch_id, receipt, received_at_ms) VALUES (?,?,?,?)")
          .bind(1, std::string_view(batch->sender))
          .bind(2, std::string_view(batch->batch_id))
          .bind_blob(3, signed_receipt)
          .bind(4, in.now)
          .run();
      receipt_body.assign(signed_receipt.begin(), signed_receipt.end());
    });
  }
  log::info("batch.received", {{"partner", peer_org}, {"accepted", accepted}, {"rejected", rejected}});
  return ReceiveOutcome::receipt_of(std::move(receipt_body));
}

std::string Receiver::receive_record(storage::Database& db, const Incoming& in, const wire::Record& r) {
  if (r.kind == wire::RecordKind::shared_signal) return receive_shared(db, in, r);
  if (!policies::valid_record_id(r.record_id)) {
    // Not kept among the applied messages: its id is no id.
    std::string why = "record_id is not 32 lowercase hex digits";
    in.audit(db, r, why);
    return why;
  }
  // A message is applied once: the same message again (the sender retrying
  // after a lost receipt) gets the first outcome and changes nothing.
  auto seen = db.cached("SELECT accepted, reason FROM inbox_messages WHERE sender = ? AND message_id = ?");
  seen.bind(1, std::string_view(in.sender.org)).bind(2, std::string_view(r.record_id));
  if (seen.step()) {
    std::string why = seen.int64(0) ? "" : seen.text(1);
    seen.reset();
    return why;
  }
  seen.reset();
  // A correction is a shared record again: check_received checks its fields.
  std::string why;
  if (r.kind != wire::RecordKind::correction) {
    why = check_follow_up_fields(r);
  } else if (!policies::valid_record_id(r.refers_to)) {
    why = "refers_to is not 32 lowercase hex digits";
  }
  if (why.empty()) {
    if (r.kind == wire::RecordKind::contact_request || r.kind == wire::RecordKind::details_request) {
      why = Requests::receive_request(db, ctx_, in.sender.org, in.policy, in.now, r);
      if (why.empty()) in.audit(db, r, "");
    } else if (r.kind == wire::RecordKind::request_answer) {
      why = Requests::receive_answer(db, ctx_, in.sender.org, in.now, r);
      if (why.empty()) in.audit(db, r, "");
    } else if (r.kind == wire::RecordKind::withdrawal) {
      why = receive_withdrawal(db, in, r);
    } else if (r.kind == wire::RecordKind::correction) {
      why = receive_correction(db, in, r);
    } else {
      why = receive_about_own(db, in, r);
    }
  }
  if (!why.empty()) in.audit(db, r, why);
  db.cached("INSERT INTO inbox_messages (sender, message_id, accepted, reason) VALUES (?,?,?,?)")
      .bind(1, std::string_view(in.sender.org))
      .bind(2, std::string_view(r.record_id))
      .bind(3, static_cast<std::int64_t>(why.empty() ? 1 : 0))
      .bind(4, std::string_view(why))
      .run();
  return why;
}

std::string Receiver::receive_shared(storage::Database& db, const Incoming& in, const wire::Record& r) {
  std::string why = policies::check_received(r, in.policy, federation::party_of(in.sender), in.self, in.now);
  if (why.empty()) {
    auto gone = db.cached("SELECT 1 FROM inbox_tombstones WHERE record_id = ?");
    gone.bind(1, std::string_view(r.record_id));
    if (gone.step()) why = "the record was withdrawn by its source";
    gone.reset();
  }
  if (!why.empty()) {
    in.audit(db, r, why);
    return why;
  }
  std::string id = crypto::time_ordered_hex_id(in.now);  // inbox rows land on the index's last pages
  db.cached(
        "INSERT INTO inbox (id, sender, sender_role, record_id, category, observed_week, municipality, severity, "
        "persons, rule_id, policy_sha256, received_at_ms, expires_at_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) "
        "ON CONFLICT(sender, record_id) DO NOTHING")
      .bind(1, std::string_view(id))
      .bind(2, std::string_view(in.sender.org))
      .bind(3, std::string_view(in.sender.role))
      .bind(4, std::string_view(r.record_id))
      .bind(5, std::string_view(r.category))
      .bind(6, std::string_view(r.observed_week))
      .bind(7, std::string_view(r.municipality))
      .bind(8, std::string_view(r.severity))
      .bind(9, r.persons >= 0 ? std::optional<std::int64_t>(r.persons) : std::nullopt)
      .bind(10, std::string_view(r.rule_id))
      .bind(11, std::string_view(in.policy.sha256_hex()))
      .bind(12, in.now)
      .bind(13, in.expiry(r))
      .run();
  if (db.changes() == 0) return {};  // a record delivered twice is stored, and recorded, once
  in.audit(db, r, "");
  store_subjects(db, id, r);
  // Where this record meets others (or own signals) about the same subject,
  // the alerts are created or updated in the batch's transaction.
  in.touch(Inbox::subjects_of(db, id));
  return {};
}

void Receiver::store_subjects(storage::Database& db, const std::string& inbox_id, const wire::Record& r) {
  // Sender and arrival come from the inbox row (a correction keeps both).
  auto subject = db.cached(
      "INSERT INTO inbox_subjects (inbox_id, position, kind, id_kind, pseudonym, sender, received_at_ms) "
      "SELECT ?1, ?2, ?3, ?4, ?5, sender, received_at_ms FROM inbox WHERE id = ?1");
  for (std::size_t i = 0; i < r.subjects.size(); ++i) {
    subject.reset();
    subject.bind(1, std::string_view(inbox_id))
        .bind(2, static_cast<std::int64_t>(i))
        .bind(3, std::string_view(r.subjects[i].kind))
        .bind(4, std::string_view(r.subjects[i].id_kind))
        .bind_blob(5, r.subjects[i].pseudonym)
        .run();
  }
}

namespace {
// The received record a withdrawal or correction is about, or why not.
struct Target {
  std::string inbox_id;
  std::string why;
  // The sender is not the record's source (live or withdrawn): a correction
  // answers this in its own words, whatever `why` says.
  bool not_the_source = false;
};
Target find_target(storage::Database& db, const std::string& sender, const std::string& record_id, const char* what) {
  auto st = db.cached("SELECT id, sender FROM inbox WHERE record_id = ?");
  st.bind(1, std::string_view(record_id));
  Target t;
  if (st.step()) {
    if (st.text(1) != sender) {
      t.why = std::string("only the record's source can send its ") + what + "; " + sender + " is not the source";
      t.not_the_source = true;
    } else {
      t.inbox_id = st.text(0);
    }
    st.reset();
    return t;
  }
  st.reset();
  auto gone = db.cached("SELECT sender FROM inbox_tombstones WHERE record_id = ?");
  gone.bind(1, std::string_view(record_id));
  if (gone.step()) {
    if (gone.text(0) == sender) {
      t.why = "the record was already withdrawn";
    } else {
      t.why = std::string("only the record's source can send its ") + what;
      t.not_the_source = true;
    }
  } else {
    t.why = "no record with this id was received from " + sender;
  }
  gone.reset();
  return t;
}
}  // namespace

std::string Receiver::receive_withdrawal(storage::Database& db, const Incoming& in, const wire::Record& r) {
  Target t = find_target(db, in.sender.org, r.refers_to, "withdrawal");
  if (!t.why.empty()) return t.why;
  auto subjects = Inbox::subjects_of(db, t.inbox_id);
  // What the source disclosed about the record goes with it (AVG art. 17, 19).
  Requests::forget_answers_about(db, t.inbox_id, in.now);
  db.cached("DELETE FROM inbox WHERE id = ?").bind(1, std::string_view(t.inbox_id)).run();  // subjects cascade
  db.cached("INSERT OR IGNORE INTO inbox_tombstones (record_id, sender, withdrawn_at_ms) VALUES (?,?,?)")
      .bind(1, std::string_view(r.refers_to))
      .bind(2, std::string_view(in.sender.org))
      .bind(3, in.now)
      .run();
  in.touch(std::move(subjects));
  in.audit(db, r, "");
  return {};
}

std::string Receiver::receive_correction(storage::Database& db, const Incoming& in, const wire::Record& r) {
  Target t = find_target(db, in.sender.org, r.refers_to, "correction");
  if (!t.why.empty()) {
    if (t.not_the_source) return "a correction cannot change the record's source";
    return t.why;
  }
  std::string why = policies::check_received(r, in.policy, federation::party_of(in.sender), in.self, in.now);
  if (!why.empty()) return why;
  auto subjects = Inbox::subjects_of(db, t.inbox_id);
  db.cached(
        "UPDATE inbox SET category = ?, observed_week = ?, municipality = ?, severity = ?, persons = ?, rule_id = ?, "
        "policy_sha256 = ?, expires_at_ms = ? WHERE id = ?")
      .bind(1, std::string_view(r.category))
      .bind(2, std::string_view(r.observed_week))
      .bind(3, std::string_view(r.municipality))
      .bind(4, std::string_view(r.severity))
      .bind(5, r.persons >= 0 ? std::optional<std::int64_t>(r.persons) : std::nullopt)
      .bind(6, std::string_view(r.rule_id))
      .bind(7, std::string_view(in.policy.sha256_hex()))
      .bind(8, in.expiry(r))
      .bind(9, std::string_view(t.inbox_id))
      .run();
  db.cached("DELETE FROM inbox_subjects WHERE inbox_id = ?").bind(1, std::string_view(t.inbox_id)).run();
  store_subjects(db, t.inbox_id, r);
  auto now_subjects = Inbox::subjects_of(db, t.inbox_id);
  subjects.insert(subjects.end(), now_subjects.begin(), now_subjects.end());
  in.touch(std::move(subjects));
  in.audit(db, r, "");
  return {};
}

// Feedback and bundle notices: about a record this node sent to the sender.
std::string Receiver::receive_about_own(storage::Database& db, const Incoming& in, const wire::Record& r) {
  const bool feedback = r.kind == wire::RecordKind::feedback;
  const char* what = feedback ? "feedback" : "a bundle notice";
  static const std::string sent_sql =
      storage::sql("SELECT signal_id, rule_id, state FROM outbox WHERE record_id = ? AND recipient = ? AND kind = ",
                   wire::RecordKind::shared_signal);
  auto st = db.cached(sent_sql);
  st.bind(1, std::string_view(r.refers_to)).bind(2, std::string_view(in.sender.org));
  if (!st.step()) {
    st.reset();
    return std::string(what) + " on a record this node never sent to " + in.sender.org;
  }
  std::string signal_id = st.is_null(0) ? "" : st.text(0), rule_id = st.text(1);
  const OutboxState state = read_sql<OutboxState>(st.text(2));
  st.reset();
  if (state != OutboxState::delivered) return std::string(what) + " on a record " + in.sender.org + " did not accept";
  const policies::Rule* rule = in.policy.find(rule_id);
  if (!rule) return "the record's rule " + rule_id + " is not in the current policy";
  if (!r.subjects.empty()) return std::string(what) + " carries no subjects";
  // Status, reason, note, organisations and categories are checked by
  // content in check_follow_up_fields; here what the rule allows.
  if (feedback) {
    if (!r.note.empty() && !rule->feedback_note) return "rule " + rule->id + " does not allow a feedback note";
    if (r.organisations != -1 || !r.categories.empty()) return "feedback carries no bundle fields";
  } else {
    if (rule->bundle_notices.empty()) return "rule " + rule->id + " does not allow bundle notices";
    if (r.organisations >= 0 && !rule->bundle_notices.contains("organisations")) {
      return "rule " + rule->id + " does not grant the number of organisations";
    }
    if (!r.categories.empty() && !rule->bundle_notices.contains("categories")) {
      return "rule " + rule->id + " does not grant the bundle's categories";
    }
    if (!r.status.empty() || !r.reason.empty() || !r.note.empty()) return "a bundle notice carries no feedback fields";
  }
  json::array categories;
  for (const auto& c : r.categories) categories.push_back(json::value(c));
  db.cached(
        "INSERT INTO signal_feedback (message_id, signal_id, partner, record_id, kind, status, reason, note, "
        "organisations, categories, received_at_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?)")
      .bind(1, std::string_view(r.record_id))
      .bind(2, std::string_view(signal_id))
      .bind(3, std::string_view(in.sender.org))
      .bind(4, std::string_view(r.refers_to))
      .bind(5, to_sql(feedback ? FeedbackKind::feedback : FeedbackKind::bundle_notice))
      .bind(6, std::string_view(r.status))
      .bind(7, std::string_view(r.reason))
      .bind(8, std::string_view(r.note))
      .bind(9, r.organisations >= 0 ? std::optional<std::int64_t>(r.organisations) : std::nullopt)
      .bind(10, std::string_view(json::serialize(categories)))
      .bind(11, in.now)
      .run();
  if (feedback) {
    if (auto author = signals::SignalRepository::author_of(db, signal_id)) {
      notify::Notices::raise(db, notify::Topic::feedback_received,
                             notify::Audience::submitter(*author, notify::Topic::feedback_received), signal_id, in.now);
    }
  }
  in.audit(db, r, "");
  return {};
}

}  // namespace signalnode::node::sharing
