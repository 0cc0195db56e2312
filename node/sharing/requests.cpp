// Requests to a record's source and their answers, on both sides (see
// requests.hpp). The request's id is also its trace id in both audit logs, so
// a privacy officer on either side follows one request from its ask to its
// answer, expiry or deletion.
#include "node/sharing/requests.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <set>

#include "crypto/aead.hpp"
#include "crypto/bytes.hpp"
#include "crypto/random.hpp"
#include "node/audit/audit_log.hpp"
#include "node/log/log.hpp"
#include "node/notify/notices.hpp"
#include "node/sharing/outbox_state.hpp"
#include "node/sharing/records.hpp"
#include "node/signals/signal_repository.hpp"
#include "node/signals/signal_json.hpp"
#include "policies/record_fields.hpp"
#include "protocol/identifiers.hpp"
#include "protocol/utf8.hpp"

namespace signalnode::node::sharing {
namespace wire = protocol::wire;
namespace json = boost::json;
using storage::sql;

bool is_refusal_reason(std::string_view code) {
  return std::find(std::begin(kRefusalReasons), std::end(kRefusalReasons), code) != std::end(kRefusalReasons);
}

std::string_view to_string(RequestType t) { return t == RequestType::contact ? "contact" : "details"; }

namespace {

// A request waits on the source's deciding role: the officer who submitted the
// signal when officers decide, otherwise everyone holding the rule's role.
void notify_decider(storage::Database& db, notify::Topic topic, const std::string& decider_role,
                    const std::string& signal_id, const std::string& request_id, std::int64_t now) {
  std::optional<std::string> author;
  if (decider_role == "officer" && !signal_id.empty()) author = signals::SignalRepository::author_of(db, signal_id);
  notify::Notices::raise(db, topic,
                         author ? notify::Audience::submitter(*author, topic) : notify::Audience::of_role(decider_role),
                         request_id, now);
}

constexpr std::int64_t kAnswerGraceMs = 3'600'000;  // an answer decided in time may still be on its way

crypto::Bytes ad_of(std::string_view what, std::string_view id) {
  std::string s = "signalnode-request/" + std::string(what) + "/" + std::string(id);
  return crypto::Bytes(s.begin(), s.end());
}

crypto::Bytes seal_json(const Context& ctx, const json::value& v, std::string_view what, std::string_view id) {
  std::string text = json::serialize(v);
  auto sealed = crypto::seal(ctx.pseudonymiser.data_key(), crypto::as_bytes(text), ad_of(what, id));
  crypto::wipe(text.data(), text.size());
  return sealed;
}

std::optional<json::value> open_json(const Context& ctx, crypto::ByteView sealed, std::string_view what,
                                     std::string_view id) {
  auto plain = crypto::open(ctx.pseudonymiser.data_key(), sealed, ad_of(what, id));
  if (!plain) return std::nullopt;
  boost::system::error_code ec;
  json::value v = json::parse(std::string_view(reinterpret_cast<const char*>(plain->data()), plain->size()), ec);
  if (ec) return std::nullopt;
  return v;
}

json::object card_json(const wire::ContactCard& c) {
  return {{"name", c.name}, {"organisation", c.organisation}, {"phone", c.phone}, {"email", c.email}};
}

json::array strings(const std::vector<std::string>& v) {
  json::array out;
  for (const auto& s : v) out.push_back(json::value(s));
  return out;
}

std::vector<std::string> strings_of(std::string_view text) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& s : v.as_array()) {
    if (s.is_string()) out.emplace_back(s.as_string());
  }
  return out;
}

// Printable text of bounded length: what a partner may put in a request's
// free fields (UTF-8, no control characters).
bool valid_text(std::string_view s, std::size_t max) {
  if (s.size() > max || !protocol::is_valid_utf8(s)) return false;
  return std::none_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 && c != '\n'; });
}

bool valid_card(const wire::ContactCard& c) {
  return valid_text(c.name, 200) && valid_text(c.organisation, 200) && valid_text(c.phone, 40) &&
         valid_text(c.email, 200) && c.name.find('\n') == std::string::npos;
}

// A contact card someone can be reached by.
bool reachable(const wire::ContactCard& c) { return !c.name.empty() && (!c.phone.empty() || !c.email.empty()); }

void audit_request(storage::Database& db, audit::EventName name, const std::string& request_id, std::string status,
                   json::object attributes, std::int64_t now, const std::string& partner = {},
                   std::vector<std::string> subjects = {}) {
  audit::Event e;
  e.name = name;
  e.status = std::move(status);
  e.start_ms = e.end_ms = now;
  if (policies::valid_record_id(request_id)) e.trace_id = request_id;
  e.attributes = std::move(attributes);
  if (policies::valid_record_id(request_id)) e.attributes["requestId"] = request_id;
  e.partner = partner;
  e.data_subjects = std::move(subjects);
  audit::AuditLog::append(db, e);
}


