#include "node/audit/processing_register.hpp"

#include <boost/json.hpp>

#include <array>
#include <vector>

#include "crypto/bytes.hpp"
#include "crypto/sha256.hpp"
#include "node/audit/events.hpp"
#include "node/signals/signal_json.hpp"
#include "protocol/jcs.hpp"

namespace signalnode::node::audit {
namespace json = boost::json;

namespace {

json::array strings(const auto& items) {
  json::array out;
  for (const auto& s : items) out.push_back(json::value(std::string_view(s)));
  return out;
}

std::string content_id(std::string_view name, const json::object& content) {
  auto digest = crypto::sha256(crypto::as_bytes(protocol::jcs(content)));
  return std::string(name) + "." + crypto::to_hex(crypto::ByteView(digest.data(), 8));
}

json::object with_identity(json::object content, const std::string& id) {
  json::object out{{"id", id}, {"uri", activity_uri(id)}};
  for (auto& [k, v] : content) out[k] = std::move(v);
  return out;
}

// The processing each node does for itself, beside the covenant's rules.
struct NodeActivity {
  std::string_view name;
  std::string_view nl;
  std::string_view en;
  std::string_view legal_basis;
  std::string_view purpose;
  std::array<std::string_view, 3> subjects;  // data subject categories (empty ones left out)
  std::string_view retention;
};

constexpr NodeActivity kNodeActivities[] = {
    {"node-own-signals", "Eigen signalen vastleggen, corrigeren, intrekken en bewaren",
     "Recording, correcting, withdrawing and keeping the node's own signals",
     "AVG art. 6(1)(e) and the covenant; art. 16, 17 and 19 for correction and withdrawal",
     "signals of labour exploitation reported by the organisation's liaison officers",
     {"persons, organisations, addresses, vehicles and accounts named in a signal (pseudonyms in the log)", "", ""},
     "node.json signals.retentionDays (default 730 days)"},
    {"node-covenant-checks", "Berichten van partners toetsen aan het convenant",
     "Checking partners' messages against the covenant",
     "AVG art. 5(1)(b) and 25 (purpose limitation, data protection by design)",
     "refuse what the covenant does not grant; keep no field of a refused message",
     {"none (only counts and reasons)", "", ""}, "the log's retention (audit.retentionDays, default 3650 days)"},
    {"node-pseudonymisation", "Pseudonimiseren voor partners (pseudonimiseringsautoriteit)",
     "Pseudonymising for partners (pseudonymisation authority)", "AVG art. 4(5), 25 and 32",
     "evaluate blinded elements so that partners can share pseudonyms; never sees an identifier",
     {"none (counts of blinded elements only)", "", ""}, "the log's retention (audit.retentionDays, default 3650 days)"},
    {"node-subject-access", "Inzage door een betrokkene (art. 15 AVG)", "A data subject's right of access (GDPR art. 15)",
     "AVG art. 15", "tell a data subject which exchanges concern them",
     {"the data subject (pseudonym)", "", ""}, "the log's retention (audit.retentionDays, default 3650 days)"},
    {"node-accountability", "Verantwoording: het verwerkingslog, het convenant en de leesfunctie",
     "Accountability: the processing log, the covenant in force and reading the log",
     "AVG art. 5(2) and 30 (accountability, records of processing)",
     "a tamper-evident record of every processing that a privacy officer and a supervisor can check",
     {"data subjects of logged processing (pseudonyms)", "", ""},
     "the log's retention (audit.retentionDays, default 3650 days)"},
    {"node-accounts", "Accounts, tokens en aanmeldingen", "Accounts, tokens and log-ins",
     "AVG art. 32 (security of processing)", "only the people entitled use the node; misuse can be traced",
     {"the node's users (username, network address)", "", ""},
     "the log's retention (audit.retentionDays, default 3650 days)"},
    {"node-disclosure-requests", "Verzoeken om contact of gegevens bij de bron",
     "Requests for contact or details at a record's source",
     "the covenant rule's disclosure clause; AVG art. 6(1)(e)",
     "let an analyst ask a record's source for contact or details, decided by a person at the source",
     {"subjects of the record (pseudonyms)", "", ""}, "the rule's retention"},
    {"node-cases", "Zaken en opzoekingen door analisten", "Cases and lookups by analysts",
     "AVG art. 6(1)(e) and the covenant", "act on alerts: open cases, look up a known identifier with a purpose",
     {"subjects of the case or lookup (pseudonyms)", "", ""},
     "node.json signals.retentionDays for cases; the log's retention for lookups"},
};

json::object node_activity_content(const NodeActivity& a) {
  json::array subjects;
  for (auto s : a.subjects) {
    if (!s.empty()) subjects.push_back(json::value(s));
  }
  return json::object{{"kind", "node"},
                      {"name", json::object{{"nl", a.nl}, {"en", a.en}}},
                      {"legalBasis", a.legal_basis},
                      {"purpose", a.purpose},
                      {"dataSubjectCategories", std::move(subjects)},
                      {"recipients", json::array{}},
                      {"retention", a.retention}};
}

struct NodeEntry {
  std::string id;
  std::string uri;
  json::object entry;
};

const std::vector<NodeEntry>& node_entries() {
  static const std::vector<NodeEntry> entries = [] {
    std::vector<NodeEntry> out;
    for (const auto& a : kNodeActivities) {
      auto content = node_activity_content(a);
      auto id = content_id(a.name, content);
      out.push_back({id, activity_uri(id), with_identity(std::move(content), id)});
    }
    return out;
  }();
  return entries;
}

const std::string& node_uri(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kNodeActivities); ++i) {
    if (kNodeActivities[i].name == name) return node_entries()[i].uri;
  }
  return node_entries().back().uri;
}

