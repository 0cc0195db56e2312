#include "node/cases/cases.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <set>
#include <stdexcept>
#include <tuple>

#include "crypto/aead.hpp"
#include "crypto/bytes.hpp"
#include "crypto/random.hpp"
#include "node/alerts/alerts.hpp"
#include "node/audit/audit_log.hpp"
#include "node/auth/roles.hpp"
#include "node/cases/component.hpp"
#include "node/log/log.hpp"
#include "node/notify/notices.hpp"
#include "node/signals/signal_json.hpp"
#include "protocol/identifiers.hpp"
#include "protocol/utf8.hpp"

namespace signalnode::node::cases {
namespace json = boost::json;

int local_year(std::int64_t epoch_ms) {
  std::time_t t = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  return tm.tm_year + 1900;
}

std::string local_date(std::int64_t epoch_ms) {
  std::time_t t = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  return buf;
}

bool Cases::is_status(std::string_view s) { return storage::from_sql<CaseStatus>(s).has_value(); }

namespace {

// A note is bound to its case and place: a sealed note copied to another row
// (or case) does not open there.
crypto::Bytes note_ad(const std::string& case_id, std::int64_t position) {
  std::string s = "signalnode-case-note/v1/" + case_id + "/" + std::to_string(position);
  return crypto::Bytes(s.begin(), s.end());
}

Refusal case_not_found() { return {Refusal::Kind::not_found, "", "er is geen zaak met dit id", "there is no case with this id"}; }

std::optional<CaseSummary> read_case(storage::Database& db, const std::string& id) {
  auto st = db.cached(
      "SELECT id, reference, status, coalesce(assignee, ''), coalesce(due_date, ''), opened_by, created_at_ms, "
      "updated_at_ms FROM cases WHERE id = ?");
  st.bind(1, std::string_view(id));
  if (!st.step()) return std::nullopt;
  CaseSummary c;
  c.id = st.text(0);
  c.reference = st.text(1);
  c.status = std::string(storage::to_sql(storage::read_sql<CaseStatus>(st.text(2))));
  c.assignee = st.text(3);
  c.due_date = st.text(4);
  c.opened_by = st.text(5);
  c.created_at_ms = st.int64(6);
  c.updated_at_ms = st.int64(7);
  return c;
}

std::vector<std::string> alerts_of_case(storage::Database& db, const std::string& case_id) {
  std::vector<std::string> out;
  auto st = db.cached("SELECT alert_id FROM case_alerts WHERE case_id = ? ORDER BY added_at_ms, alert_id");
  st.bind(1, std::string_view(case_id));
  while (st.step()) out.push_back(st.text(0));
  return out;
}

// The case an alert belongs to (the oldest, should it be in several), with
// when that case was opened.
std::optional<std::pair<std::string, std::int64_t>> case_of_alert(storage::Database& db, const std::string& alert_id) {
  auto st = db.cached(
      "SELECT c.id, c.created_at_ms FROM case_alerts ca JOIN cases c ON c.id = ca.case_id WHERE ca.alert_id = ? "
      "ORDER BY c.created_at_ms, c.id LIMIT 1");
  st.bind(1, std::string_view(alert_id));
  if (!st.step()) return std::nullopt;
  return std::make_pair(st.text(0), st.int64(1));
}

void add_alert(storage::Database& db, const std::string& case_id, const std::string& alert_id, std::int64_t now) {
  db.cached("INSERT OR IGNORE INTO case_alerts (case_id, alert_id, added_at_ms) VALUES (?, ?, ?)")
      .bind(1, std::string_view(case_id))
      .bind(2, std::string_view(alert_id))
      .bind(3, now)
      .run();
}

void touch(storage::Database& db, const std::string& case_id, std::int64_t now) {
  db.cached("UPDATE cases SET updated_at_ms = ? WHERE id = ?").bind(1, now).bind(2, std::string_view(case_id)).run();
}

// ZAAK-<year>-<nnnn>: the next number of the year (four digits, more after 9999).
std::string next_reference(storage::Database& db, int year) {
  char prefix[32];
  std::snprintf(prefix, sizeof prefix, "ZAAK-%04d-", year);
  auto st = db.cached(
      "SELECT coalesce(max(CAST(substr(reference, 11) AS INTEGER)), 0) FROM cases WHERE reference LIKE ? || '%'");
  st.bind(1, std::string_view(prefix));
  const std::int64_t next = st.scalar() + 1;
  char out[48];
  std::snprintf(out, sizeof out, "%s%04lld", prefix, static_cast<long long>(next));
  return out;
}

json::array strings(const std::vector<std::string>& values) {
  json::array out;
  for (const auto& v : values) out.push_back(json::value(v));
  return out;
}

std::vector<std::string> hex_subjects(const Graph& g) {
  std::vector<std::string> out;
  for (const auto& s : g.subjects) out.push_back(crypto::to_hex(s.pseudonym));
  return out;
}

void audit_case(storage::Database& db, audit::EventName name, json::object attributes,
                std::vector<std::string> data_subjects, std::int64_t now) {
  audit::Event e;
  e.name = name;
  e.start_ms = e.end_ms = now;
  e.attributes = std::move(attributes);
  e.data_subjects = std::move(data_subjects);
  audit::AuditLog::append(db, e);
}

// Alerts of the component that are in no case yet join `case_id`; audited.
std::vector<std::string> join_free_alerts(storage::Database& db, const CaseSummary& c, const Graph& g,
                                          const std::string& by, std::int64_t now) {
  std::vector<std::string> added;
  std::vector<std::string> subjects;
  for (const auto& a : g.alerts) {
    if (case_of_alert(db, a.id)) continue;
    add_alert(db, c.id, a.id, now);
    added.push_back(a.id);
    subjects.push_back(crypto::to_hex(a.pseudonym));
  }
  if (added.empty()) return added;
  touch(db, c.id, now);
  audit_case(db, audit::events::kCaseUpdated,
             json::object{{"caseId", c.id},
                          {"reference", c.reference},
                          {"by", by},
                          {"changed", json::object{{"alerts", strings(added)}}}},
             std::move(subjects), now);
  return added;
}

json::object alert_json(const alerts::Alert& a) {
  return json::object{{"id", a.id},
                      {"kind", a.kind},
                      {"idKind", a.id_kind},
                      {"subject", subject_key(a.pseudonym)},
                      {"organisations", strings(a.organisations)},
                      {"categories", strings(a.categories)},
                      {"records", strings(a.records)},
                      {"signals", strings(a.signals)},
                      {"firstSeen", signals::iso8601_utc(a.first_seen_ms)},
                      {"lastSeen", signals::iso8601_utc(a.last_seen_ms)}};
}

json::object graph_json(const Graph& g) {
  json::array subjects, records, links;
  for (const auto& s : g.subjects) {
    subjects.push_back(json::object{{"key", subject_key(s.pseudonym)},
                                    {"idKind", s.id_kind},
                                    {"organisations", static_cast<std::int64_t>(s.organisations.size())}});
  }
  for (const auto& r : g.records) {
    json::object o{{"id", r.id},
                   {"kind", r.own ? "own" : "received"},
                   {"source", json::object{{"org", r.org}}},
                   {"category", r.category}};
    o["week"] = r.week.empty() ? json::value(nullptr) : json::value(r.week);
    records.push_back(std::move(o));
  }
  for (const auto& [record, subject] : g.links) {
    links.push_back(json::object{{"record", g.records[record].id}, {"subject", subject_key(g.subjects[subject].pseudonym)}});
  }
  return json::object{{"subjects", std::move(subjects)},
                      {"records", std::move(records)},
                      {"links", std::move(links)},
                      {"truncated", g.truncated}};
}

json::value or_null(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }

// Text a note may hold: valid UTF-8 without control characters other than
// tab and line breaks (nothing that could hide text from a reader).
bool is_note_text(std::string_view text) {
  if (!protocol::is_valid_utf8(text)) return false;
  return std::none_of(text.begin(), text.end(), [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f;
  });
}

}  // namespace

OpenResult Cases::open(const std::string& alert_id, const std::string& by) {
  OpenResult out;
  store_.write([&](storage::Database& db) {
    out = OpenResult{};
    auto alert = alerts::Alerts::find(db, alert_id);
    if (!alert) {
      out.refused = Refusal{Refusal::Kind::not_found, "alertId", "er is geen alert met dit id", "there is no alert with this id"};
      return;
    }
    const std::int64_t now = now_ms_();
    Graph g = connected(db, pseudonymiser_, self_org_, {*alert});
    // A component already (partly) in a case stays in that case: the oldest
    // such case, should its alerts be spread over several.
    std::optional<std::pair<std::string, std::int64_t>> existing;
    for (const auto& a : g.alerts) {
      auto c = case_of_alert(db, a.id);
      if (c && (!existing || std::tie(c->second, c->first) < std::tie(existing->second, existing->first))) existing = c;
    }
    if (existing) {
      auto c = read_case(db, existing->first);
      if (!c) throw std::logic_error("case_alerts names a case that does not exist");
      out.existing = true;
      out.id = c->id;
      out.reference = c->reference;
      out.added = join_free_alerts(db, *c, g, by, now);
      return;
    }
    CaseSummary c;
    c.id = crypto::random_hex_id(16);
    c.reference = next_reference(db, local_year(now));
    db.cached(
          "INSERT INTO cases (id, reference, status, assignee, due_date, opened_by, created_at_ms, updated_at_ms) "
          "VALUES (?, ?, ?, NULL, NULL, ?, ?, ?)")
        .bind(1, std::string_view(c.id))
        .bind(2, std::string_view(c.reference))
        .bind(3, storage::to_sql(CaseStatus::open))
        .bind(4, std::string_view(by))
        .bind(5, now)
        .bind(6, now)
        .run();
    std::vector<std::string> ids;
    for (const auto& a : g.alerts) {
      add_alert(db, c.id, a.id, now);
      ids.push_back(a.id);
    }
    audit_case(db, audit::events::kCaseOpened,
               json::object{{"caseId", c.id}, {"reference", c.reference}, {"by", by}, {"alerts", strings(ids)}},
               hex_subjects(g), now);
    notify::Notices::raise(db, notify::Topic::case_opened, notify::Audience::of(notify::Topic::case_opened), c.id, now);
    out.id = c.id;
    out.reference = c.reference;
    out.added = std::move(ids);
  });
  return out;
}

std::optional<json::object> Cases::get(const std::string& id, const std::string& by) {
  struct Note {
    std::int64_t position;
    std::string author;
    std::int64_t created_at_ms;
    crypto::Bytes sealed;
  };
  struct Loaded {
    CaseSummary c;
    std::set<std::string> in_case;
    Graph g;
    bool grows = false;  // an alert of the component is in no case yet
    std::vector<Note> notes;
  };
  auto load = [&](storage::Database& db) -> std::optional<Loaded> {
    auto c = read_case(db, id);
    if (!c) return std::nullopt;
    Loaded l;
    l.c = std::move(*c);
    std::vector<alerts::Alert> seeds;
    for (const auto& alert_id : alerts_of_case(db, id)) {
      l.in_case.insert(alert_id);
      // An alert that is gone (its records withdrawn or expired) no longer seeds it.
      if (auto a = alerts::Alerts::find(db, alert_id)) seeds.push_back(std::move(*a));
    }
    l.g = connected(db, pseudonymiser_, self_org_, seeds);
    for (const auto& a : l.g.alerts) {
      if (!l.in_case.count(a.id) && !case_of_alert(db, a.id)) l.grows = true;
    }
    auto st = db.cached("SELECT position, author, created_at_ms, note FROM case_notes WHERE case_id = ? ORDER BY position");
    st.bind(1, std::string_view(id));
    while (st.step()) {
      auto blob = st.blob_view(3);
      l.notes.push_back({st.int64(0), st.text(1), st.int64(2), crypto::Bytes(blob.begin(), blob.end())});
    }
    return l;
  };
  auto loaded = store_.read(load);
  if (!loaded) return std::nullopt;
  if (loaded->grows) {
    // The case grows as new records connect: the newly connected alerts join
    // it, in a write that looks again (another request may have taken them).
    store_.write([&](storage::Database& db) {
      loaded = load(db);
      if (!loaded) return;
      for (const auto& a : join_free_alerts(db, loaded->c, loaded->g, by, now_ms_())) loaded->in_case.insert(a);
      if (auto c = read_case(db, id)) loaded->c = std::move(*c);
    });
    if (!loaded) return std::nullopt;
  }
  const Loaded& l = *loaded;
  json::array alerts;
  for (const auto& a : l.g.alerts) {
    if (l.in_case.count(a.id)) alerts.push_back(alert_json(a));
  }
  json::array notes;
  for (const auto& n : l.notes) {
    auto plain = crypto::open(pseudonymiser_.data_key(), n.sealed, note_ad(id, n.position));
    if (!plain) log::warn("cases.note_unreadable", {{"case", id}, {"position", n.position}});
    notes.push_back(json::object{{"position", n.position},
                                 {"author", n.author},
                                 {"createdAt", signals::iso8601_utc(n.created_at_ms)},
                                 {"text", plain ? json::value(json::string(plain->chars())) : json::value(nullptr)}});
  }
  json::array requests;
  if (requests_) {
    for (auto& r : requests_(id)) requests.push_back(std::move(r));
  }
  return json::object{{"id", l.c.id},
                      {"reference", l.c.reference},
                      {"status", l.c.status},
                      {"assignee", or_null(l.c.assignee)},
                      {"dueDate", or_null(l.c.due_date)},
                      {"openedBy", l.c.opened_by},
                      {"createdAt", signals::iso8601_utc(l.c.created_at_ms)},
                      {"updatedAt", signals::iso8601_utc(l.c.updated_at_ms)},
                      {"alerts", std::move(alerts)},
                      {"graph", graph_json(l.g)},
                      {"notes", std::move(notes)},
                      {"requests", std::move(requests)}};
}

std::vector<CaseSummary> Cases::list(const ListQuery& query) const {
  return store_.read([&](storage::Database& db) {
    std::vector<CaseSummary> out;
    {
      auto st = db.cached(
          "SELECT id FROM cases WHERE (?2 IS NULL OR status = ?2) ORDER BY updated_at_ms DESC, id DESC LIMIT ?1");
      st.bind(1, query.limit);
      st.bind(2, query.status);
      std::vector<std::string> ids;
      while (st.step()) ids.push_back(st.text(0));
      st.reset();
      for (const auto& id : ids) {
        if (auto c = read_case(db, id)) out.push_back(std::move(*c));
      }
    }
    for (auto& c : out) {
      std::set<std::string> records;
      for (const auto& alert_id : alerts_of_case(db, c.id)) {
        ++c.alerts;
        if (auto a = alerts::Alerts::find(db, alert_id)) {
          for (const auto& r : a->records) records.insert("r:" + r);
          for (const auto& s : a->signals) records.insert("s:" + s);
        }
      }
      c.records = static_cast<std::int64_t>(records.size());
    }
    return out;
  });
}

UpdateResult Cases::update(const std::string& id, const CaseChanges& changes, const std::string& by) {
  UpdateResult out;
  if (changes.status && !is_status(*changes.status)) {
    out.refused = Refusal{Refusal::Kind::invalid, "status", "moet open, in_progress of closed zijn", "must be open, in_progress or closed"};
    return out;
  }
  if (changes.due_date && !changes.due_date->empty() &&
      (changes.due_date->size() != 10 || !protocol::parse_date(*changes.due_date))) {
    out.refused = Refusal{Refusal::Kind::invalid, "dueDate", "moet een bestaande datum zijn als JJJJ-MM-DD",
                          "must be a real date as YYYY-MM-DD"};
    return out;
  }
  store_.write([&](storage::Database& db) {
    out = UpdateResult{};
    auto c = read_case(db, id);
    if (!c) {
      out.refused = case_not_found();
      return;
    }
    if (changes.assignee && !changes.assignee->empty()) {
      auto st = db.cached("SELECT role FROM users WHERE username = ?");
      st.bind(1, std::string_view(*changes.assignee));
      if (!st.step() || st.text(0) != auth::to_string(auth::Role::analyst)) {
        out.refused = Refusal{Refusal::Kind::invalid, "assignee", "is geen analist met een account op deze node",
                              "is not an analyst with an account on this node"};
        return;
      }
    }
    json::object changed;
    if (changes.status && *changes.status != c->status) changed["status"] = *changes.status;
    if (changes.assignee && *changes.assignee != c->assignee) changed["assignee"] = or_null(*changes.assignee);
    if (changes.due_date && *changes.due_date != c->due_date) changed["dueDate"] = or_null(*changes.due_date);
    if (!changed.empty()) {
      const std::int64_t now = now_ms_();
      auto opt = [](const std::optional<std::string>& v, const std::string& current) -> std::optional<std::string> {
        const std::string& s = v ? *v : current;
        return s.empty() ? std::nullopt : std::optional<std::string>(s);
      };
      db.cached("UPDATE cases SET status = ?, assignee = ?, due_date = ?, updated_at_ms = ? WHERE id = ?")
          .bind(1, std::string_view(changes.status ? *changes.status : c->status))
          .bind(2, opt(changes.assignee, c->assignee))
          .bind(3, opt(changes.due_date, c->due_date))
          .bind(4, now)
          .bind(5, std::string_view(id))
          .run();
      audit_case(db, audit::events::kCaseUpdated,
                 json::object{{"caseId", c->id}, {"reference", c->reference}, {"by", by}, {"changed", changed}}, {}, now);
      c = read_case(db, id);
    }
    if (c) c->alerts = static_cast<std::int64_t>(alerts_of_case(db, id).size());
    out.updated = std::move(c);
  });
  return out;
}

NoteResult Cases::add_note(const std::string& id, const std::string& text, const std::string& by) {
  NoteResult out;
  if (text.empty() || text.size() > kMaxNoteBytes || !is_note_text(text)) {
    out.refused = Refusal{Refusal::Kind::invalid, "text", "moet 1 tot 4000 bytes geldige UTF-8 zijn, zonder stuurtekens",
                          "must be 1 to 4000 bytes of valid UTF-8, without control characters"};
    return out;
  }
  store_.write([&](storage::Database& db) {
    out = NoteResult{};
    auto c = read_case(db, id);
    if (!c) {
      out.refused = case_not_found();
      return;
    }
    auto st = db.cached("SELECT coalesce(max(position), 0), count(*) FROM case_notes WHERE case_id = ?");
    st.bind(1, std::string_view(id));
    if (!st.step()) throw std::logic_error("an aggregate query returned no row");
    const std::int64_t position = st.int64(0) + 1;
    const std::int64_t count = st.int64(1);
    st.reset();
    if (count >= kMaxNotesPerCase) {
      out.refused = Refusal{Refusal::Kind::conflict, "text", "deze zaak heeft al het hoogste aantal notities (1000)",
                            "this case already has the most notes it may have (1000)"};
      return;
    }
    const std::int64_t now = now_ms_();
    auto sealed = crypto::seal(pseudonymiser_.data_key(), crypto::as_bytes(text), note_ad(id, position));
    db.cached("INSERT INTO case_notes (case_id, position, author, created_at_ms, note) VALUES (?, ?, ?, ?, ?)")
        .bind(1, std::string_view(id))
        .bind(2, position)
        .bind(3, std::string_view(by))
        .bind(4, now)
        .bind_blob(5, sealed)
        .run();
    touch(db, id, now);
    audit_case(db, audit::events::kCaseNoteAdded,
               json::object{{"caseId", c->id}, {"reference", c->reference}, {"by", by}, {"position", position}}, {},
               now);
    out.position = position;
    out.created_at_ms = now;
  });
  return out;
}

}  // namespace signalnode::node::cases