const char* kColumns =
    "id, direction, type, partner, record_id, inbox_id, signal_id, rule_id, kinds, purpose, legal_ground, reference, "
    "case_id, requested_by, requester, decider_role, state, reason, detail, decided_by, created_at_ms, deadline_ms, "
    "decided_at_ms, answer, answer_expires_at_ms, verified";

std::string iso(std::int64_t ms) { return signals::iso8601_utc(ms); }

// The rule still grants anything today: not suspended, within its dates.
bool in_force(const policies::Rule& rule, std::int64_t now) {
  const auto day = std::chrono::floor<std::chrono::days>(std::chrono::sys_time<std::chrono::milliseconds>(
      std::chrono::milliseconds(now)));
  return rule.active && day >= rule.valid_from && (!rule.valid_until || day <= *rule.valid_until);
}

// Runs `update` (an UPDATE ... RETURNING id, kinds, partner that deletes
// answers) and audits each as disclosure.deleted with `reason`; how many.
std::size_t delete_answers(storage::Database& db, storage::Cursor& update, std::string_view reason, std::int64_t now) {
  std::vector<std::tuple<std::string, std::string, std::string>> gone;
  while (update.step()) gone.emplace_back(update.text(0), update.text(1), update.text(2));
  update.reset();
  for (const auto& [id, kinds, partner] : gone) {
    audit_request(db, audit::events::kDisclosureDeleted, id, "ok",
                  {{"kinds", strings(strings_of(kinds))}, {"reason", reason}}, now, partner);
  }
  return gone.size();
}

}  // namespace

// One row as the API shows it; the answer's content only when `open_answer`.
static json::object row_json(const Context& ctx, storage::Cursor& st, bool open_answer) {
  auto text = [&](int i) { return st.is_null(i) ? std::string() : st.text(i); };
  json::object o;
  const std::string id = st.text(0), direction = st.text(1);
  o["id"] = id;
  o["direction"] = direction;
  o["type"] = st.text(2);
  o["state"] = st.text(16);
  o["partner"] = st.text(3);
  o["recordId"] = st.text(4);
  if (!st.is_null(5)) o["inboxId"] = st.text(5);
  if (!st.is_null(6)) o["signalId"] = st.text(6);
  o["rule"] = st.text(7);
  o["kinds"] = strings(strings_of(st.text(8)));
  o["purpose"] = st.text(9);
  o["legalGround"] = st.text(10);
  o["reference"] = st.text(11);
  if (!st.is_null(12)) o["caseId"] = st.text(12);
  o["requestedBy"] = st.text(13);
  if (!st.is_null(14)) {
    auto card = open_json(ctx, st.blob(14), "requester", id);
    if (card) o["requester"] = std::move(*card);
  }
  if (!st.is_null(15)) o["decidedByRole"] = st.text(15);
  if (!text(17).empty()) o["reason"] = text(17);
  if (!text(18).empty()) o["detail"] = text(18);
  if (!text(19).empty()) o["decidedBy"] = text(19);
  o["createdAt"] = iso(st.int64(20));
  o["deadline"] = iso(st.int64(21));
  if (!st.is_null(22)) o["decidedAt"] = iso(st.int64(22));
  if (!st.is_null(24)) o["answerExpiresAt"] = iso(st.int64(24));
  const bool has_answer = !st.is_null(23);
  o["answerHeld"] = has_answer;
  if (!st.is_null(25)) o["verified"] = st.int64(25) != 0;
  if (has_answer && open_answer) {
    if (auto answer = open_json(ctx, st.blob(23), "answer", id); answer && answer->is_object()) {
      for (auto& [k, v] : answer->as_object()) o[k] = v;
    }
  }
  return o;
}

// The checks of a request that need no stored state; empty when it passes.
static Outcome check_request(const NewRequest& q) {
  if (!valid_text(q.purpose, kMaxRequestText) || q.purpose.size() < kMinPurpose) {
    return Outcome::invalid("purpose", "beschrijf het doel in 10 tot 1000 tekens / describe the purpose in 10 to 1000 characters");
  }
  if (!valid_text(q.legal_ground, kMaxRequestText)) return Outcome::invalid("legalGround", "at most 1000 characters");
  if (q.reference.empty() || !valid_text(q.reference, kMaxReference) || q.reference.find('\n') != std::string::npos) {
    return Outcome::invalid("reference", "geef een zaakreferentie van 1 tot 100 tekens / a case reference of 1 to 100 characters");
  }
  if (!valid_card(q.requester)) return Outcome::invalid("contact", "contact details too long or not text");
  if (q.type == RequestType::contact && !reachable(q.requester)) {
    return Outcome::invalid("contact", "vul eerst uw naam en telefoonnummer of e-mailadres in bij Mijn gegevens / "
                                       "first give your name and a phone number or e-mail address (My details)");
  }
  if (q.type == RequestType::contact && !q.kinds.empty()) return Outcome::invalid("kinds", "a contact request asks for no kinds");
  if (q.type == RequestType::details && q.kinds.empty()) {
    return Outcome::invalid("kinds", "noem welke gegevens u vraagt / name the kinds asked for");
  }
  return Outcome::done({});
}

