// Pushing the outbox to one partner: a signed batch over mTLS, the signed
// receipt checked and applied (delivered, rejected, or queued again), and a
// failure recorded with its backoff. Each partner has its own thread.
#include "node/sharing/delivery.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <map>

#include "crypto/random.hpp"
#include "node/audit/audit_log.hpp"
#include "node/audit/ldv.hpp"
#include "node/federation/paths.hpp"
#include "node/log/log.hpp"
#include "node/notify/notices.hpp"
#include "node/sharing/outbox_state.hpp"
#include "node/sharing/records.hpp"
#include "node/sharing/requests.hpp"

namespace signalnode::node::sharing {
namespace wire = protocol::wire;
namespace json = boost::json;
using storage::sql;
using storage::sql_list;
using wire::RecordKind;

namespace {

// 1, 2, 4 ... s, at most 5 minutes, plus up to a tenth more at random, so
// records that failed together do not all come back in one burst.
std::int64_t backoff_ms(std::int64_t attempts) {
  const std::int64_t base = std::min<std::int64_t>(300'000, 1000LL << std::min<std::int64_t>(attempts, 9));
  std::uint32_t r = 0;
  crypto::fill_random(std::span(reinterpret_cast<std::uint8_t*>(&r), sizeof r));
  return base + static_cast<std::int64_t>(r % static_cast<std::uint32_t>(base / 10 + 1));
}

// A record the partner refused for now (policies::is_temporary_refusal) is
// offered again every 10 to 15 minutes, for three days from when it was
// queued: long enough for an operator to fix a clock or roll out a covenant,
// and the spread keeps the refused records of many batches apart.
constexpr std::int64_t kRetryRefusedMs = 3 * 86'400'000LL;
std::int64_t retry_after_refusal_ms() {
  std::uint32_t r = 0;
  crypto::fill_random(std::span(reinterpret_cast<std::uint8_t*>(&r), sizeof r));
  return 600'000 + static_cast<std::int64_t>(r % 300'001U);
}

// The audit event a settled outgoing message becomes on the sender's side.
audit::EventName sent_event_name(wire::RecordKind kind) {
  namespace ev = audit::events;
  switch (kind) {
    case wire::RecordKind::withdrawal: return ev::kRecordWithdrawn;
    case wire::RecordKind::correction: return ev::kRecordCorrected;
    case wire::RecordKind::feedback: return ev::kFeedbackSent;
    case wire::RecordKind::bundle_notice: return ev::kNoticeSent;
    case wire::RecordKind::contact_request:
    case wire::RecordKind::details_request: return ev::kRequestSent;
    case wire::RecordKind::request_answer: return ev::kAnswerSent;
    case wire::RecordKind::shared_signal: break;
  }
  return ev::kRecordSent;
}

}  // namespace

std::size_t Delivery::deliver_to(const federation::Partner& partner, const policies::Policy& policy,
                                const policies::Party& self, const crypto::SigningKey& key, net::HttpsClient& client,
                                std::size_t max_batch) {
  if (partner.org == self.org) return 0;
  const std::int64_t now = ctx_.now_ms();
  std::vector<std::string> ids;
  std::vector<std::int64_t> attempts;
  wire::Batch batch;
  batch.batch_id = crypto::random_hex_id(16);
  batch.sender = self.org;
  batch.receiver = partner.org;
  batch.created_at_ms = now;
  std::vector<std::string> damaged;  // rows that do not decode: set aside below, the others go on
  ctx_.store.read([&](storage::Database& db) {
    // A message about a record waits until everything queued before it
    // about the same record has been settled: a withdrawal never overtakes
    // the record it withdraws.
    static const std::string due_sql =
        sql("SELECT record_id, record, attempts, sealed FROM outbox o WHERE recipient = ?1 AND state = ", OutboxState::queued,
            " AND next_attempt_at_ms <= ?2 AND (o.refers_to IS NULL OR NOT EXISTS (SELECT 1 FROM outbox e "
            "WHERE e.recipient = o.recipient AND e.rowid < o.rowid AND e.state IN ",
            sql_list(OutboxState::queued, OutboxState::sending),
            " AND (e.record_id = o.refers_to OR e.refers_to = o.refers_to))) ORDER BY next_attempt_at_ms LIMIT ?3");
    auto st = db.cached(due_sql);
    st.bind(1, std::string_view(partner.org)).bind(2, now).bind(3, static_cast<std::int64_t>(max_batch));
    while (st.step()) {
      std::string error;
      auto blob = detail::outbox_record_bytes(st.blob(1), st.int64(3) != 0, st.text(0), ctx_.pseudonymiser.data_key());
      auto single = blob ? wire::decode_batch(*blob, error) : std::nullopt;
      if (blob) crypto::wipe(blob->data(), blob->size());
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
    ctx_.store.write([&](storage::Database& db) {
      static const std::string set_aside_sql =
          sql("UPDATE outbox SET state = ", OutboxState::rejected, ", reason = ?, last_error = NULL "
              "WHERE record_id = ? AND state = ", OutboxState::queued, " RETURNING kind");
      auto set_aside = db.cached(set_aside_sql);
      for (const auto& id : damaged) {
        set_aside.reset();
        set_aside.bind(1, kDamaged).bind(2, std::string_view(id));
        kinds.push_back(set_aside.step() ? set_aside.text(0) : std::string());
        set_aside.reset();
        detail::void_follow_ups(db, id, partner.org, "the record this follows was damaged in storage");
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
  // cancel them, and is sent after them instead. A record that is no longer
  // queued (withdrawn and cancelled since it was read) does not leave.
  std::vector<bool> marked(ids.size(), false);
  ctx_.store.write([&](storage::Database& db) {
    static const std::string mark_sql = sql("UPDATE outbox SET state = ", OutboxState::sending,
                                            " WHERE record_id = ? AND state = ", OutboxState::queued);
    auto mark = db.cached(mark_sql);
    for (std::size_t i = 0; i < ids.size(); ++i) {
      mark.reset();
      mark.bind(1, std::string_view(ids[i])).run();
      marked[i] = db.changes() == 1;
    }
  });
  {
    std::size_t kept = 0;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (!marked[i]) continue;
      if (kept != i) {  // never move a record onto itself
        ids[kept] = std::move(ids[i]);
        attempts[kept] = attempts[i];
        batch.records[kept] = std::move(batch.records[i]);
      }
      ++kept;
    }
    ids.resize(kept);
    attempts.resize(kept);
    batch.records.resize(kept);
  }
  if (batch.records.empty()) return 0;

  auto signed_batch = wire::sign_batch(batch, key);
  auto body = wire::encode(signed_batch);
  std::string traceparent = net::new_traceparent();
  std::int64_t started = ctx_.now_ms();
  try {
    auto response = client.request("POST", std::string(federation::kBatchesPath), std::string(body.begin(), body.end()),
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
    ctx_.witness(receipt->received_at_ms);
    // The receipt's own signature was checked above; its tree head's once
    // here, outside the write, for the head check and every record's event.
    const bool head_valid = head_signature_valid(partner, *receipt);
    apply_receipt(partner, policy, batch, ids, *receipt, receipt_bytes, traceparent, started, head_valid);
    log::info("batch.delivered", {{"partner", partner.org}, {"records", ids.size()}, {"batch", batch.batch_id}});
    return ids.size();
  } catch (const std::exception& e) {
    record_failure(ids, attempts, e.what());
    log::warn("batch.failed", {{"partner", partner.org}, {"records", ids.size()}, {"error", e.what()}});
  }
  return 0;
}

void Delivery::apply_receipt(const federation::Partner& partner_entry, const policies::Policy& policy,
                            const wire::Batch& batch, const std::vector<std::string>& record_ids,
                            const wire::Receipt& receipt, const crypto::Bytes& signed_receipt,
                            const std::string& traceparent, std::int64_t started_ms, bool head_valid) {
  const std::string& partner = partner_entry.org;
  std::map<std::string, const wire::RecordOutcome*> outcomes;
  for (const auto& o : receipt.outcomes) outcomes[o.record_id] = &o;
  const std::int64_t now = ctx_.now_ms();
  auto trace = audit::parse_traceparent(traceparent);
  // A receipt settles its records in chunks, as the receiver stores them:
  // each record's audit event is one log record per subject (LDV), so 500
  // wide records in one transaction would hold officers' writes for long. A
  // stop between chunks leaves the rest `sending`, queued again at start and
  // answered from the receiver's memory of them on the next offer.
  constexpr std::size_t kSettledPerTransaction = 100;
  for (std::size_t from = 0; from == 0 || from < record_ids.size(); from += kSettledPerTransaction) {
    const std::size_t to = std::min(record_ids.size(), from + kSettledPerTransaction);
    ctx_.store.write([&](storage::Database& db) {
      if (from == 0) {
        (void)check_witnessed_head(db, partner_entry, receipt, now, head_valid);  // a misfit is raised, the receipt still counts
        db.cached("INSERT OR IGNORE INTO receipts (batch_id, partner, receipt, received_at_ms) VALUES (?,?,?,?)")
            .bind(1, std::string_view(receipt.batch_id))
            .bind(2, std::string_view(partner))
            .bind_blob(3, signed_receipt)
            .bind(4, now)
            .run();
      }
      static const std::string settle_sql =
          sql("UPDATE outbox SET state = ?, delivered_at_ms = ?, reason = ?, batch_id = ?, last_error = NULL "
              "WHERE record_id = ? AND recipient = ? AND state IN ", sql_list(OutboxState::queued, OutboxState::sending));
      static const std::string requeue_sql = sql("UPDATE outbox SET state = ", OutboxState::queued,
                                                 " WHERE record_id = ? AND state = ", OutboxState::sending);
      // The partner answered: what waits for it in backoff is due now, so a
      // partner that returns gets its backlog at once, not over minutes (not
      // what it refused for now: that waits for its own retry).
      static const std::string due_now_sql =
          sql("UPDATE outbox SET next_attempt_at_ms = ?1 WHERE recipient = ?2 AND state = ", OutboxState::queued,
              " AND next_attempt_at_ms > ?1 AND reason IS NULL");
      if (from == 0) db.cached(due_now_sql).bind(1, now).bind(2, std::string_view(partner)).run();
      static const std::string retry_sql =
          sql("UPDATE outbox SET state = ", OutboxState::queued, ", attempts = attempts + 1, next_attempt_at_ms = ?1, "
              "last_error = ?2, reason = ?2 WHERE record_id = ?3 AND recipient = ?4 AND created_at_ms > ?5 AND state IN ",
              sql_list(OutboxState::queued, OutboxState::sending));
      auto st = db.cached(settle_sql);
      auto requeue = db.cached(requeue_sql);
      auto retry = db.cached(retry_sql);
      for (std::size_t at = from; at < to; ++at) {
        const std::string& id = record_ids[at];
        auto it = outcomes.find(id);
        if (it == outcomes.end()) {  // not acknowledged: queued again
          requeue.reset();
          requeue.bind(1, std::string_view(id)).run();
          detail::cancel_if_withdrawn_in_flight(db, id);
          continue;
        }
        const wire::Record& sent = batch.records[at];
        // Shared records only: the receiver remembers its answer to any other
        // message by id, so a retried correction would get the same refusal.
        if (!it->second->accepted && sent.kind == RecordKind::shared_signal &&
            policies::is_temporary_refusal(it->second->reason)) {
          // Clocks or covenant versions that disagree for now: the record stays
          // queued, out of the partner's "due now", and is offered again, for
          // up to kRetryRefusedMs after it was queued; then it is refused.
          retry.reset();
          retry.bind(1, now + retry_after_refusal_ms())
              .bind(2, std::string_view(it->second->reason))
              .bind(3, std::string_view(id))
              .bind(4, std::string_view(partner))
              .bind(5, now - kRetryRefusedMs)
              .run();
          if (db.changes() > 0) {
            log::warn("delivery.refused_for_now", {{"partner", partner}, {"reason", it->second->reason}});
            continue;
          }
        }
        st.reset();
        st.bind(1, to_sql(it->second->accepted ? OutboxState::delivered : OutboxState::rejected))
            .bind(2, now)
            .bind(3, std::string_view(it->second->reason))
            .bind(4, std::string_view(receipt.batch_id))
            .bind(5, std::string_view(id))
            .bind(6, std::string_view(partner))
            .run();
        if (db.changes() == 0) continue;  // already settled by an earlier receipt
        // record.sent (or the follow-up's event) is written on the receiver's
        // signed receipt, in the transaction that marks it delivered or rejected.
        const wire::Record& record = sent;
        if (!it->second->accepted && record.kind == wire::RecordKind::shared_signal) {
          detail::void_follow_ups(db, id, partner, "the partner refused the record this follows");
        }
        const bool request = wire::is_request_kind(record.kind);
        if (request) {
          // A settled message that carried identities keeps no copy of them
          // (only requests and answers are ever sealed: no extra write per record).
          static const std::string forget_sql = "UPDATE outbox SET record = zeroblob(0) WHERE record_id = ? AND sealed = 1";
          db.cached(forget_sql).bind(1, std::string_view(id)).run();
        }
        if (!it->second->accepted && request && record.kind != wire::RecordKind::request_answer) {
          Requests::refused_on_receipt(db, id, it->second->reason, now);
        }
        if (!it->second->accepted && record.kind == wire::RecordKind::request_answer) {
          // The requester did not take the answer (it had expired there, say):
          // the source sees so beside its decision.
          db.cached("UPDATE requests SET detail = ? WHERE id = ? AND direction = 'incoming'")
              .bind(1, std::string_view("answer not accepted by the requester: " + it->second->reason.substr(0, 160)))
              .bind(2, std::string_view(record.refers_to))
              .run();
        }
        audit::Event e;
        e.name = sent_event_name(record.kind);
        e.status = it->second->accepted ? "ok" : "rejected";
        e.start_ms = started_ms;
        e.end_ms = now;
        if (trace) {
          // LDV: this node's operation is the call it made (the traceparent's
          // span); the partner's operation, in foreignOperation, is the one it
          // logs for that call (ldv::callee_span_id, known to both sides).
          e.trace_id = trace->first;
          e.parent_span_id = trace->second;
          e.foreign = audit::ForeignOperation{trace->first, audit::ldv::callee_span_id(trace->first, trace->second),
                                              "urn:oin:" + partner_entry.oin};
        }
        e.attributes = detail::activity(record, policy);
        // Read extension: where a privacy officer follows this exchange further.
        e.attributes[audit::ldv::kExternalReadApiId] =
            audit::ldv::external_read_api_id(partner_entry.read_api, partner_entry.oin);
        e.attributes["partner"] = partner;
        e.attributes["batchId"] = receipt.batch_id;
        if (!it->second->accepted) e.attributes["reason"] = it->second->reason;
        if (request) {
          // A request's events share one trace on both sides: the request's id.
          e.trace_id = record.kind == wire::RecordKind::request_answer ? record.refers_to : record.record_id;
          detail::add_request_attributes(e.attributes, record);
        }
        if (receipt.tree_size > 0) {
          // The receiver's signed tree head at the time of the receipt, checked
          // (once per receipt) against its manifest key: evidence of its log we
          // can show later.
          e.attributes["receiverTreeHead"] = json::object{{"treeSize", receipt.tree_size},
                                                          {"timestampMs", receipt.tree_timestamp_ms},
                                                          {"rootHash", crypto::to_hex(receipt.tree_root)},
                                                          {"signature", crypto::to_base64(receipt.tree_signature)},
                                                          {"signatureValid", head_valid}};
        }
        e.data_subjects = request && record.kind != wire::RecordKind::request_answer
                              ? Requests::subjects_of_request(db, record.record_id)
                              : detail::subjects_of(record);
        e.partner = partner;
        e.category = record.category;
        audit::AuditLog::append(db, e);
      }
    });
  }
}

// The receiver's signed log state in its receipt must be its own and must
// only grow: a bad signature, a smaller tree, an older time, or another root
// at the same size means its log was rewritten or forged. The privacy officer
// hears of it (once per partner and size); the last good state is kept.
bool Delivery::head_signature_valid(const federation::Partner& partner, const wire::Receipt& receipt) {
  if (receipt.tree_size == 0) return true;
  return crypto::verify(partner.signing_key,
                        audit::tree_head_message(receipt.tree_size, receipt.tree_timestamp_ms, receipt.tree_root),
                        receipt.tree_signature);
}

bool Delivery::check_witnessed_head(storage::Database& db, const federation::Partner& partner,
                                    const wire::Receipt& receipt, std::int64_t now) {
  return check_witnessed_head(db, partner, receipt, now, head_signature_valid(partner, receipt));
}

bool Delivery::check_witnessed_head(storage::Database& db, const federation::Partner& partner,
                                    const wire::Receipt& receipt, std::int64_t now, bool head_verified) {
  if (receipt.tree_size == 0) return true;
  const auto size = static_cast<std::int64_t>(receipt.tree_size);
  bool fits = head_verified;
  bool newer = true;
  {
    auto st = db.cached("SELECT tree_size, timestamp_ms, root FROM partner_tree_heads WHERE partner = ?");
    st.bind(1, std::string_view(partner.org));
    if (st.step()) {
      const auto old_size = st.int64(0), old_time = st.int64(1);
      const auto root = st.blob(2);
      const bool same_root = std::equal(root.begin(), root.end(), receipt.tree_root.begin(), receipt.tree_root.end());
      if (size < old_size || receipt.tree_timestamp_ms < old_time || (size == old_size && !same_root)) fits = false;
      newer = size > old_size;
    }
  }
  if (!fits) {
    log::error("partner.tree_head_mismatch", {{"partner", partner.org}, {"treeSize", size}});
    notify::Notices::raise_once(db, notify::Topic::tree_head_mismatch,
                                notify::Audience::of(notify::Topic::tree_head_mismatch),
                                "tree_head:" + partner.org + ":" + std::to_string(size), now);
    return false;
  }
  if (!newer) return true;
  db.cached(
        "INSERT INTO partner_tree_heads (partner, tree_size, timestamp_ms, root) VALUES (?,?,?,?) "
        "ON CONFLICT(partner) DO UPDATE SET tree_size = excluded.tree_size, timestamp_ms = excluded.timestamp_ms, "
        "root = excluded.root")
      .bind(1, std::string_view(partner.org))
      .bind(2, size)
      .bind(3, receipt.tree_timestamp_ms)
      .bind_blob(4, receipt.tree_root)
      .run();
  return true;
}

void Delivery::record_failure(const std::vector<std::string>& record_ids, const std::vector<std::int64_t>& attempts,
                             const std::string& error) {
  const std::int64_t now = ctx_.now_ms();
  ctx_.store.write([&](storage::Database& db) {
    static const std::string failed_sql =
        sql("UPDATE outbox SET attempts = attempts + 1, next_attempt_at_ms = ?, last_error = ?, "
            "state = CASE state WHEN ", OutboxState::sending, " THEN ", OutboxState::queued,
            " ELSE state END WHERE record_id = ?");
    auto st = db.cached(failed_sql);
    for (std::size_t i = 0; i < record_ids.size(); ++i) {
      st.reset();
      st.bind(1, now + backoff_ms(attempts[i])).bind(2, std::string_view(error)).bind(3, std::string_view(record_ids[i])).run();
      detail::cancel_if_withdrawn_in_flight(db, record_ids[i]);
    }
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