bool starts(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

json::object rule_activity(const policies::Rule& r) {
  json::object o{{"kind", "covenant-rule"},
                 {"rule", r.id},
                 {"name", json::object{{"nl", r.description}, {"en", r.description}}},
                 {"legalBasis", r.legal_basis},
                 {"legalReference", r.legal_reference},
                 {"purpose", r.purpose},
                 {"signalCategories", strings(r.categories)},
                 {"dataSubjectCategories", strings(r.pseudonyms)},
                 {"personalDataCategories", strings(r.fields)},
                 {"sources", strings(r.from)},
                 {"recipients", strings(r.to)},
                 {"retentionDays", r.retention_days},
                 {"disclosure", strings(r.disclosure)},
                 {"active", r.active},
                 {"validFrom", signals::iso_date(r.valid_from)}};
  o["validUntil"] = r.valid_until ? json::value(signals::iso_date(*r.valid_until)) : json::value(nullptr);
  return o;
}

std::string rule_activity_id(const policies::Rule& rule) { return content_id(rule.id, rule_activity(rule)); }

std::string activity_uri(std::string_view id) { return std::string(kActivityUriPrefix) + std::string(id); }

std::optional<std::string> activity_id_of(std::string_view uri) {
  if (!starts(uri, kActivityUriPrefix)) return std::nullopt;
  std::string_view id = uri.substr(kActivityUriPrefix.size());
  if (id.empty() || id.size() > 100 ||
      id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_.") != std::string_view::npos) {
    return std::nullopt;
  }
  return std::string(id);
}

const std::string& default_activity_uri(std::string_view name) {
  if (starts(name, "signal.")) return node_uri("node-own-signals");
  if (starts(name, "oprf.")) return node_uri("node-pseudonymisation");
  if (starts(name, "subject_access.")) return node_uri("node-subject-access");
  if (starts(name, "token.") || starts(name, "user.") || starts(name, "login.") || starts(name, "account.") ||
      starts(name, "password.") || name == events::kLogout.str()) {
    return node_uri("node-accounts");
  }
  if (starts(name, "request.") || starts(name, "answer.") || starts(name, "disclosure.")) {
    return node_uri("node-disclosure-requests");
  }
  if (starts(name, "case.") || starts(name, "lookup.")) return node_uri("node-cases");
  if (starts(name, "record.") || starts(name, "feedback.") || starts(name, "notice.") || starts(name, "withdrawal.") ||
      starts(name, "correction.") || starts(name, "batch.")) {
    return node_uri("node-covenant-checks");
  }
  return node_uri("node-accountability");
}

void ProcessingRegister::record_policy(storage::Database& db, const policies::Policy& policy, std::int64_t now_ms) {
  db.cached("UPDATE processing_register SET current = 0 WHERE current = 1").run();
  auto upsert = db.cached(
      "INSERT INTO processing_register (id, rule, entry, first_seen_ms, current) VALUES (?, ?, ?, ?, 1) "
      "ON CONFLICT(id) DO UPDATE SET current = 1");
  for (const auto& rule : policy.rules()) {
    auto content = rule_activity(rule);
    auto id = content_id(rule.id, content);
    upsert.reset();
    upsert.bind(1, std::string_view(id))
        .bind(2, std::string_view(rule.id))
        .bind(3, std::string_view(json::serialize(with_identity(std::move(content), id))))
        .bind(4, now_ms)
        .run();
  }
}

namespace {
json::object stored_entry(const storage::Statement& st) {
  json::object o = json::parse(st.text(0)).as_object();
  o["firstSeen"] = signals::iso8601_utc(st.int64(1));
  o["current"] = st.int64(2) != 0;
  return o;
}
}  // namespace

json::array ProcessingRegister::entries() const {
  json::array out;
  for (const auto& e : node_entries()) {
    json::object o = e.entry;
    o["current"] = true;
    out.push_back(std::move(o));
  }
  store_.read([&](storage::Database& db) {
    auto st = db.cached(
        "SELECT entry, first_seen_ms, current FROM processing_register ORDER BY current DESC, first_seen_ms DESC, id "
        "LIMIT 10000");
    while (st.step()) out.push_back(stored_entry(st.statement()));
    st.reset();
    return 0;
  });
  return out;
}

std::optional<json::object> ProcessingRegister::find(std::string_view id) const {
  for (const auto& e : node_entries()) {
    if (e.id == id) {
      json::object o = e.entry;
      o["current"] = true;
      return o;
    }
  }
  return store_.read([&](storage::Database& db) -> std::optional<json::object> {
    auto st = db.cached("SELECT entry, first_seen_ms, current FROM processing_register WHERE id = ?");
    st.bind(1, id);
    std::optional<json::object> out;
    if (st.step()) out = stored_entry(st.statement());
    st.reset();
    return out;
  });
}

}  // namespace signalnode::node::audit