Outcome Requests::create(const NewRequest& q, const policies::Policy& policy) {
  const std::int64_t now = ctx_.now_ms();
  if (Outcome early = check_request(q); early.kind != Outcome::Kind::done) {
    // Refused before anything was looked up, and recorded all the same.
    ctx_.store.write([&](storage::Database& db) {
      audit_request(db, audit::events::kRequestRejected, "", "rejected",
                    {{"inboxId", q.inbox_id.substr(0, 64)}, {"type", to_string(q.type)}, {"by", q.by},
                     {"field", early.field}, {"reason", early.detail}},
                    now, {});
    });
    return early;
  }
  std::set<std::string> kinds(q.kinds.begin(), q.kinds.end());
  Outcome result;
  std::string id = crypto::time_ordered_hex_id(now);
  ctx_.store.write([&](storage::Database& db) {
    auto refuse = [&](Outcome o, const std::string& why, const std::string& partner = {}) {
      audit_request(db, audit::events::kRequestRejected, "", "rejected",
                    {{"inboxId", q.inbox_id.substr(0, 64)}, {"type", to_string(q.type)}, {"by", q.by}, {"reason", why}},
                    now, partner);
      result = std::move(o);
    };
    auto st = db.cached("SELECT sender, record_id, rule_id, category FROM inbox WHERE id = ?");
    st.bind(1, std::string_view(q.inbox_id));
    if (!st.step()) {
      st.reset();
      return refuse(Outcome::not_found("no received record with this id"), "no received record with this id");
    }
    std::string sender = st.text(0), record_id = st.text(1), rule_id = st.text(2), category = st.text(3);
    st.reset();
    const policies::Rule* rule = policy.find(rule_id);
    if (!rule || !in_force(*rule, now)) {
      return refuse(Outcome::conflict("de regel " + rule_id + " van dit record is niet meer van kracht / the record's rule " +
                                      rule_id + " is not in force"),
                    "rule not in force", sender);
    }
    if (q.type == RequestType::details) {
      if (rule->disclosure.empty()) {
        return refuse(Outcome::invalid("kinds", "regel " + rule_id + " staat geen verstrekking toe / rule " + rule_id +
                                                    " grants no disclosure"),
                      "the rule grants no disclosure", sender);
      }
      std::set<std::string> held;
      auto subjects = db.cached("SELECT id_kind FROM inbox_subjects WHERE inbox_id = ?");
      subjects.bind(1, std::string_view(q.inbox_id));
      while (subjects.step()) held.insert(subjects.text(0));
      subjects.reset();
      for (const auto& k : kinds) {
        if (!rule->disclosure.contains(k)) {
          return refuse(Outcome::invalid("kinds", "regel " + rule_id + " staat verstrekking van " + k +
                                                      " niet toe / rule " + rule_id + " does not grant " + k),
                        "kind not granted by the rule", sender);
        }
        if (!held.contains(k)) {
          return refuse(Outcome::invalid("kinds", "dit record bevat geen " + k + " / this record has no " + k),
                        "the record has no subject of this kind", sender);
        }
      }
    }
    if (!q.case_id.empty()) {
      auto c = db.cached("SELECT 1 FROM cases WHERE id = ?");
      c.bind(1, std::string_view(q.case_id));
      bool found = c.step();
      c.reset();
      if (!found) return refuse(Outcome::invalid("caseId", "no case with this id"), "no such case", sender);
    }
    static const std::string pending_sql =
        "SELECT id FROM requests WHERE direction = 'outgoing' AND inbox_id = ? AND type = ? AND state = 'pending'";
    auto dup = db.cached(pending_sql);
    dup.bind(1, std::string_view(q.inbox_id)).bind(2, to_string(q.type));
    if (dup.step()) {
      std::string existing = dup.text(0);
      dup.reset();
      result = Outcome::conflict("er loopt al zo'n verzoek voor dit record / a request of this type for this record is pending (" +
                                 existing + ")");
      return;
    }
    dup.reset();
    const std::string legal_ground = q.legal_ground.empty() ? rule->legal_basis : q.legal_ground;
    wire::Record w;
    w.record_id = id;
    w.kind = q.type == RequestType::contact ? wire::RecordKind::contact_request : wire::RecordKind::details_request;
    w.refers_to = record_id;
    w.category = category;
    w.rule_id = rule_id;
    w.policy_hash = policy.sha256();
    w.request.purpose = q.purpose;
    w.request.legal_ground = legal_ground;
    w.request.reference = q.reference;
    w.request.kinds.assign(kinds.begin(), kinds.end());
    w.request.contact = q.requester;
    w.request.deadline_ms = now + kRequestDeadlineMs;
    detail::enqueue(db, {&w, sender, rule_id, std::nullopt, q.inbox_id, &ctx_.pseudonymiser.data_key()}, now);
    db.cached(
          "INSERT INTO requests (id, direction, type, partner, record_id, inbox_id, rule_id, kinds, purpose, "
          "legal_ground, reference, case_id, requested_by, state, created_at_ms, deadline_ms, trace_id) "
          "VALUES (?, 'outgoing', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)")
        .bind(1, std::string_view(id))
        .bind(2, to_string(q.type))
        .bind(3, std::string_view(sender))
        .bind(4, std::string_view(record_id))
        .bind(5, std::string_view(q.inbox_id))
        .bind(6, std::string_view(rule_id))
        .bind(7, std::string_view(json::serialize(strings(w.request.kinds))))
        .bind(8, std::string_view(q.purpose))
        .bind(9, std::string_view(legal_ground))
        .bind(10, std::string_view(q.reference))
        .bind(11, q.case_id.empty() ? std::optional<std::string>() : std::optional<std::string>(q.case_id))
        .bind(12, std::string_view(q.by))
        .bind(13, now)
        .bind(14, w.request.deadline_ms)
        .bind(15, std::string_view(id))
        .run();
    result = Outcome::queued(json::object{{"id", id}, {"state", "pending"}, {"to", sender},
                                          {"deadline", iso(w.request.deadline_ms)}});
  });
  if (result.kind == Outcome::Kind::queued) log::info("request.queued", {{"request", id}, {"type", to_string(q.type)}});
  return result;
}

