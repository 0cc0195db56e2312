#include "node/sharing/records.hpp"

#include <algorithm>

#include "crypto/bytes.hpp"
#include "node/audit/ldv.hpp"
#include "node/audit/processing_register.hpp"
#include "node/sharing/outbox_state.hpp"

namespace signalnode::node::sharing::detail {
namespace wire = protocol::wire;
namespace json = boost::json;
using namespace std::chrono;

namespace {
crypto::Bytes outbox_ad(std::string_view record_id) {
  std::string s = "signalnode-outbox/" + std::string(record_id);
  return crypto::Bytes(s.begin(), s.end());
}
}  // namespace

sys_days day_of(std::int64_t ms) { return floor<days>(sys_time<milliseconds>(milliseconds(ms))); }

// The audit log names a record's kind as the outbox stores it.
std::string_view kind_name(wire::RecordKind kind) {
  std::string_view name = to_sql(kind);
  return name.empty() ? "unknown" : name;
}

json::object activity(const wire::Record& r, const policies::Policy& policy) {
  json::object a{{"rule", r.rule_id}, {"category", r.category}, {"recordId", r.record_id}};
  if (!r.refers_to.empty()) {
    a["refersTo"] = r.refers_to;
    a["kind"] = kind_name(r.kind);
  }
  if (const auto* rule = policy.find(r.rule_id)) {
    // LDV: the version of the rule in force, by URI into the register of
    // processing activities (the same at every node of the covenant).
    a[audit::ldv::kProcessingActivityId] = audit::activity_uri(audit::rule_activity_id(*rule));
    a["legalBasis"] = rule->legal_basis;
    a["purpose"] = rule->purpose;
  }
  return a;
}

std::vector<std::string> subjects_of(const wire::Record& r) {
  std::vector<std::string> out;
  for (const auto& s : r.subjects) out.push_back(crypto::to_hex(s.pseudonym));
  return out;
}

void add_request_attributes(json::object& a, const wire::Record& r) {
  const bool answer = r.kind == wire::RecordKind::request_answer;
  a["requestId"] = answer ? r.refers_to : r.record_id;
  if (answer) {
    a["decision"] = r.status;
    if (!r.reason.empty()) a["reason"] = r.reason;
    json::array kinds;
    for (const auto& d : r.request.disclosed) {
      if (std::find(kinds.begin(), kinds.end(), json::value(d.id_kind)) == kinds.end()) kinds.push_back(json::value(d.id_kind));
    }
    a["kinds"] = std::move(kinds);
    return;
  }
  a["type"] = r.kind == wire::RecordKind::contact_request ? "contact" : "details";
  json::array kinds;
  for (const auto& k : r.request.kinds) kinds.push_back(json::value(k));
  a["kinds"] = std::move(kinds);
  a["requestPurpose"] = r.request.purpose;  // beside the rule's processing purpose, not over it
  a["legalGround"] = r.request.legal_ground;
  a["reference"] = r.request.reference;
}

bool enqueue(storage::Database& db, const OutboxEntry& e, std::int64_t now) {
  wire::Batch single;  // records are stored in their wire form, batch framing added at send
  single.records.push_back(*e.record);
  auto bytes = wire::encode(single);
  if (e.seal_with) {
    auto sealed = crypto::seal(*e.seal_with, bytes, outbox_ad(e.record->record_id));
    crypto::wipe(bytes.data(), bytes.size());
    bytes = std::move(sealed);
  }
  static const std::string insert = storage::sql(
      "INSERT INTO outbox (record_id, kind, signal_id, inbox_id, refers_to, recipient, rule_id, record, state, "
      "created_at_ms, next_attempt_at_ms, sealed) VALUES (?,?,?,?,?,?,?,?, ", OutboxState::queued,
      ", ?, ?, ?) ON CONFLICT(record_id) DO NOTHING");
  auto st = db.cached(insert);
  st.bind(1, std::string_view(e.record->record_id))
      .bind(2, to_sql(e.record->kind))
      .bind(3, e.signal_id)
      .bind(4, e.inbox_id)
      .bind(5, e.record->refers_to.empty() ? std::optional<std::string>() : std::optional<std::string>(e.record->refers_to))
      .bind(6, std::string_view(e.recipient))
      .bind(7, std::string_view(e.rule_id))
      .bind_blob(8, bytes)
      .bind(9, now)
      .bind(10, now)
      .bind(11, static_cast<std::int64_t>(e.seal_with ? 1 : 0))
      .run();
  return db.changes() > 0;
}

std::optional<crypto::Bytes> outbox_record_bytes(crypto::ByteView stored, bool sealed, std::string_view record_id,
                                                 const crypto::AeadKey& key) {
  if (!sealed) return crypto::Bytes(stored.begin(), stored.end());
  auto plain = crypto::open(key, stored, outbox_ad(record_id));
  if (!plain) return std::nullopt;
  return crypto::Bytes(plain->data(), plain->data() + plain->size());
}

// A record in flight cannot be cancelled, so a withdrawal meanwhile was queued
// behind it. If the attempt did not deliver it (failure, no acknowledgement,
// or a restart), it is back in the queue and need not leave at all: cancel it
// and that withdrawal. Every path that puts a 'sending' record back calls this.
void cancel_if_withdrawn_in_flight(storage::Database& db, std::string_view record_id) {
  static const std::string cancel_withdrawal =
      storage::sql("UPDATE outbox SET state = ", OutboxState::cancelled, ", reason = 'the record it withdraws never left' "
                   "WHERE refers_to = ? AND kind = ", wire::RecordKind::withdrawal, " AND state = ", OutboxState::queued);
  static const std::string cancel_record = storage::sql("UPDATE outbox SET state = ", OutboxState::cancelled,
                                                        " WHERE record_id = ? AND state = ", OutboxState::queued);
  db.cached(cancel_withdrawal).bind(1, record_id).run();
  if (db.changes() == 0) return;
  db.cached(cancel_record).bind(1, record_id).run();
}

void void_follow_ups(storage::Database& db, std::string_view record_id, std::string_view recipient,
                     std::string_view reason) {
  static const std::string text =
      storage::sql("UPDATE outbox SET state = ", OutboxState::voided, ", reason = ? WHERE refers_to = ? AND recipient = ? "
                   "AND state = ", OutboxState::queued, " AND kind IN ",
                   storage::sql_list(wire::RecordKind::withdrawal, wire::RecordKind::correction));
  db.cached(text).bind(1, reason).bind(2, record_id).bind(3, recipient).run();
}

}  // namespace signalnode::node::sharing::detail
