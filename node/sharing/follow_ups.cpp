// What follows a shared record, on the node that starts it: the officer's
// withdrawal (GDPR art. 17 and 19), the analyst's feedback and bundle notices
// back to a record's source, and what the source was told.
#include "node/sharing/follow_ups.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cstring>
#include <set>

#include "crypto/random.hpp"
#include "crypto/sha256.hpp"
#include "node/alerts/alerts.hpp"
#include "node/log/log.hpp"
#include "node/audit/audit_log.hpp"
#include "node/sharing/feedback_state.hpp"
#include "node/sharing/outbox_state.hpp"
#include "node/sharing/records.hpp"
#include "node/signals/signal_state.hpp"
#include "node/alerts/alert_kind.hpp"
#include "node/signals/signal_repository.hpp"

namespace signalnode::node::sharing {
namespace wire = protocol::wire;
namespace json = boost::json;

bool is_feedback_status(std::string_view s) { return from_sql<FeedbackStatus>(s).has_value(); }
bool is_withheld_reason(std::string_view s) {
  return std::find(std::begin(kWithheldReasons), std::end(kWithheldReasons), s) != std::end(kWithheldReasons);
}
bool is_feedback_reason(std::string_view s) {
  return std::find(std::begin(kFeedbackReasons), std::end(kFeedbackReasons), s) != std::end(kFeedbackReasons) ||
         is_withheld_reason(s);
}

std::optional<FeedbackCodeProblem> check_feedback_codes(std::string_view status, std::string_view reason) {
  auto parsed = from_sql<FeedbackStatus>(status);
  if (!parsed) {
    return FeedbackCodeProblem{"status",
                               "is geen status van een terugmelding (received, assessed, investigation_started, "
                               "inspection_planned, action_taken, no_follow_up, forwarded, withheld)",
                               "is not a feedback status"};
  }
  if (!reason.empty() && !is_feedback_reason(reason)) {
    return FeedbackCodeProblem{"reason", "is geen code voor een reden (zie GET /openapi.json)",
                               "is not a feedback reason code"};
  }
  const bool withheld = *parsed == FeedbackStatus::withheld;
  if (withheld && !is_withheld_reason(reason)) {
    return FeedbackCodeProblem{
        "reason",
        "moet zeggen waarom bewust niet wordt teruggekoppeld: investigation_interest (belang van het onderzoek), "
        "legal_restriction (wettelijke geheimhoudingsplicht) of source_protection (bescherming van een bron)",
        "must say why feedback is withheld: investigation_interest, legal_restriction or source_protection"};
  }
  if (!withheld && is_withheld_reason(reason)) {
    return FeedbackCodeProblem{"reason", "hoort alleen bij status withheld (bewust niet teruggekoppeld)",
                               "is a reason for withheld feedback only (status withheld)"};
  }
  return std::nullopt;
}

bool answers_record(std::string_view status) {
  auto parsed = from_sql<FeedbackStatus>(status);
  return parsed && *parsed != FeedbackStatus::received;
}

std::optional<std::int64_t> feedback_due_at(const policies::Rule* rule, std::int64_t from_ms) {
  if (!rule || !rule->feedback_period_days) return std::nullopt;
  return from_ms + std::int64_t{*rule->feedback_period_days} * 86'400'000;
}

namespace {

using signals::ShareState;
using signals::SignalStatus;
using storage::sql;
using storage::sql_list;
using wire::RecordKind;

// withdraw's statements, the states spelt from their enums; built once, so the
// statement cache sees one text each.
const std::string& live_records_sql() {
  static const std::string text = sql(
      "SELECT recipient, record_id, state FROM outbox o WHERE signal_id = ? AND kind = ", RecordKind::shared_signal,
      " AND state IN ", sql_list(OutboxState::queued, OutboxState::sending, OutboxState::delivered),
      " AND rowid = (SELECT max(rowid) FROM outbox x "
      "WHERE x.signal_id = o.signal_id AND x.recipient = o.recipient AND x.kind = ", RecordKind::shared_signal,
      " AND x.state IN ", sql_list(OutboxState::queued, OutboxState::sending, OutboxState::delivered), ")");
  return text;
}
const std::string& cancel_corrections_sql() {
  static const std::string text = sql("UPDATE outbox SET state = ", OutboxState::cancelled, " WHERE signal_id = ? AND state = ",
                                      OutboxState::queued, " AND kind = ", RecordKind::correction);
  return text;
}
const std::string& cancel_record_sql() {
  static const std::string text = sql("UPDATE outbox SET state = ", OutboxState::cancelled,
                                      " WHERE record_id = ? AND state = ", OutboxState::queued);
  return text;
}


}  // namespace

Outcome FollowUps::withdraw(const std::string& signal_id, const std::string& by) {
  const std::int64_t now = ctx_.now_ms();
  Outcome result;
  ctx_.store.write([&](storage::Database& db) {
    auto current = signals::SignalRepository::status_of(db, signal_id);
    if (!current) {
      result = Outcome::not_found("no signal with this id");
      return;
    }
    std::string category = current->category;
    if (current->status == SignalStatus::withdrawn) {
      result = Outcome::conflict("the signal was already withdrawn");
      return;
    }
    auto subjects = ctx_.own_subjects(db, signal_id);

    // Per partner, the live record of this signal: cancelled while it still
    // waits in the outbox, else followed by a signed withdrawal.
    std::vector<std::tuple<std::string, std::string, std::string>> originals;  // partner, record id, state
    {
      auto live = db.cached(live_records_sql());
      live.bind(1, std::string_view(signal_id));
      while (live.step()) originals.emplace_back(live.text(0), live.text(1), live.text(2));
      live.reset();
    }
    json::array withdrawn_at, cancelled_at;
    db.cached(cancel_corrections_sql())
        .bind(1, std::string_view(signal_id))
        .run();
    // An approved disclosure not yet sent goes too, and its sealed copy.
    static const std::string cancel_answers = sql("UPDATE outbox SET state = ", OutboxState::cancelled,
                                                  ", record = zeroblob(0) WHERE signal_id = ? AND kind = ",
                                                  RecordKind::request_answer, " AND state = ", OutboxState::queued);
    db.cached(cancel_answers).bind(1, std::string_view(signal_id)).run();
    auto cancel = db.cached(cancel_record_sql());
    for (const auto& [partner, record_id, state] : originals) {
      cancel.reset();
      cancel.bind(1, std::string_view(record_id)).run();
      if (db.changes() > 0) {
        cancelled_at.push_back(json::value(partner));
        continue;
      }
      wire::Record w;
      w.record_id = crypto::time_ordered_hex_id(now);
      w.kind = wire::RecordKind::withdrawal;
      w.refers_to = record_id;
      w.category = category;
      w.rule_id = "withdrawal";
      detail::enqueue(db, {&w, partner, w.rule_id, signal_id, std::nullopt}, now);
      withdrawn_at.push_back(json::value(partner));
    }

    // Erasure here: the sealed content, the subjects and the identifier links
    // go; the row stays (category and dates only) to show the withdrawals.
    signals::SignalRepository::erase_content(db, signal_id, now);
    ctx_.refresh_alerts(db, subjects, now);

    audit::Event e;
    e.name = audit::events::kSignalWithdrawn;
    e.start_ms = e.end_ms = now;
    e.attributes = {{"signalId", signal_id}, {"category", category}, {"by", by},
                    {"withdrawalsTo", withdrawn_at}, {"cancelledFor", cancelled_at},
                    {"legalBasis", "AVG art. 17 and 19 (erasure, notification of recipients)"}};
    for (const auto& s : subjects) e.data_subjects.push_back(crypto::to_hex(s.pseudonym));
    e.category = category;
    audit::AuditLog::append(db, e);
    result = Outcome::queued(json::object{{"id", signal_id}, {"status", to_sql(SignalStatus::withdrawn)},
                                        {"withdrawalsQueued", withdrawn_at}, {"cancelled", cancelled_at}});
  });
  if (result.kind == Outcome::Kind::queued) log::info("signal.withdrawn", {{"signal", signal_id}});
  return result;
}

Outcome FollowUps::send_feedback(const std::string& inbox_id, const std::string& status, const std::string& reason,
                                    const std::string& note, const policies::Policy& policy) {
  if (auto wrong = check_feedback_codes(status, reason)) return Outcome::invalid(wrong->field, wrong->en);
  if (note.size() > kMaxFeedbackNote) return Outcome::invalid("note", "must be at most 500 bytes");
  const std::int64_t now = ctx_.now_ms();
  Outcome result;
  ctx_.store.write([&](storage::Database& db) {
    auto st = db.cached("SELECT sender, record_id, rule_id, category FROM inbox WHERE id = ?");
    st.bind(1, std::string_view(inbox_id));
    if (!st.step()) {
      st.reset();
      // Recorded: someone tried to report back on a record this node does not hold.
      audit::Event e;
      e.name = audit::events::kFeedbackRejected;
      e.status = "rejected";
      e.start_ms = e.end_ms = now;
      e.attributes = {{"inboxId", inbox_id.substr(0, 64)}, {"status", status},
                      {"reason", "no received record with this id"}};
      audit::AuditLog::append(db, e);
      result = Outcome::not_found("no received record with this id");
      return;
    }
    std::string sender = st.text(0), record_id = st.text(1), rule_id = st.text(2), category = st.text(3);
    st.reset();
    const policies::Rule* rule = policy.find(rule_id);
    if (!note.empty() && (!rule || !rule->feedback_note)) {
      result = Outcome::invalid("note", "rule " + rule_id + " does not allow a free-text note; send a status and reason code");
      return;
    }
    wire::Record f;
    f.record_id = crypto::time_ordered_hex_id(now);
    f.kind = wire::RecordKind::feedback;
    f.refers_to = record_id;
    f.category = category;
    f.rule_id = rule_id;
    f.policy_hash = policy.sha256();
    f.status = status;
    f.reason = reason;
    f.note = note;
    detail::enqueue(db, {&f, sender, rule_id, std::nullopt, inbox_id}, now);
    // answered_at_ms: the first feedback that answers (not a mere
    // acknowledgement); a later `received` does not make the record unanswered.
    db.cached(
          "UPDATE inbox SET feedback_status = ?1, feedback_reason = ?2, feedback_at_ms = ?3, "
          "answered_at_ms = CASE WHEN ?5 THEN coalesce(answered_at_ms, ?3) ELSE answered_at_ms END WHERE id = ?4")
        .bind(1, std::string_view(status))
        .bind(2, std::string_view(reason))
        .bind(3, now)
        .bind(4, std::string_view(inbox_id))
        .bind(5, std::int64_t{answers_record(status) ? 1 : 0})
        .run();
    result = Outcome::queued(json::object{{"id", f.record_id}, {"inboxId", inbox_id}, {"to", sender}, {"status", status}});
  });
  return result;
}

Outcome FollowUps::send_notices(const std::string& alert_id, const policies::Policy& policy) {
  const std::int64_t now = ctx_.now_ms();
  Outcome result;
  ctx_.store.write([&](storage::Database& db) {
    auto alert = alerts::Alerts::find(db, alert_id);
    if (!alert) {
      result = Outcome::not_found("no alert with this id");
      return;
    }
    const auto kind = read_sql<alerts::AlertKind>(alert->kind);
    const auto& pseudonym = alert->pseudonym;
    const auto& categories = alert->categories;
    const auto& records = alert->records;
    if (kind != alerts::AlertKind::bundle) {
      result = Outcome::conflict("notices are sent for bundle alerts only");
      return;
    }
    const auto org_count = static_cast<std::int64_t>(alert->organisations.size());
    json::array queued, not_allowed;
    auto record = db.cached("SELECT sender, record_id, rule_id, category FROM inbox WHERE id = ?");
    for (const auto& id : records) {
      record.reset();
      record.bind(1, std::string_view(id));
      if (!record.step()) continue;
      std::string sender = record.text(0), record_id = record.text(1), rule_id = record.text(2), category = record.text(3);
      record.reset();
      const policies::Rule* rule = policy.find(rule_id);
      if (!rule || rule->bundle_notices.empty()) {
        not_allowed.push_back(json::object{{"partner", sender}, {"rule", rule_id}});
        continue;
      }
      wire::Record n;
      // One notice per record and bundle size: sending again changes nothing
      // until the bundle grows.
      std::string seed = crypto::to_hex(pseudonym) + "/" + record_id + "/" + std::to_string(org_count);
      n.record_id = crypto::to_hex(crypto::sha256(crypto::as_bytes(seed))).substr(0, 32);
      n.kind = wire::RecordKind::bundle_notice;
      n.refers_to = record_id;
      n.category = category;
      n.rule_id = rule_id;
      n.policy_hash = policy.sha256();
      if (rule->bundle_notices.contains("organisations")) n.organisations = org_count;
      if (rule->bundle_notices.contains("categories")) {
        for (const auto& c : categories) n.categories.emplace_back(c);
      }
      bool fresh = detail::enqueue(db, {&n, sender, rule_id, std::nullopt, id}, now);
      queued.push_back(json::object{{"partner", sender}, {"recordId", id}, {"new", fresh}});
    }
    result = Outcome::queued(json::object{{"alert", alert_id}, {"queued", queued}, {"notAllowed", not_allowed}});
  });
  return result;
}

std::vector<FeedbackItem> FollowUps::feedback_of(const std::string& signal_id) const {
  return ctx_.store.read([&](storage::Database& db) {
    std::vector<FeedbackItem> out;
    auto st = db.cached(
        "SELECT kind, partner, status, reason, note, organisations, categories, received_at_ms FROM signal_feedback "
        "WHERE signal_id = ? ORDER BY received_at_ms, message_id");
    st.bind(1, std::string_view(signal_id));
    while (st.step()) {
      FeedbackItem f;
      f.kind = to_sql(read_sql<FeedbackKind>(st.text(0)));
      f.partner = st.text(1);
      f.status = st.is_null(2) || st.text(2).empty()
                     ? ""
                     : std::string(to_sql(read_sql<FeedbackStatus>(st.text(2), "signal_feedback.status")));
      f.reason = st.is_null(3) ? "" : st.text(3);
      f.note = st.is_null(4) ? "" : st.text(4);
      if (!st.is_null(5)) f.organisations = st.int64(5);
      json::value categories = json::parse(st.is_null(6) ? std::string("[]") : st.text(6));
      for (const auto& c : categories.as_array()) f.categories.emplace_back(c.as_string());
      f.received_at_ms = st.int64(7);
      out.push_back(std::move(f));
    }
    st.reset();
    return out;
  });
}

}  // namespace signalnode::node::sharing