std::optional<PendingRequest> Requests::pending(const std::string& id) const {
  return ctx_.store.read([&](storage::Database& db) -> std::optional<PendingRequest> {
    auto st = db.cached(
        "SELECT type, signal_id, kinds, decider_role, state FROM requests WHERE id = ? AND direction = 'incoming'");
    st.bind(1, std::string_view(id));
    if (!st.step()) {
      st.reset();
      return std::nullopt;
    }
    PendingRequest p;
    p.type = st.text(0) == "contact" ? RequestType::contact : RequestType::details;
    p.signal_id = st.is_null(1) ? "" : st.text(1);
    p.kinds = strings_of(st.text(2));
    p.decider_role = st.is_null(3) ? "officer" : st.text(3);
    p.state = st.text(4);
    st.reset();
    return p;
  });
}

Outcome Requests::decide(const std::string& id, const Decision& d, const policies::Policy& policy) {
  if (!d.approve && !is_refusal_reason(d.reason)) {
    return Outcome::invalid("reason", "kies een reden om af te wijzen / choose a reason to refuse");
  }
  if (d.approve && !d.reason.empty()) return Outcome::invalid("reason", "an approval carries no reason");
  const std::int64_t now = ctx_.now_ms();
  Outcome result;
  ctx_.store.write([&](storage::Database& db) {
    auto st = db.cached(
        "SELECT type, partner, record_id, signal_id, rule_id, kinds, decider_role, state, deadline_ms "
        "FROM requests WHERE id = ? AND direction = 'incoming'");
    st.bind(1, std::string_view(id));
    if (!st.step()) {
      st.reset();
      result = Outcome::not_found("no incoming request with this id");
      return;
    }
    const bool contact = st.text(0) == "contact";
    std::string partner = st.text(1), record_id = st.text(2), signal_id = st.is_null(3) ? "" : st.text(3),
                rule_id = st.text(4), state = st.text(7);
    std::string decider = st.is_null(6) ? "officer" : st.text(6);
    auto kinds = strings_of(st.text(5));
    const std::int64_t deadline = st.int64(8);
    st.reset();
    if (state != "pending") {
      result = Outcome::conflict("dit verzoek is al " + std::string(state == "expired" ? "verlopen" : "beslist") +
                                 " / this request is " + state);
      return;
    }
    if (now > deadline) {
      result = Outcome::conflict("de termijn van dit verzoek is verstreken / this request's deadline has passed");
      return;
    }
    // The covenant as it is now, not as it was when the request came: the
    // rule in force, its deciding role and its disclosure; the signal active.
    const policies::Rule* rule = policy.find(rule_id);
    if (!contact && rule) decider = rule->disclosure_decided_by;
    auto refuse_now = [&](const std::string& why) {
      audit_request(db, audit::events::kRequestRejected, id, "rejected", {{"by", d.by}, {"reason", why}}, now, partner);
      result = Outcome::conflict(why);
    };
    if (d.approve) {
      if (!rule || !in_force(*rule, now)) {
        return refuse_now("de regel " + rule_id + " is niet meer van kracht; wijs af / rule " + rule_id +
                          " is no longer in force; refuse");
      }
      for (const auto& k : kinds) {
        if (!contact && !rule->disclosure.contains(k)) {
          return refuse_now("de regel staat verstrekking van " + k + " niet meer toe; wijs af / the rule no longer grants " + k);
        }
      }
      auto status = signal_id.empty() ? std::nullopt : signals::SignalRepository::status_of(db, signal_id);
      if (!status || status->status != signals::SignalStatus::active) {
        return refuse_now("het signaal is ingetrokken; wijs af met reden not_held / the signal was withdrawn; refuse (not_held)");
      }
    }
    if (d.role != decider) {
      audit_request(db, audit::events::kRequestRejected, id, "rejected",
                    {{"by", d.by}, {"reason", "not entitled to decide: the rule names " + decider}}, now, partner);
      result = Outcome::forbidden("alleen de rol " + decider + " beslist over dit verzoek / only the " + decider +
                                  " role decides on this request");
      return;
    }
    wire::Record a;
    a.record_id = crypto::time_ordered_hex_id(now);
    a.kind = wire::RecordKind::request_answer;
    a.refers_to = id;
    a.rule_id = rule_id;
    a.policy_hash = policy.sha256();
    a.status = d.approve ? "approved" : "refused";
    a.reason = d.reason;
    a.request.decided_at_ms = now;
    std::vector<std::string> granted;
    if (d.approve && contact) {
      if (!valid_card(d.contact) || !reachable(d.contact)) {
        result = Outcome::invalid("contact", "vul eerst uw naam en telefoonnummer of e-mailadres in bij Mijn gegevens / "
                                             "first give your name and a phone number or e-mail address (My details)");
        return;
      }
      a.request.contact = d.contact;
    }
    if (d.approve && !contact) {
      const std::set<std::string> asked(kinds.begin(), kinds.end());
      for (const auto& item : d.disclosed) {
        if (!asked.contains(item.id_kind)) {
          result = Outcome::invalid("disclosed", "only the kinds asked for may be disclosed");
          return;
        }
        if (std::find(granted.begin(), granted.end(), item.id_kind) == granted.end()) granted.push_back(item.id_kind);
      }
      if (d.disclosed.empty()) {
        result = Outcome::conflict("het signaal bevat de gevraagde gegevens niet meer / the signal no longer holds what "
                                   "was asked for; refuse with reason not_held");
        return;
      }
      a.request.disclosed = d.disclosed;
    }
    // The answer names the shared record's category, as every message about it does.
    static const std::string category_sql = sql("SELECT record FROM outbox WHERE record_id = ? AND kind = ",
                                                wire::RecordKind::shared_signal);
    auto cat = db.cached(category_sql);
    cat.bind(1, std::string_view(record_id));
    if (cat.step()) {
      std::string error;
      auto blob = cat.blob(0);
      auto single = wire::decode_batch(blob, error);
      if (single && single->records.size() == 1) a.category = single->records[0].category;
    }
    cat.reset();
    const bool sealed = !a.request.disclosed.empty() || reachable(a.request.contact);
    detail::enqueue(db, {&a, partner, rule_id,
                         signal_id.empty() ? std::nullopt : std::optional<std::string>(signal_id), std::nullopt,
                         sealed ? &ctx_.pseudonymiser.data_key() : nullptr},
                    now);
    db.cached("UPDATE requests SET state = ?, reason = ?, decided_by = ?, decided_at_ms = ? WHERE id = ?")
        .bind(1, std::string_view(d.approve ? "approved" : "refused"))
        .bind(2, std::string_view(d.reason))
        .bind(3, std::string_view(d.by))
        .bind(4, now)
        .bind(5, std::string_view(id))
        .run();
    std::vector<std::string> subjects;
    if (!signal_id.empty()) {
      for (const auto& s : ctx_.own_subjects(db, signal_id)) subjects.push_back(crypto::to_hex(s.pseudonym));
    }
    audit_request(db, audit::events::kRequestDecided, id, "ok",
                  {{"decision", a.status}, {"reason", d.reason}, {"by", d.by}, {"type", contact ? "contact" : "details"},
                   {"kinds", strings(granted)}, {"signalId", signal_id}},
                  now, partner, std::move(subjects));
    result = Outcome::queued(json::object{{"id", id}, {"state", a.status}, {"to", partner}});
  });
  return result;
}

