#include "node/sharing/records.hpp"

#include "crypto/bytes.hpp"

namespace signalnode::node::sharing::detail {
namespace wire = protocol::wire;
namespace json = boost::json;
using namespace std::chrono;

sys_days day_of(std::int64_t ms) { return floor<days>(sys_time<milliseconds>(milliseconds(ms))); }

std::string_view kind_name(wire::RecordKind kind) {
  switch (kind) {
    case wire::RecordKind::shared_signal: return "shared_signal";
    case wire::RecordKind::withdrawal: return "withdrawal";
    case wire::RecordKind::correction: return "correction";
    case wire::RecordKind::feedback: return "feedback";
    case wire::RecordKind::bundle_notice: return "bundle_notice";
  }
  return "unknown";
}

std::string check_content(const wire::Record& r, const policies::Policy& policy, const policies::Party& sender,
                          const policies::Party& self, std::int64_t now) {
  if (r.record_id.size() != 32) return "malformed record id";
  if (r.policy_hash != policy.sha256()) return "unknown policy hash (the receiver runs policy " + policy.sha256_hex() + ")";
  if (!r.status.empty() || !r.reason.empty() || !r.note.empty() || r.organisations >= 0 || !r.categories.empty()) {
    return "a shared record carries no feedback or notice fields";
  }
  auto decision = policy.decide(sender, self, r.category, day_of(now));
  if (!decision.grant) return "not granted: " + decision.reason;
  const auto& rule = *decision.grant->rule;
  if (rule.id != r.rule_id) return "record names rule " + r.rule_id + " but rule " + rule.id + " applies";
  for (const auto& s : r.subjects) {
    if (!rule.pseudonyms.contains(s.id_kind)) return "rule " + rule.id + " does not grant " + s.id_kind + " pseudonyms";
  }
  auto needs = [&](bool present, const char* field) { return present && !rule.fields.contains(field); };
  if (needs(!r.observed_week.empty(), "week")) return "rule " + rule.id + " does not grant the week";
  if (needs(!r.municipality.empty(), "municipality")) return "rule " + rule.id + " does not grant the municipality";
  if (needs(!r.severity.empty(), "severity")) return "rule " + rule.id + " does not grant the severity";
  if (needs(r.persons >= 0, "persons")) return "rule " + rule.id + " does not grant the number of persons";
  if (r.expires_at_ms > now + (static_cast<std::int64_t>(rule.retention_days) + 1) * kDayMs) {
    return "expiry beyond the rule's retention";
  }
  return {};
}

json::object activity(const wire::Record& r, const policies::Policy& policy) {
  json::object a{{"processingActivity", json::object{{"rule", r.rule_id}, {"policySha256", crypto::to_hex(r.policy_hash)}}},
                 {"category", r.category},
                 {"recordId", r.record_id}};
  if (!r.refers_to.empty()) {
    a["refersTo"] = r.refers_to;
    a["kind"] = kind_name(r.kind);
  }
  if (const auto* rule = policy.find(r.rule_id)) {
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

bool enqueue(storage::Database& db, const OutboxEntry& e, std::int64_t now) {
  wire::Batch single;  // records are stored in their wire form, batch framing added at send
  single.records.push_back(*e.record);
  auto bytes = wire::encode(single);
  auto st = db.cached(
      "INSERT INTO outbox (record_id, kind, signal_id, inbox_id, refers_to, recipient, rule_id, record, state, "
      "created_at_ms, next_attempt_at_ms) VALUES (?,?,?,?,?,?,?,?, 'queued', ?, ?) ON CONFLICT(record_id) DO NOTHING");
  st.bind(1, std::string_view(e.record->record_id))
      .bind(2, kind_name(e.record->kind))
      .bind(3, e.signal_id)
      .bind(4, e.inbox_id)
      .bind(5, e.record->refers_to.empty() ? std::optional<std::string>() : std::optional<std::string>(e.record->refers_to))
      .bind(6, std::string_view(e.recipient))
      .bind(7, std::string_view(e.rule_id))
      .bind_blob(8, bytes)
      .bind(9, now)
      .bind(10, now)
      .run();
  return db.changes() > 0;
}

}  // namespace signalnode::node::sharing::detail
