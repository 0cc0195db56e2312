#include "node/sharing/sharing.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "crypto/random.hpp"
#include "node/log/log.hpp"
#include "protocol/identifiers.hpp"

namespace signalnode::node::sharing {
namespace wire = protocol::wire;
namespace json = boost::json;
using namespace std::chrono;

namespace {

constexpr std::int64_t kDayMs = 86'400'000;

std::int64_t backoff_ms(std::int64_t attempts) {
  return std::min<std::int64_t>(300'000, 1000LL << std::min<std::int64_t>(attempts, 9));
}

sys_days day_of(std::int64_t ms) { return floor<days>(sys_time<milliseconds>(milliseconds(ms))); }

std::string problem_json(int status, const std::string& detail) {
  return json::serialize(json::object{{"type", "urn:signalnode:problem:batch-refused"},
                                      {"title", "Batch refused"},
                                      {"status", status},
                                      {"detail", detail}});
}

struct SignalRow {
  std::string id, category, observed_on, severity;
  std::optional<std::string> municipality;
  std::optional<std::int64_t> persons;
};

struct IdentifierRow {
  std::string kind;  // subject kind
  std::string id_kind;
  crypto::oprf::Output pseudonym{};
};

// The receiver's check of one record against the shared covenant.
std::string check_record(const wire::Record& r, const policies::Policy& policy, const policies::Party& sender,
                         const policies::Party& self, std::int64_t now) {
  if (r.kind != wire::RecordKind::shared_signal) return "unsupported record kind";
  if (r.record_id.size() != 32) return "malformed record id";
  if (r.policy_hash != policy.sha256()) return "unknown policy hash (the receiver runs policy " + policy.sha256_hex() + ")";
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

// The processing activity of a record: which rule of which policy, on which
// basis, for which purpose (Logboek Dataverwerkingen attributes).
json::object activity(const wire::Record& r, const policies::Policy& policy) {
  json::object a{{"processingActivity", json::object{{"rule", r.rule_id}, {"policySha256", crypto::to_hex(r.policy_hash)}}},
                 {"category", r.category},
                 {"recordId", r.record_id}};
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

}  // namespace

std::string iso_week(std::string_view date) {
  auto d = protocol::parse_date(date);
  if (!d) return {};
  weekday wd{*d};
  int iso_wd = static_cast<int>(wd.iso_encoding());  // Monday 1 .. Sunday 7
  sys_days thursday = *d + days(4 - iso_wd);
  year y = year_month_day{thursday}.year();
  int week = static_cast<int>((thursday - sys_days{y / January / 1}).count() / 7 + 1);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-W%02d", static_cast<int>(y), week);
  return buf;
}

Sharing::Sharing(storage::Store& store, pseudonyms::Pseudonymiser& pseudonymiser, NowMs now_ms,
                 alerts::BundleRule bundle_rule)
    : store_(store), pseudonymiser_(pseudonymiser), now_ms_(std::move(now_ms)), bundle_rule_(bundle_rule) {}

std::size_t Sharing::share_ready(const policies::Policy& policy, const federation::Manifest& manifest,
                                 const policies::Party& self, std::size_t max_signals) {
  const std::int64_t now = now_ms_();
  // Read the ready signals and their pseudonyms first; decide and write after.
  struct Ready {
    SignalRow signal;
    std::vector<IdentifierRow> identifiers;
  };
  auto ready = store_.read([&](storage::Database& db) {
    std::vector<Ready> out;
    auto& st = db.cached(
        "SELECT s.id, s.category, s.observed_on, s.municipality, s.severity, s.persons FROM signals s "
        "WHERE s.share_state = 'pending' AND NOT EXISTS (SELECT 1 FROM signal_identifiers si "
        "LEFT JOIN pseudonyms p ON p.lookup_key = si.lookup_key WHERE si.signal_id = s.id AND p.lookup_key IS NULL) "
        "ORDER BY s.created_at_ms LIMIT ?");
    st.bind(1, static_cast<std::int64_t>(max_signals));
    while (st.step()) {
      Ready r;
      r.signal.id = st.text(0);
      r.signal.category = st.text(1);
      r.signal.observed_on = st.text(2);
      if (!st.is_null(3)) r.signal.municipality = st.text(3);
      r.signal.severity = st.text(4);
      if (!st.is_null(5)) r.signal.persons = st.int64(5);
      out.push_back(std::move(r));
    }
    st.reset();
    auto& ids = db.cached(
        "SELECT ss.kind, si.id_kind, si.lookup_key FROM signal_identifiers si JOIN signal_subjects ss "
        "ON ss.signal_id = si.signal_id AND ss.position = si.position WHERE si.signal_id = ? ORDER BY si.position");
    for (auto& r : out) {
      ids.reset();
      ids.bind(1, std::string_view(r.signal.id));
      std::vector<std::pair<std::pair<std::string, std::string>, crypto::LookupKey>> keys;
      while (ids.step()) {
        crypto::LookupKey key{};
        auto blob = ids.blob(2);
        if (blob.size() == key.size()) std::memcpy(key.data(), blob.data(), key.size());
        keys.push_back({{ids.text(0), ids.text(1)}, key});
      }
      ids.reset();
      for (const auto& [kinds, key] : keys) {
        auto p = pseudonymiser_.cached_by_key(db, key);
        if (!p) throw std::runtime_error("pseudonym vanished for a ready signal");
        r.identifiers.push_back({kinds.first, kinds.second, *p});
      }
    }
    return out;
  });
  if (ready.empty()) return 0;

  store_.write([&](storage::Database& db) {
    auto& decision_row = db.cached(
        "INSERT OR REPLACE INTO sharing_decisions (signal_id, recipient, rule_id, reason) VALUES (?,?,?,?)");
    auto& outbox_row = db.cached(
        "INSERT INTO outbox (record_id, signal_id, recipient, rule_id, record, state, created_at_ms, "
        "next_attempt_at_ms) VALUES (?,?,?,?,?, 'queued', ?, ?)");
    auto& done = db.cached("UPDATE signals SET share_state = 'decided' WHERE id = ?");
    for (const auto& r : ready) {
      for (const auto& partner : manifest.partners) {
        if (partner.org == self.org) continue;
        auto decision = policy.decide(self, {partner.org, partner.role}, r.signal.category, day_of(now));
        decision_row.reset();
        decision_row.bind(1, std::string_view(r.signal.id)).bind(2, std::string_view(partner.org));
        if (decision.grant) {
          decision_row.bind(3, std::string_view(decision.grant->rule->id));
        } else {
          decision_row.bind_null(3);
        }
        decision_row.bind(4, std::string_view(decision.reason)).run();
        if (!decision.grant) continue;
        const auto& rule = *decision.grant->rule;
        wire::Record rec;
        rec.record_id = crypto::random_hex_id(16);
        rec.category = r.signal.category;
        if (rule.fields.contains("week")) rec.observed_week = iso_week(r.signal.observed_on);
        if (rule.fields.contains("municipality") && r.signal.municipality) rec.municipality = *r.signal.municipality;
        if (rule.fields.contains("severity")) rec.severity = r.signal.severity;
        if (rule.fields.contains("persons") && r.signal.persons) rec.persons = *r.signal.persons;
        for (const auto& id : r.identifiers) {
          if (!rule.pseudonyms.contains(id.id_kind)) continue;
          wire::SharedSubject s{id.kind, id.id_kind, {}};
          std::memcpy(s.pseudonym.data(), id.pseudonym.data(), s.pseudonym.size());
          rec.subjects.push_back(std::move(s));
        }
        rec.rule_id = rule.id;
        rec.policy_hash = policy.sha256();
        rec.expires_at_ms = now + static_cast<std::int64_t>(rule.retention_days) * kDayMs;
        wire::Batch single;  // records are stored in their wire form, batch framing added at send
        single.records.push_back(rec);
        auto bytes = wire::encode(single);
        outbox_row.reset();
        outbox_row.bind(1, std::string_view(rec.record_id))
            .bind(2, std::string_view(r.signal.id))
            .bind(3, std::string_view(partner.org))
            .bind(4, std::string_view(rule.id))
            .bind_blob(5, bytes)
            .bind(6, now)
            .bind(7, now)
            .run();
      }
      done.reset();
      done.bind(1, std::string_view(r.signal.id)).run();
    }
  });
  return ready.size();
}

std::size_t Sharing::deliver(const federation::Manifest& manifest, const policies::Policy& policy,
                             const policies::Party& self, const crypto::SigningKey& key, const ClientFor& client_for,
                             std::size_t max_batch) {
  if (manifest.sha256 != clients_manifest_) {
    clients_.clear();
    clients_manifest_ = manifest.sha256;
  }
  const std::int64_t now = now_ms_();
  std::size_t delivered = 0;
  for (const auto& partner : manifest.partners) {
    if (partner.org == self.org) continue;
    std::vector<std::string> ids;
    std::vector<std::int64_t> attempts;
    wire::Batch batch;
    batch.batch_id = crypto::random_hex_id(16);
    batch.sender = self.org;
    batch.receiver = partner.org;
    batch.created_at_ms = now;
    store_.read([&](storage::Database& db) {
      auto& st = db.cached(
          "SELECT record_id, record, attempts FROM outbox WHERE recipient = ? AND state = 'queued' "
          "AND next_attempt_at_ms <= ? ORDER BY next_attempt_at_ms LIMIT ?");
      st.bind(1, std::string_view(partner.org)).bind(2, now).bind(3, static_cast<std::int64_t>(max_batch));
      while (st.step()) {
        std::string error;
        auto blob = st.blob(1);
        auto single = wire::decode_batch(blob, error);
        if (!single || single->records.size() != 1) throw std::runtime_error("corrupt outbox entry");
        ids.push_back(st.text(0));
        attempts.push_back(st.int64(2));
        batch.records.push_back(std::move(single->records[0]));
      }
      st.reset();
      return 0;
    });
    if (batch.records.empty()) continue;

    auto signed_batch = wire::sign_batch(batch, key);
    auto body = wire::encode(signed_batch);
    std::string traceparent = net::new_traceparent();
    std::int64_t started = now_ms_();
    try {
      auto& client = clients_[partner.org];
      if (!client) client = client_for(partner);
      api::HttpResponse response;
      try {
        response = client->request("POST", "/federation/v1/batches", std::string(body.begin(), body.end()),
                                   {{"Content-Type", "application/octet-stream"}, {"traceparent", traceparent}});
      } catch (...) {
        clients_.erase(partner.org);
        throw;
      }
      if (response.status != 200) {
        throw std::runtime_error("partner answered HTTP " + std::to_string(response.status) + ": " +
                                 response.body.substr(0, 300));
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
      delivered += ids.size();
      log::info("batch.delivered", {{"partner", partner.org}, {"records", ids.size()}, {"batch", batch.batch_id}});
    } catch (const std::exception& e) {
      record_failure(ids, attempts, e.what());
      log::warn("batch.failed", {{"partner", partner.org}, {"records", ids.size()}, {"error", e.what()}});
    }
  }
  return delivered;
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
    auto& st = db.cached(
        "UPDATE outbox SET state = ?, delivered_at_ms = ?, reason = ?, batch_id = ?, last_error = NULL "
        "WHERE record_id = ? AND recipient = ? AND state = 'queued'");
    for (const auto& id : record_ids) {
      auto it = outcomes.find(id);
      if (it == outcomes.end()) continue;  // not acknowledged: stays queued
      st.reset();
      st.bind(1, it->second->accepted ? std::string_view("delivered") : std::string_view("rejected"))
          .bind(2, now)
          .bind(3, std::string_view(it->second->reason))
          .bind(4, std::string_view(receipt.batch_id))
          .bind(5, std::string_view(id))
          .bind(6, std::string_view(partner))
          .run();
      if (db.changes() == 0) continue;  // already settled by an earlier receipt
      // record.sent is written on the receiver's signed receipt, in the same
      // transaction that marks the record delivered or rejected.
      const wire::Record& record = batch.records[static_cast<std::size_t>(&id - record_ids.data())];
      audit::Event e;
      e.name = "record.sent";
      e.status = it->second->accepted ? "ok" : "rejected";
      e.start_ms = started_ms;
      e.end_ms = now;
      if (trace) {
        e.trace_id = trace->first;
        e.foreign = audit::ForeignOperation{trace->first, trace->second, "urn:oin:" + partner_entry.oin};
      }
      e.attributes = activity(record, policy);
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
      e.data_subjects = subjects_of(record);
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
    auto& st = db.cached(
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at_ms = ?, last_error = ? WHERE record_id = ?");
    for (std::size_t i = 0; i < record_ids.size(); ++i) {
      st.reset();
      st.bind(1, now + backoff_ms(attempts[i])).bind(2, std::string_view(error)).bind(3, std::string_view(record_ids[i])).run();
    }
  });
}

ReceiveResult Sharing::receive(std::string_view body, const std::string& peer_org, std::string_view traceparent,
                               const federation::Manifest& manifest, const policies::Policy& policy,
                               const policies::Party& self, const crypto::SigningKey& key,
                               const std::optional<audit::TreeHead>& witness) {
  std::string error;
  crypto::ByteView bytes(reinterpret_cast<const std::uint8_t*>(body.data()), body.size());
  auto signed_batch = wire::decode_signed(bytes, error);
  if (!signed_batch) return {400, "application/problem+json", problem_json(400, "malformed envelope: " + error)};
  auto batch = wire::decode_batch(signed_batch->message, error);
  if (!batch) return {400, "application/problem+json", problem_json(400, "malformed batch: " + error)};
  if (batch->sender != peer_org) {
    return {403, "application/problem+json",
            problem_json(403, "the batch names sender " + batch->sender.substr(0, 64) + " but the TLS peer is " + peer_org)};
  }
  if (batch->receiver != self.org) return {400, "application/problem+json", problem_json(400, "batch is addressed to another node")};
  const federation::Partner* sender = manifest.find(peer_org);
  if (!sender || !wire::verify_batch(*signed_batch, sender->signing_key)) {
    return {400, "application/problem+json", problem_json(400, "the batch signature does not verify with the sender's manifest key")};
  }

  const std::int64_t now = now_ms_();
  std::string receipt_body;
  std::size_t accepted = 0, rejected = 0;
  store_.write([&](storage::Database& db) {
    // A replayed batch gets its original receipt and changes nothing.
    auto& seen = db.cached("SELECT receipt FROM inbox_batches WHERE sender = ? AND batch_id = ?");
    seen.bind(1, std::string_view(batch->sender)).bind(2, std::string_view(batch->batch_id));
    if (seen.step()) {
      auto stored = seen.blob(0);
      receipt_body.assign(stored.begin(), stored.end());
      seen.reset();
      return;
    }
    seen.reset();
    wire::Receipt receipt{wire::kVersion, batch->batch_id, batch->sender, self.org, now, {}, 0, 0, {}, {}};
    if (witness) {
      receipt.tree_size = witness->tree_size;
      receipt.tree_timestamp_ms = witness->timestamp_ms;
      receipt.tree_root = witness->root_hash;
      receipt.tree_signature = witness->signature;
    }
    auto& insert = db.cached(
        "INSERT INTO inbox (id, sender, sender_role, record_id, category, observed_week, municipality, severity, "
        "persons, rule_id, policy_sha256, received_at_ms, expires_at_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) "
        "ON CONFLICT(sender, record_id) DO NOTHING");
    auto& subject = db.cached(
        "INSERT INTO inbox_subjects (inbox_id, position, kind, id_kind, pseudonym) VALUES (?,?,?,?,?)");
    auto trace = audit::parse_traceparent(traceparent);
    auto audit_record = [&](const wire::Record& r, const std::string& why) {
      audit::Event e;
      e.name = why.empty() ? "record.received" : "record.rejected";
      e.status = why.empty() ? "ok" : "rejected";
      e.start_ms = now;
      e.end_ms = now_ms_();
      if (trace) {
        e.trace_id = trace->first;
        e.foreign = audit::ForeignOperation{trace->first, trace->second, "urn:oin:" + sender->oin};
      }
      e.attributes = activity(r, policy);
      e.attributes["partner"] = sender->org;
      e.attributes["batchId"] = batch->batch_id;
      if (!why.empty()) e.attributes["reason"] = why;
      e.data_subjects = subjects_of(r);
      e.partner = sender->org;
      e.category = r.category;
      audit::AuditLog::append(db, e);
    };
    for (const auto& r : batch->records) {
      std::string why = check_record(r, policy, {sender->org, sender->role}, self, now);
      if (!why.empty()) {
        audit_record(r, why);
        receipt.outcomes.push_back({r.record_id.substr(0, 64), false, why});
        ++rejected;
        continue;
      }
      std::string id = crypto::random_hex_id(16);
      insert.reset();
      insert.bind(1, std::string_view(id))
          .bind(2, std::string_view(sender->org))
          .bind(3, std::string_view(sender->role))
          .bind(4, std::string_view(r.record_id))
          .bind(5, std::string_view(r.category))
          .bind(6, std::string_view(r.observed_week))
          .bind(7, std::string_view(r.municipality))
          .bind(8, std::string_view(r.severity))
          .bind(9, r.persons >= 0 ? std::optional<std::int64_t>(r.persons) : std::nullopt)
          .bind(10, std::string_view(r.rule_id))
          .bind(11, std::string_view(policy.sha256_hex()))
          .bind(12, now)
          .bind(13, r.expires_at_ms)
          .run();
      if (db.changes() > 0) {  // a record delivered twice is stored, and recorded, once
        audit_record(r, "");
        for (std::size_t i = 0; i < r.subjects.size(); ++i) {
          subject.reset();
          subject.bind(1, std::string_view(id))
              .bind(2, static_cast<std::int64_t>(i))
              .bind(3, std::string_view(r.subjects[i].kind))
              .bind(4, std::string_view(r.subjects[i].id_kind))
              .bind_blob(5, r.subjects[i].pseudonym)
              .run();
        }
        // Where this record meets others about the same subject, the bundle
        // alert is created or updated in the same transaction.
        alerts::update_bundles_for(db, id, now, bundle_rule_);
      }
      receipt.outcomes.push_back({r.record_id, true, ""});
      ++accepted;
    }
    auto signed_receipt = wire::encode(wire::sign_receipt(receipt, key));
    db.cached("INSERT INTO inbox_batches (sender, batch_id, receipt, received_at_ms) VALUES (?,?,?,?)")
        .bind(1, std::string_view(batch->sender))
        .bind(2, std::string_view(batch->batch_id))
        .bind_blob(3, signed_receipt)
        .bind(4, now)
        .run();
    receipt_body.assign(signed_receipt.begin(), signed_receipt.end());
  });
  log::info("batch.received", {{"partner", peer_org}, {"accepted", accepted}, {"rejected", rejected}});
  return {200, "application/octet-stream", std::move(receipt_body)};
}

std::int64_t Sharing::expire_received() {
  const std::int64_t now = now_ms_();
  std::int64_t expired = 0;
  store_.write([&](storage::Database& db) {
    db.cached("DELETE FROM inbox WHERE expires_at_ms <= ?").bind(1, now).run();  // subjects cascade
    expired = db.changes();
    if (expired > 0) {
      audit::Event e;
      e.name = "record.expired";
      e.start_ms = e.end_ms = now;
      e.attributes = {{"count", expired}, {"reason", "retention of the sharing rule reached"}};
      audit::AuditLog::append(db, e);
    }
  });
  if (expired > 0) log::info("inbox.expired", {{"records", expired}});
  return expired;
}

std::vector<PartnerState> Sharing::state_of(const std::string& signal_id) const {
  return store_.read([&](storage::Database& db) {
    std::vector<PartnerState> out;
    auto& st = db.cached(
        "SELECT d.recipient, d.rule_id, d.reason, o.state, o.attempts, o.last_error, o.delivered_at_ms, o.reason "
        "FROM sharing_decisions d LEFT JOIN outbox o ON o.signal_id = d.signal_id AND o.recipient = d.recipient "
        "WHERE d.signal_id = ? ORDER BY d.recipient");
    st.bind(1, std::string_view(signal_id));
    while (st.step()) {
      PartnerState p;
      p.partner = st.text(0);
      p.rule_id = st.is_null(1) ? "" : st.text(1);
      if (st.is_null(3)) {
        p.state = "not_shared";
        p.reason = st.text(2);
      } else {
        p.state = st.text(3);
        p.attempts = st.int64(4);
        if (!st.is_null(6)) p.delivered_at_ms = st.int64(6);
        if (p.state == "queued" && p.attempts > 0) {
          p.state = "failing";
          p.reason = st.is_null(5) ? "" : st.text(5);
        } else if (p.state == "rejected") {
          p.reason = st.is_null(7) ? "" : st.text(7);
        }
      }
      out.push_back(std::move(p));
    }
    st.reset();
    return out;
  });
}

std::map<std::string, OutboxStats> Sharing::outbox_stats() const {
  return store_.read([](storage::Database& db) {
    std::map<std::string, OutboxStats> out;
    auto& st = db.cached(
        "SELECT recipient, count(*), min(created_at_ms) FROM outbox WHERE state = 'queued' GROUP BY recipient");
    while (st.step()) out[st.text(0)] = {st.int64(1), st.int64(2)};
    st.reset();
    return out;
  });
}

}  // namespace signalnode::node::sharing