std::vector<json::object> Requests::list(std::string_view direction, std::size_t limit, std::string_view role) const {
  return ctx_.store.read([&](storage::Database& db) {
    std::vector<json::object> out;
    auto st = db.cached(std::string("SELECT ") + kColumns +
                        " FROM requests WHERE direction = ?1 AND (?3 = '' OR decider_role = ?3) "
                        "ORDER BY created_at_ms DESC, id LIMIT ?2");
    st.bind(1, direction).bind(2, static_cast<std::int64_t>(limit)).bind(3, role);
    while (st.step()) out.push_back(row_json(ctx_, st, false));
    st.reset();
    return out;
  });
}

std::vector<json::object> Requests::of_case(const std::string& case_id) const {
  return ctx_.store.read([&](storage::Database& db) {
    std::vector<json::object> out;
    auto st = db.cached(std::string("SELECT ") + kColumns + " FROM requests WHERE case_id = ? ORDER BY created_at_ms");
    st.bind(1, std::string_view(case_id));
    while (st.step()) out.push_back(row_json(ctx_, st, false));
    st.reset();
    return out;
  });
}

std::optional<json::object> Requests::get(const std::string& id, const std::string& viewer, bool* opened) {
  return ctx_.store.read([&](storage::Database& db) -> std::optional<json::object> {
    auto st = db.cached(std::string("SELECT ") + kColumns + " FROM requests WHERE id = ?");
    st.bind(1, std::string_view(id));
    if (!st.step()) {
      st.reset();
      return std::nullopt;
    }
    // Disclosed identities and contact cards are for the analyst who asked.
    const bool requester = st.text(1) == "outgoing" && st.text(13) == viewer;
    const bool has_answer = !st.is_null(23);
    json::object o = row_json(ctx_, st, requester);
    st.reset();
    if (opened) *opened = requester && has_answer;
    if (!requester && has_answer && o.at("direction") == "outgoing") {
      o["answerNote"] = "alleen zichtbaar voor de aanvrager / shown to the requester only";
    }
    return o;
  });
}

