#include "node/sharing/sharing.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "crypto/random.hpp"
#include "node/log/log.hpp"
#include "node/sharing/records.hpp"
#include "policies/projection.hpp"

namespace signalnode::node::sharing {
namespace wire = protocol::wire;
namespace json = boost::json;
using namespace std::chrono;

namespace {

using detail::day_of;

std::int64_t backoff_ms(std::int64_t attempts) {
  return std::min<std::int64_t>(300'000, 1000LL << std::min<std::int64_t>(attempts, 9));
}

// The audit event a settled outgoing message becomes on the sender's side.
std::string sent_event_name(wire::RecordKind kind) {
  switch (kind) {
    case wire::RecordKind::withdrawal: return "record.withdrawn";
    case wire::RecordKind::correction: return "record.corrected";
    case wire::RecordKind::feedback: return "feedback.sent";
    case wire::RecordKind::bundle_notice: return "notice.sent";
    case wire::RecordKind::shared_signal: break;
  }
  return "record.sent";
}

// A record in flight cannot be cancelled, so a withdrawal meanwhile was queued
// behind it. If the attempt did not deliver it (failure, no acknowledgement,
// or a restart), it is back in the queue and need not leave at all: cancel it
// and that withdrawal. Every path that puts a 'sending' record back calls this.
void cancel_if_withdrawn_in_flight(storage::Database& db, std::string_view record_id) {
  db.cached("UPDATE outbox SET state = 'cancelled', reason = 'the record it withdraws never left' "
            "WHERE refers_to = ? AND kind = 'withdrawal' AND state = 'queued'")
      .bind(1, record_id)
      .run();
  if (db.changes() == 0) return;
  db.cached("UPDATE outbox SET state = 'cancelled' WHERE record_id = ? AND state = 'queued'").bind(1, record_id).run();
}

}  // namespace

bool is_feedback_status(std::string_view s) {
  return std::find(std::begin(kFeedbackStatuses), std::end(kFeedbackStatuses), s) != std::end(kFeedbackStatuses);
}
bool is_feedback_reason(std::string_view s) {
  return std::find(std::begin(kFeedbackReasons), std::end(kFeedbackReasons), s) != std::end(kFeedbackReasons);
}

Sharing::Sharing(storage::Store& store, pseudonyms::Pseudonymiser& pseudonymiser, NowMs now_ms,
                 alerts::BundleRule bundle_rule, std::string self_org)
    : store_(store), pseudonymiser_(pseudonymiser), now_ms_(std::move(now_ms)),
      matcher_{std::move(self_org), bundle_rule} {}

void Sharing::recover() {
  store_.write([](storage::Database& db) {
    auto st = db.cached("UPDATE outbox SET state = 'queued' WHERE state = 'sending' RETURNING record_id");
    std::vector<std::string> back;
    while (st.step()) back.push_back(st.text(0));
    st.reset();
    for (const auto& id : back) cancel_if_withdrawn_in_flight(db, id);
  });
}

std::size_t Sharing::share_ready(const policies::Policy& policy, const federation::Manifest& manifest,
                                 const policies::Party& self, std::size_t max_signals) {
  const std::int64_t now = now_ms_();
  // Read the ready signals and their pseudonyms first; decide and write after.
  struct Ready {
    std::string id;
    policies::SignalFacts facts;  // what the covenant's projection reads
  };
  auto ready = store_.read([&](storage::Database& db) {
    std::vector<Ready> out;
    auto st = db.cached(
        "SELECT s.id, s.category, s.observed_on, s.municipality, s.severity, s.persons FROM signals s "
        "WHERE s.share_state = 'pending' AND s.status = 'active' AND NOT EXISTS (SELECT 1 FROM signal_identifiers si "
        "LEFT JOIN pseudonyms p ON p.lookup_key = si.lookup_key WHERE si.signal_id = s.id AND p.lookup_key IS NULL) "
        "ORDER BY s.created_at_ms LIMIT ?");
    st.bind(1, static_cast<std::int64_t>(max_signals));
    while (st.step()) {
      Ready r;
      r.id = st.text(0);
      r.facts.category = st.text(1);
      r.facts.observed_on = st.text(2);
      if (!st.is_null(3)) r.facts.municipality = st.text(3);
      r.facts.severity = st.text(4);
      if (!st.is_null(5)) r.facts.persons = st.int64(5);
      out.push_back(std::move(r));
    }
    st.reset();
    auto ids = db.cached(
        "SELECT si.position, ss.kind, si.id_kind, si.lookup_key FROM signal_identifiers si JOIN signal_subjects ss "
        "ON ss.signal_id = si.signal_id AND ss.position = si.position WHERE si.signal_id = ? "
        "ORDER BY si.position, si.id_kind");
    for (auto& r : out) {
      ids.reset();
      ids.bind(1, std::string_view(r.id));
      std::vector<std::pair<policies::SubjectIdentifier, crypto::LookupKey>> keys;
      while (ids.step()) {
        policies::SubjectIdentifier id{static_cast<std::size_t>(ids.int64(0)), ids.text(1), ids.text(2), {}};
        crypto::LookupKey key{};
        auto blob = ids.blob(3);
        if (blob.size() == key.size()) std::memcpy(key.data(), blob.data(), key.size());
        keys.push_back({std::move(id), key});
      }
      ids.reset();
      for (auto& [id, key] : keys) {
        auto p = pseudonymiser_.cached_by_key(db, key);
        if (!p) throw std::runtime_error("pseudonym vanished for a ready signal");
        id.pseudonym = *p;
        r.facts.identifiers.push_back(std::move(id));
      }
    }
    return out;
  });
  if (ready.empty()) return 0;

  store_.write([&](storage::Database& db) {
    auto decision_row = db.cached(
        "INSERT OR REPLACE INTO sharing_decisions (signal_id, recipient, rule_id, reason) VALUES (?,?,?,?)");
    // The record a partner has (or will get) of this signal: the newest shared
    // record not cancelled or refused. A correction or withdrawal follows it.
    auto existing = db.cached(
        "SELECT record_id, state FROM outbox WHERE signal_id = ? AND recipient = ? AND kind = 'shared_signal' "
        "AND state NOT IN ('cancelled', 'rejected') ORDER BY rowid DESC LIMIT 1");
    auto cancel = db.cached("UPDATE outbox SET state = 'cancelled' WHERE record_id = ? AND state = 'queued'");
    auto done = db.cached("UPDATE signals SET share_state = 'decided' WHERE id = ?");
    for (const auto& r : ready) {
      for (const auto& partner : manifest.partners) {
        if (partner.org == self.org) continue;
        auto decision = policy.decide(self, {partner.org, partner.role}, r.facts.category, day_of(now));
        decision_row.reset();
        decision_row.bind(1, std::string_view(r.id)).bind(2, std::string_view(partner.org));
        if (decision.grant) {
          decision_row.bind(3, std::string_view(decision.grant->rule->id));
        } else {
          decision_row.bind_null(3);
        }
        decision_row.bind(4, std::string_view(decision.reason)).run();

        std::optional<std::string> original;
        existing.reset();
        existing.bind(1, std::string_view(r.id)).bind(2, std::string_view(partner.org));
        if (existing.step()) {
          std::string id = existing.text(0), state = existing.text(1);
          existing.reset();
          cancel.reset();
          cancel.bind(1, std::string_view(id)).run();  // never sent: replaced, not followed up
          if (db.changes() == 0) original = id;
        }
        existing.reset();

        if (!decision.grant) {
          if (!original) continue;
          // A correction took the signal out of what this partner may have.
          wire::Record rec;
          rec.record_id = crypto::random_hex_id(16);
          rec.category = r.facts.category;
          rec.policy_hash = policy.sha256();
          rec.kind = wire::RecordKind::withdrawal;
          rec.refers_to = *original;
          rec.rule_id = "withdrawal";
          detail::enqueue(db, {&rec, partner.org, rec.rule_id, r.id, std::nullopt}, now);
          continue;
        }
        // Exactly what the officer's preview (explain) showed: one projection.
        const auto& rule = *decision.grant->rule;
        wire::Record rec = policies::to_record(policies::project(rule, r.facts, now), policy);
        rec.record_id = crypto::random_hex_id(16);
        if (original) {
          rec.kind = wire::RecordKind::correction;
          rec.refers_to = *original;
        }
        detail::enqueue(db, {&rec, partner.org, rule.id, r.id, std::nullopt}, now);
      }
      done.reset();
      done.bind(1, std::string_view(r.id)).run();
      // A record received earlier may concern a subject of this signal: a hit.
      std::vector<alerts::Subject> subjects;
      for (const auto& id : r.facts.identifiers) {
        alerts::Subject sub;
        sub.id_kind = id.id_kind;
        std::memcpy(sub.pseudonym.data(), id.pseudonym.data(), sub.pseudonym.size());
        subjects.push_back(std::move(sub));
      }
      refresh_alerts(db, std::move(subjects), now);
    }
  });
  return ready.size();
}

std::size_t Sharing::deliver_to(const federation::Partner& partner, const policies::Policy& policy,
                                const policies::Party& self, const crypto::SigningKey& key, net::HttpsClient& client,
                                std::size_t max_batch) {
  if (partner.org == self.org) return 0;
  const std::int64_t now = now_ms_();
  std::vector<std::string> ids;
  std::vector<std::int64_t> attempts;
  wire::Batch batch;
  batch.batch_id = crypto::random_hex_id(16);
  batch.sender = self.org;
  batch.receiver = partner.org;
  batch.created_at_ms = now;
  std::vector<std::string> damaged;  // rows that do not decode: set aside below, the others go on
  store_.read([&](storage::Database& db) {
    // A message about a record waits until everything queued before it
    // about the same record has been settled: a withdrawal never overtakes
    // the record it withdraws.
    auto st = db.cached(
        "SELECT record_id, record, attempts FROM outbox o WHERE recipient = ?1 AND state = 'queued' "
        "AND next_attempt_at_ms <= ?2 AND (o.refers_to IS NULL OR NOT EXISTS (SELECT 1 FROM outbox e "
        "WHERE e.recipient = o.recipient AND e.rowid < o.rowid AND e.state IN ('queued', 'sending') "
        "AND (e.record_id = o.refers_to OR e.refers_to = o.refers_to))) ORDER BY next_attempt_at_ms LIMIT ?3");
    st.bind(1, std::string_view(partner.org)).bind(2, now).bind(3, static_cast<std::int64_t>(max_batch));
    while (st.step()) {
      std::string error;
      auto blob = st.blob(1);
      auto single = wire::decode_batch(blob, error);
      if (!single || single->records.size() != 1) {
        damaged.push_back(st.text(0));
        continue;
      }
      ids.push_back(st.text(0));
      attempts.push_back(st.int64(2));
      batch.records.push_back(std::move(single->records[0]));
    }
    return 0;
  });
  if (!damaged.empty()) {
    // A row that does not decode would stop delivery to this partner for good.
    // It is settled as rejected with this reason, never sent; what follows it
    // (a withdrawal, a correction) is void, as when a partner refuses a record.
    constexpr std::string_view kDamaged = "damaged in storage (set aside)";
    std::vector<std::string> kinds;
    store_.write([&](storage::Database& db) {
      auto set_aside = db.cached(
          "UPDATE outbox SET state = 'rejected', reason = ?, last_error = NULL WHERE record_id = ? AND state = 'queued' "
          "RETURNING kind");
      auto void_follow_ups = db.cached(
          "UPDATE outbox SET state = 'void', reason = 'the record this follows was damaged in storage' "
          "WHERE refers_to = ? AND recipient = ? AND state = 'queued' AND kind IN ('withdrawal', 'correction')");
      for (const auto& id : damaged) {
        set_aside.reset();
        set_aside.bind(1, kDamaged).bind(2, std::string_view(id));
        kinds.push_back(set_aside.step() ? set_aside.text(0) : std::string());
        set_aside.reset();
        void_follow_ups.reset();
        void_follow_ups.bind(1, std::string_view(id)).bind(2, std::string_view(partner.org)).run();
      }
    });
    for (std::size_t i = 0; i < damaged.size(); ++i) {
      if (kinds[i].empty()) continue;  // settled otherwise meanwhile
      log::error("outbox.entry_set_aside",
                 {{"partner", partner.org}, {"record", damaged[i]}, {"kind", kinds[i]}, {"reason", kDamaged}});
    }
  }
  if (batch.records.empty()) return 0;
  // While in flight the records are 'sending': a withdrawal now cannot
  // cancel them, and is sent after them instead.
  store_.write([&](storage::Database& db) {
    auto mark = db.cached("UPDATE outbox SET state = 'sending' WHERE record_id = ? AND state = 'queued'");
    for (const auto& id : ids) {
      mark.reset();
      mark.bind(1, std::string_view(id)).run();
    }
  });

  auto signed_batch = wire::sign_batch(batch, key);
  auto body = wire::encode(signed_batch);
  std::string traceparent = net::new_traceparent();
  std::int64_t started = now_ms_();
  try {
    auto response = client.request("POST", "/federation/v1/batches", std::string(body.begin(), body.end()),
                                   {{"Content-Type", "application/octet-stream"}, {"traceparent", traceparent}});
    if (response.status != 200) {
      throw std::runtime_error(detail::partner_error_text(response.status, response.body));
    }
    std::string error;
    crypto::Bytes receipt_bytes(response.body.begin(), response.body.end());
    auto signed_receipt = wire::decode_signed(receipt_bytes, error);
    if (!signed_receipt || !wire::verify_receipt(*signed_receipt, partner.signing_key)) {
      throw std::runtime_error("receipt is malformed or not signed by " + partner.org);
    }
    auto receipt = wire::decode_receipt(signed_receipt->message, error);
    if (!receipt || receipt->batch_id != batch.batch_id || receipt->receiver != partner.org ||
        receipt->sender != self.org) {
      throw std::runtime_error("receipt does not acknowledge this batch");
    }
    apply_receipt(partner, policy, batch, ids, *receipt, receipt_bytes, traceparent, started);
    log::info("batch.delivered", {{"partner", partner.org}, {"records", ids.size()}, {"batch", batch.batch_id}});
    return ids.size();
  } catch (const std::exception& e) {
    record_failure(ids, attempts, e.what());
    log::warn("batch.failed", {{"partner", partner.org}, {"records", ids.size()}, {"error", e.what()}});
  }
  return 0;
}

void Sharing::apply_receipt(const federation::Partner& partner_entry, const policies::Policy& policy,
                            const wire::Batch& batch, const std::vector<std::string>& record_ids,
                            const wire::Receipt& receipt, const crypto::Bytes& signed_receipt,
                            const std::string& traceparent, std::int64_t started_ms) {
  const std::string& partner = partner_entry.org;
  std::map<std::string, const wire::RecordOutcome*> outcomes;
  for (const auto& o : receipt.outcomes) outcomes[o.record_id] = &o;
  const std::int64_t now = now_ms_();
  auto trace = audit::parse_traceparent(traceparent);
  store_.write([&](storage::Database& db) {
    db.cached("INSERT OR IGNORE INTO receipts (batch_id, partner, receipt, received_at_ms) VALUES (?,?,?,?)")
        .bind(1, std::string_view(receipt.batch_id))
        .bind(2, std::string_view(partner))
        .bind_blob(3, signed_receipt)
        .bind(4, now)
        .run();
    auto st = db.cached(
        "UPDATE outbox SET state = ?, delivered_at_ms = ?, reason = ?, batch_id = ?, last_error = NULL "
        "WHERE record_id = ? AND recipient = ? AND state IN ('queued', 'sending')");
    auto requeue = db.cached("UPDATE outbox SET state = 'queued' WHERE record_id = ? AND state = 'sending'");
    auto void_follow_ups = db.cached(
        "UPDATE outbox SET state = 'void', reason = 'the partner refused the record this follows' "
        "WHERE refers_to = ? AND recipient = ? AND state = 'queued' AND kind IN ('withdrawal', 'correction')");
    for (const auto& id : record_ids) {
      auto it = outcomes.find(id);
      if (it == outcomes.end()) {  // not acknowledged: queued again
        requeue.reset();
        requeue.bind(1, std::string_view(id)).run();
        cancel_if_withdrawn_in_flight(db, id);
        continue;
      }
      st.reset();
      st.bind(1, it->second->accepted ? std::string_view("delivered") : std::string_view("rejected"))
          .bind(2, now)
          .bind(3, std::string_view(it->second->reason))
          .bind(4, std::string_view(receipt.batch_id))
          .bind(5, std::string_view(id))
          .bind(6, std::string_view(partner))
          .run();
      if (db.changes() == 0) continue;  // already settled by an earlier receipt
      // record.sent (or the follow-up's event) is written on the receiver's
      // signed receipt, in the transaction that marks it delivered or rejected.
      const wire::Record& record = batch.records[static_cast<std::size_t>(&id - record_ids.data())];
      if (!it->second->accepted && record.kind == wire::RecordKind::shared_signal) {
        void_follow_ups.reset();
        void_follow_ups.bind(1, std::string_view(id)).bind(2, std::string_view(partner)).run();
      }
      audit::Event e;
      e.name = sent_event_name(record.kind);
      e.status = it->second->accepted ? "ok" : "rejected";
      e.start_ms = started_ms;
      e.end_ms = now;
      if (trace) {
        e.trace_id = trace->first;
        e.foreign = audit::ForeignOperation{trace->first, trace->second, "urn:oin:" + partner_entry.oin};
      }
      e.attributes = detail::activity(record, policy);
      e.attributes["partner"] = partner;
      e.attributes["batchId"] = receipt.batch_id;
      if (!it->second->accepted) e.attributes["reason"] = it->second->reason;
      if (receipt.tree_size > 0) {
        // The receiver's signed tree head at the time of the receipt, checked
        // against its manifest key: evidence of its log we can show later.
        bool valid = crypto::verify(
            partner_entry.signing_key,
            audit::tree_head_message(receipt.tree_size, receipt.tree_timestamp_ms, receipt.tree_root),
            receipt.tree_signature);
        e.attributes["receiverTreeHead"] = json::object{{"treeSize", receipt.tree_size},
                                                        {"timestampMs", receipt.tree_timestamp_ms},
                                                        {"rootHash", crypto::to_hex(receipt.tree_root)},
                                                        {"signature", crypto::to_base64(receipt.tree_signature)},
                                                        {"signatureValid", valid}};
      }
      e.data_subjects = detail::subjects_of(record);
      e.partner = partner;
      e.category = record.category;
      audit::AuditLog::append(db, e);
    }
  });
}

void Sharing::record_failure(const std::vector<std::string>& record_ids, const std::vector<std::int64_t>& attempts,
                             const std::string& error) {
  const std::int64_t now = now_ms_();
  store_.write([&](storage::Database& db) {
    auto st = db.cached(
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at_ms = ?, last_error = ?, "
        "state = CASE state WHEN 'sending' THEN 'queued' ELSE state END WHERE record_id = ?");
    for (std::size_t i = 0; i < record_ids.size(); ++i) {
      st.reset();
      st.bind(1, now + backoff_ms(attempts[i])).bind(2, std::string_view(error)).bind(3, std::string_view(record_ids[i])).run();
      cancel_if_withdrawn_in_flight(db, record_ids[i]);
    }
  });
}

namespace {

// Per partner: the decision, the newest record (a live one before a cancelled
// one), and the newest withdrawal or correction that followed it.
std::vector<PartnerState> partner_states(storage::Database& db, const std::string& signal_id) {
  std::vector<PartnerState> out;
  auto decisions = db.cached(
      "SELECT recipient, rule_id, reason FROM sharing_decisions WHERE signal_id = ? ORDER BY recipient");
  auto record = db.cached(
      "SELECT state, attempts, last_error, delivered_at_ms, reason, rule_id FROM outbox WHERE signal_id = ? "
      "AND recipient = ? AND kind = 'shared_signal' ORDER BY state = 'cancelled', rowid DESC LIMIT 1");
  auto follow_up = db.cached(
      "SELECT kind, state, attempts, last_error, reason FROM outbox WHERE signal_id = ? AND recipient = ? "
      "AND kind IN ('withdrawal', 'correction') ORDER BY rowid DESC LIMIT 1");
  decisions.bind(1, std::string_view(signal_id));
  while (decisions.step()) {
    PartnerState p;
    p.partner = decisions.text(0);
    p.rule_id = decisions.is_null(1) ? "" : decisions.text(1);
    p.state = "not_shared";
    p.reason = decisions.text(2);
    out.push_back(std::move(p));
  }
  decisions.reset();
  for (auto& p : out) {
    record.reset();
    record.bind(1, std::string_view(signal_id)).bind(2, std::string_view(p.partner));
    if (record.step()) {
      p.state = record.text(0) == "sending" ? "queued" : record.text(0);
      p.attempts = record.int64(1);
      p.reason.clear();
      if (!record.is_null(3)) p.delivered_at_ms = record.int64(3);
      p.rule_id = record.text(5);
      if (p.state == "queued" && p.attempts > 0) {
        p.state = "failing";
        p.reason = record.is_null(2) ? "" : record.text(2);
      } else if (p.state == "rejected") {
        p.reason = record.is_null(4) ? "" : record.text(4);
      }
    }
    record.reset();
    follow_up.reset();
    follow_up.bind(1, std::string_view(signal_id)).bind(2, std::string_view(p.partner));
    if (follow_up.step()) {
      FollowUp f;
      f.kind = follow_up.text(0);
      std::string state = follow_up.text(1);
      if (state == "delivered") {
        f.state = "applied";
      } else if (state == "rejected" || state == "void") {
        f.state = state;
        f.reason = follow_up.is_null(4) ? "" : follow_up.text(4);
      } else if (follow_up.int64(2) > 0) {
        f.state = "failing";
        f.reason = follow_up.is_null(3) ? "" : follow_up.text(3);
      } else {
        f.state = state == "cancelled" ? "cancelled" : "queued";
      }
      p.follow_up = std::move(f);
    }
    follow_up.reset();
  }
  return out;
}

}  // namespace

std::vector<PartnerState> Sharing::state_of(const std::string& signal_id) const {
  return store_.read([&](storage::Database& db) { return partner_states(db, signal_id); });
}

std::map<std::string, SignalProgress> Sharing::progress_of(const std::vector<std::string>& signal_ids) const {
  return store_.read([&](storage::Database& db) {
    std::map<std::string, SignalProgress> out;
    auto feedback = db.cached("SELECT count(*) FROM signal_feedback WHERE signal_id = ? AND kind = 'feedback'");
    for (const auto& id : signal_ids) {
      SignalProgress& p = out[id];
      p.sharing = partner_states(db, id);
      feedback.reset();
      feedback.bind(1, std::string_view(id));
      if (feedback.step()) p.feedback = feedback.int64(0);
    }
    feedback.reset();
    return out;
  });
}

std::map<std::string, OutboxStats> Sharing::outbox_stats() const {
  return store_.read([](storage::Database& db) {
    std::map<std::string, OutboxStats> out;
    auto st = db.cached(
        "SELECT recipient, count(*), min(created_at_ms) FROM outbox WHERE state IN ('queued', 'sending') GROUP BY recipient");
    while (st.step()) out[st.text(0)] = {st.int64(1), st.int64(2)};
    st.reset();
    return out;
  });
}

std::string detail::partner_error_text(int status, const std::string& body) {
  // Only a short answer can be a problem document worth parsing; a longer one
  // is shown by its start.
  constexpr std::size_t kMaxShown = 200, kMaxParsed = 4096;
  std::string text = body.substr(0, kMaxShown);
  boost::system::error_code ec;
  json::value v = body.size() <= kMaxParsed ? json::parse(body, ec) : json::value();
  if (!ec && v.is_object()) {
    const json::object& o = v.get_object();
    auto str = [&](const char* key) {
      const json::value* f = o.if_contains(key);
      return f && f->is_string() ? std::string(f->get_string()) : std::string();
    };
    text = str("title");
    if (std::string detail = str("detail"); !detail.empty()) text += (text.empty() ? "" : ": ") + detail;
  }
  if (text.size() > kMaxShown) text.resize(kMaxShown);
  for (char& c : text) {
    if (c < 0x20 || c > 0x7e) c = '?';
  }
  return "partner answered HTTP " + std::to_string(status) + (text.empty() ? "" : ": " + text);
}

}  // namespace signalnode::node::sharing