bool Requests::verify_disclosure(const std::string& id, const std::vector<wire::Disclosed>& disclosed,
                                 const std::function<std::array<std::uint8_t, 64>(const protocol::CanonicalId&)>& pseudonymise) {
  // The record's pseudonyms by kind, then each disclosed value's own.
  std::set<std::pair<std::string, std::string>> held;
  ctx_.store.read([&](storage::Database& db) {
    auto st = db.cached(
        "SELECT s.id_kind, s.pseudonym FROM requests q JOIN inbox_subjects s ON s.inbox_id = q.inbox_id "
        "WHERE q.id = ? AND q.direction = 'outgoing'");
    st.bind(1, std::string_view(id));
    while (st.step()) held.emplace(st.text(0), crypto::to_hex(st.blob(1)));
    st.reset();
    return 0;
  });
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  bool all = !disclosed.empty();
  for (const auto& d : disclosed) {
    auto kind = protocol::id_kind_from_string(d.id_kind);
    auto canonical = kind ? protocol::canonicalise(*kind, d.value, today)
                          : protocol::Result<protocol::CanonicalId>(protocol::FieldError{"value", ""});
    if (!canonical) {
      all = false;
      continue;
    }
    if (!held.contains({d.id_kind, crypto::to_hex(pseudonymise(canonical.value()))})) all = false;
  }
  ctx_.store.write([&](storage::Database& db) {
    db.cached("UPDATE requests SET verified = ? WHERE id = ?")
        .bind(1, static_cast<std::int64_t>(all ? 1 : 0))
        .bind(2, std::string_view(id))
        .run();
  });
  if (!all) log::warn("request.disclosure_mismatch", {{"request", id}});
  return all;
}

std::size_t Requests::expire(std::int64_t now) {
  std::size_t changed = 0;
  ctx_.store.write([&](storage::Database& db) {
    auto st = db.cached(
        "UPDATE requests SET state = 'expired', decided_at_ms = ?1 WHERE state = 'pending' AND "
        "deadline_ms + CASE direction WHEN 'outgoing' THEN ?2 ELSE 0 END < ?1 "
        "RETURNING id, direction, partner, decider_role, coalesce(signal_id, '')");
    st.bind(1, now).bind(2, kAnswerGraceMs);
    struct Expired {
      std::string id, direction, partner, decider, signal;
    };
    std::vector<Expired> expired;
    while (st.step()) expired.push_back({st.text(0), st.text(1), st.text(2), st.text(3), st.text(4)});
    st.reset();
    for (const auto& x : expired) {
      audit_request(db, audit::events::kRequestExpired, x.id, "ok", {{"direction", x.direction}, {"partner", x.partner}},
                    now, x.partner);
      // Whoever was to decide hears that the deadline passed unanswered.
      if (x.direction == "incoming") notify_decider(db, notify::Topic::request_overdue, x.decider, x.signal, x.id, now);
    }
    auto gone = db.cached(
        "UPDATE requests SET answer = NULL WHERE answer IS NOT NULL AND answer_expires_at_ms <= ? RETURNING id, kinds, partner");
    gone.bind(1, now);
    changed = expired.size() + delete_answers(db, gone, "the rule's retention passed", now);
  });
  return changed;
}

std::string Requests::receive_request(storage::Database& db, const Context& ctx, const std::string& sender,
                                      const policies::Policy& policy, std::int64_t now, const wire::Record& r) {
  static const std::string sent_sql = sql(
      "SELECT signal_id, rule_id, state FROM outbox WHERE record_id = ? AND recipient = ? AND kind = ",
      wire::RecordKind::shared_signal);
  auto st = db.cached(sent_sql);
  st.bind(1, std::string_view(r.refers_to)).bind(2, std::string_view(sender));
  if (!st.step()) {
    st.reset();
    return "a request about a record this node never sent to " + sender;
  }
  std::string signal_id = st.is_null(0) ? "" : st.text(0), rule_id = st.text(1);
  const OutboxState state = read_sql<OutboxState>(st.text(2));
  st.reset();
  if (state != OutboxState::delivered) return "a request about a record " + sender + " did not accept";
  if (r.rule_id != rule_id) return "the request names another rule than the record's";
  const policies::Rule* rule = policy.find(rule_id);
  if (!rule || !in_force(*rule, now)) return "the record's rule " + rule_id + " is not in force";
  if (signal_id.empty()) return "the signal behind the record is gone";
  auto status = signals::SignalRepository::status_of(db, signal_id);
  if (!status || status->status != signals::SignalStatus::active) return "the signal behind the record was withdrawn";
  const auto& q = r.request;
  if (!valid_text(q.purpose, kMaxRequestText) || q.purpose.size() < kMinPurpose) return "the purpose is missing or not text";
  if (!valid_text(q.legal_ground, kMaxRequestText) || q.legal_ground.empty()) return "the legal ground is missing or not text";
  if (q.reference.empty() || !valid_text(q.reference, kMaxReference)) return "the reference is missing or not text";
  if (!valid_card(q.contact)) return "the requester's contact card is not text";
  if (!q.disclosed.empty() || q.decided_at_ms != 0 || !r.status.empty() || !r.reason.empty()) {
    return "a request carries no answer fields";
  }
  if (q.deadline_ms <= now || q.deadline_ms > now + kMaxRequestDeadlineMs) return "the deadline is not within 60 days";
  const bool details = r.kind == wire::RecordKind::details_request;
  std::set<std::string> kinds;
  for (const auto& k : q.kinds) {
    if (!policies::valid_id_kind(k)) return "kinds holds something that is not an idKind";
    if (!kinds.insert(k).second) return "kinds repeats a kind";
    if (!rule->disclosure.contains(k)) return "rule " + rule_id + " grants no disclosure of " + k;
  }
  if (details && kinds.empty()) return "a details request names the kinds it asks for";
  if (!details && !kinds.empty()) return "a contact request asks for no kinds";
  if (!details && !reachable(q.contact)) return "a contact request names how to reach the requester";
  // One pending request of a type per record and partner, whatever the
  // requester's node lets through.
  auto pending_one = db.cached(
      "SELECT 1 FROM requests WHERE direction = 'incoming' AND partner = ? AND record_id = ? AND type = ? AND state = 'pending'");
  pending_one.bind(1, std::string_view(sender)).bind(2, std::string_view(r.refers_to)).bind(3, std::string_view(details ? "details" : "contact"));
  const bool already = pending_one.step();
  pending_one.reset();
  if (already) return "a request of this type about this record is pending";
  auto exists = db.cached("SELECT 1 FROM requests WHERE id = ?");
  exists.bind(1, std::string_view(r.record_id));
  bool taken = exists.step();
  exists.reset();
  if (taken) return "the request id is already in use";
  const std::string decider = details ? rule->disclosure_decided_by : "officer";
  json::value card = card_json(q.contact);
  db.cached(
        "INSERT INTO requests (id, direction, type, partner, record_id, signal_id, rule_id, kinds, purpose, "
        "legal_ground, reference, requested_by, requester, decider_role, state, created_at_ms, deadline_ms, trace_id) "
        "VALUES (?, 'incoming', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)")
      .bind(1, std::string_view(r.record_id))
      .bind(2, std::string_view(details ? "details" : "contact"))
      .bind(3, std::string_view(sender))
      .bind(4, std::string_view(r.refers_to))
      .bind(5, std::string_view(signal_id))
      .bind(6, std::string_view(rule_id))
      .bind(7, std::string_view(json::serialize(strings(q.kinds))))
      .bind(8, std::string_view(q.purpose))
      .bind(9, std::string_view(q.legal_ground))
      .bind(10, std::string_view(q.reference))
      .bind(11, std::string_view(q.contact.organisation))  // the person is in the sealed card
      .bind_blob(12, seal_json(ctx, card, "requester", r.record_id))
      .bind(13, std::string_view(decider))
      .bind(14, now)
      .bind(15, q.deadline_ms)
      .bind(16, std::string_view(r.record_id))
      .run();
  notify_decider(db, notify::Topic::request_to_decide, decider, signal_id, r.record_id, now);
  return {};
}

std::string Requests::receive_answer(storage::Database& db, const Context& ctx, const std::string& sender,
                                     std::int64_t now, const wire::Record& r) {
  auto st = db.cached(
      "SELECT type, kinds, state, deadline_ms, inbox_id, rule_id, requested_by FROM requests WHERE id = ? AND direction = 'outgoing' "
      "AND partner = ?");
  st.bind(1, std::string_view(r.refers_to)).bind(2, std::string_view(sender));
  if (!st.step()) {
    st.reset();
    return "an answer to no request of this node to " + sender;
  }
  const bool details = st.text(0) == "details";
  auto asked = strings_of(st.text(1));
  std::string state = st.text(2), inbox_id = st.is_null(4) ? "" : st.text(4), rule_id = st.text(5),
              asked_by = st.text(6);
  const std::int64_t deadline = st.int64(3);
  st.reset();
  const auto& q = r.request;
  if (state != "pending" && !(state == "expired" && q.decided_at_ms != 0 && q.decided_at_ms <= deadline)) {
    return "the request was answered before or has expired";
  }
  if (r.rule_id != rule_id) return "the answer names another rule than the request";
  if (q.decided_at_ms <= 0 || q.decided_at_ms > now + 300'000) return "the answer's decision time is not plausible";
  if (!q.purpose.empty() || !q.legal_ground.empty() || !q.reference.empty() || !q.kinds.empty() || q.deadline_ms != 0) {
    return "an answer carries no request fields";
  }
  json::object answer;
  std::vector<std::string> kinds;
  if (r.status == "refused") {
    if (!is_refusal_reason(r.reason)) return "a refusal carries a refusal reason code";
    if (!q.disclosed.empty() || !(q.contact == wire::ContactCard{})) return "a refusal discloses nothing";
  } else if (r.status == "approved") {
    if (!r.reason.empty()) return "an approval carries no reason";
    if (details) {
      if (q.disclosed.empty()) return "an approved details request discloses something";
      if (!(q.contact == wire::ContactCard{})) return "a details answer carries no contact card";
      const std::set<std::string> allowed(asked.begin(), asked.end());
      const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
      json::array disclosed;
      for (const auto& item : q.disclosed) {
        if (!allowed.contains(item.id_kind)) return "the answer discloses a kind that was not asked for";
        auto kind = protocol::id_kind_from_string(item.id_kind);
        auto canonical = kind ? protocol::canonicalise(*kind, item.value, today) : protocol::Result<protocol::CanonicalId>(
                                                                                    protocol::FieldError{"value", ""});
        if (!canonical || canonical.value().canonical != item.value) {
          return "a disclosed value is not the canonical form of its kind";
        }
        if (std::find(kinds.begin(), kinds.end(), item.id_kind) == kinds.end()) kinds.push_back(item.id_kind);
        disclosed.push_back(json::object{{"idKind", item.id_kind}, {"value", item.value}});
      }
      answer["disclosed"] = std::move(disclosed);
    } else {
      if (!q.disclosed.empty()) return "a contact answer discloses no identifiers";
      if (!valid_card(q.contact) || !reachable(q.contact)) return "an approved contact answer carries a contact card";
      answer["contact"] = card_json(q.contact);
    }
  } else {
    return "status is not approved or refused";
  }
  // What was disclosed is kept as long as the record it is about, and not
  // at all once that record is gone (withdrawn by its source, expired).
  std::int64_t expires = 0;
  if (!inbox_id.empty()) {
    auto e = db.cached("SELECT expires_at_ms FROM inbox WHERE id = ?");
    e.bind(1, std::string_view(inbox_id));
    if (e.step()) expires = e.int64(0);
    e.reset();
  }
  if (expires == 0 && r.status == "approved") return "the record the request is about is gone";
  const bool keep = !answer.empty();
  db.cached(
        "UPDATE requests SET state = ?, reason = ?, decided_at_ms = ?, answer = ?, answer_expires_at_ms = ? "
        "WHERE id = ?")
      .bind(1, std::string_view(r.status))
      .bind(2, std::string_view(r.reason))
      .bind(3, std::min(q.decided_at_ms, now))
      .bind_blob(4, keep ? seal_json(ctx, answer, "answer", r.refers_to) : crypto::Bytes{})
      .bind(5, keep ? std::optional<std::int64_t>(expires) : std::nullopt)
      .bind(6, std::string_view(r.refers_to))
      .run();
  if (!keep) db.cached("UPDATE requests SET answer = NULL WHERE id = ?").bind(1, std::string_view(r.refers_to)).run();
  notify::Notices::raise(db, notify::Topic::request_answered,
                         notify::Audience::submitter(asked_by, notify::Topic::request_answered), r.refers_to, now);
  return {};
}

std::vector<std::string> Requests::subjects_of_request(storage::Database& db, const std::string& request_id) {
  std::vector<std::string> out;
  auto st = db.cached(
      "SELECT s.pseudonym FROM requests q JOIN inbox_subjects s ON s.inbox_id = q.inbox_id "
      "WHERE q.id = ? AND q.direction = 'outgoing' ORDER BY s.position");
  st.bind(1, std::string_view(request_id));
  while (st.step()) out.push_back(crypto::to_hex(st.blob(0)));
  st.reset();
  return out;
}

void Requests::forget_answers_about(storage::Database& db, const std::string& inbox_id, std::int64_t now) {
  auto st = db.cached(
      "UPDATE requests SET answer = NULL WHERE inbox_id = ? AND direction = 'outgoing' AND answer IS NOT NULL "
      "RETURNING id, kinds, partner");
  st.bind(1, std::string_view(inbox_id));
  delete_answers(db, st, "the source withdrew the record", now);
}

void Requests::refused_on_receipt(storage::Database& db, const std::string& request_id, const std::string& why,
                                  std::int64_t now) {
  db.cached(
        "UPDATE requests SET state = 'refused', reason = 'not_accepted', detail = ?, decided_at_ms = ? "
        "WHERE id = ? AND direction = 'outgoing' AND state = 'pending'")
      .bind(1, std::string_view(why.substr(0, 200)))
      .bind(2, now)
      .bind(3, std::string_view(request_id))
      .run();
}

}  // namespace signalnode::node::sharing
