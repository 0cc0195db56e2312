#include "node/alerts/matching.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <optional>
#include <set>
#include <tuple>
#include <vector>

#include "crypto/random.hpp"
#include "node/alerts/alert_kind.hpp"
#include "node/notify/notices.hpp"
#include "node/signals/signal_repository.hpp"
#include "node/signals/signal_state.hpp"

namespace signalnode::node::alerts {
namespace json = boost::json;

namespace {

json::array to_array(const std::set<std::string>& values) {
  json::array out;
  for (const auto& v : values) out.push_back(json::value(v));
  return out;
}

struct Seen {
  std::set<std::string> organisations, categories;
  json::array records, signals;
  std::int64_t first = 0, last = 0;
  void at(std::int64_t t) {
    if (first == 0 || t < first) first = t;
    last = std::max(last, t);
  }
};

// Whether `now` holds a record or signal that `before` (a JSON array as
// stored) did not: the alert grew, and the people who follow it hear of it.
bool grew(const std::string& before, const json::array& now) {
  boost::system::error_code ec;
  auto old = json::parse(before, ec);
  if (ec || !old.is_array()) return !now.empty();
  std::set<std::string> had;
  for (const auto& v : old.get_array()) {
    if (v.is_string()) had.emplace(v.get_string());
  }
  return std::any_of(now.begin(), now.end(), [&](const json::value& v) {
    return v.is_string() && !had.contains(std::string(v.get_string()));
  });
}

// Analysts hear of a new or grown bundle; the officers whose own signals a
// received record meets hear of the hit (notify/topic.hpp).
void notify_growth(storage::Database& db, AlertKind kind, const std::string& alert_id, const Seen& seen,
                   std::int64_t now_ms) {
  notify::Notices::raise(db, notify::Topic::alert, notify::Audience::of(notify::Topic::alert), alert_id, now_ms);
  if (kind != AlertKind::hit) return;
  std::set<std::string> authors;
  for (const auto& s : seen.signals) {
    if (!s.is_string()) continue;
    if (auto a = signals::SignalRepository::author_of(db, std::string(s.get_string()))) authors.insert(*a);
  }
  for (const auto& a : authors) {
    notify::Notices::raise(db, notify::Topic::signal_hit, notify::Audience::submitter(a, notify::Topic::signal_hit),
                           alert_id, now_ms);
  }
}

void upsert(storage::Database& db, AlertKind kind, const Subject& subject, const Seen& seen, std::int64_t now_ms) {
  std::optional<std::string> id;
  bool growing = true;
  {
    auto before = db.cached("SELECT id, records, signals FROM alerts WHERE pseudonym = ? AND kind = ?");
    before.bind_blob(1, subject.pseudonym).bind(2, to_sql(kind));
    if (before.step()) {
      id = before.text(0);
      growing = grew(before.text(1), seen.records) || grew(before.text(2), seen.signals);
    }
  }
  if (!id) id = crypto::time_ordered_hex_id(now_ms);  // new alerts land on the index's last pages
  if (growing) notify_growth(db, kind, *id, seen, now_ms);
  auto st = db.cached(
      "INSERT INTO alerts (id, kind, id_kind, pseudonym, organisations, categories, records, signals, first_seen_ms, "
      "last_seen_ms, updated_at_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?) "
      "ON CONFLICT(pseudonym, kind) DO UPDATE SET organisations = excluded.organisations, "
      "categories = excluded.categories, records = excluded.records, signals = excluded.signals, "
      "first_seen_ms = excluded.first_seen_ms, last_seen_ms = excluded.last_seen_ms, "
      "updated_at_ms = excluded.updated_at_ms");
  st.bind(1, std::string_view(*id))
      .bind(2, to_sql(kind))
      .bind(3, std::string_view(subject.id_kind))
      .bind_blob(4, subject.pseudonym)
      .bind(5, std::string_view(json::serialize(to_array(seen.organisations))))
      .bind(6, std::string_view(json::serialize(to_array(seen.categories))))
      .bind(7, std::string_view(json::serialize(seen.records)))
      .bind(8, std::string_view(json::serialize(seen.signals)))
      .bind(9, seen.first)
      .bind(10, seen.last)
      .bind(11, now_ms)
      .run();
}

int remove(storage::Database& db, AlertKind kind, const Subject& subject) {
  auto st = db.cached("DELETE FROM alerts WHERE pseudonym = ? AND kind = ?");
  st.bind_blob(1, subject.pseudonym).bind(2, to_sql(kind)).run();
  return db.changes();
}

struct Row {
  std::int64_t at;
  std::string id, sender, category;
};

// What the records received about one subject within the window add up to,
// at a cost that does not grow with how many records one sender sent about it:
// the distinct senders by one index seek each (skipping through the
// (pseudonym, sender, received_at_ms) index), and of each sender only its
// newest kRecordsPerSender records. A partner flooding one subject thus costs
// every later refresh the same, and cannot push another partner's records
// out of the alert.
Seen received_about(storage::Database& db, const Subject& subject, std::int64_t since) {
  std::vector<Row> rows;
  Seen seen;
  auto next_sender = db.cached(
      "SELECT sender FROM inbox_subjects WHERE pseudonym = ? AND sender > ? ORDER BY sender LIMIT 1");
  auto first_of = db.cached(
      "SELECT min(received_at_ms) FROM inbox_subjects WHERE pseudonym = ? AND sender = ? AND received_at_ms >= ?");
  auto newest_of = db.cached(
      "SELECT s.inbox_id, s.received_at_ms, i.category FROM inbox_subjects s JOIN inbox i ON i.id = s.inbox_id "
      "WHERE s.pseudonym = ? AND s.sender = ? AND s.received_at_ms >= ? ORDER BY s.received_at_ms DESC LIMIT ?");
  std::string sender;
  for (int n = 0; n < kMaxSenders; ++n) {
    next_sender.reset();
    next_sender.bind_blob(1, subject.pseudonym).bind(2, std::string_view(sender));
    if (!next_sender.step()) break;
    sender = next_sender.text(0);
    first_of.reset();
    first_of.bind_blob(1, subject.pseudonym).bind(2, std::string_view(sender)).bind(3, since);
    if (!first_of.step() || first_of.is_null(0)) continue;  // nothing of this sender within the window
    seen.organisations.insert(sender);
    seen.at(first_of.int64(0));
    newest_of.reset();
    newest_of.bind_blob(1, subject.pseudonym)
        .bind(2, std::string_view(sender))
        .bind(3, since)
        .bind(4, static_cast<std::int64_t>(kRecordsPerSender));
    while (newest_of.step()) rows.push_back({newest_of.int64(1), newest_of.text(0), sender, newest_of.text(2)});
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return std::tie(a.at, a.id) < std::tie(b.at, b.id); });
  for (const auto& r : rows) {
    seen.records.push_back(json::value(r.id));
    seen.categories.insert(r.category);
    seen.at(r.at);
  }
  return seen;
}

}  // namespace

int Matcher::refresh(storage::Database& db, const Subject& subject, std::int64_t now_ms) const {
  const std::int64_t since = now_ms - static_cast<std::int64_t>(rule.window_days) * 86'400'000;
  Seen received = received_about(db, subject, since);
  Seen own;
  {
    static const std::string own_sql =
        storage::sql("SELECT DISTINCT s.id, s.category, s.created_at_ms FROM pseudonyms p "
                     "JOIN signal_identifiers si ON si.lookup_key = p.lookup_key JOIN signals s ON s.id = si.signal_id "
                     "WHERE p.match_key = ? AND s.status = ", signals::SignalStatus::active, " ORDER BY s.created_at_ms");
    auto st = db.cached(own_sql);
    st.bind_blob(1, subject.match_key);
    while (st.step()) {
      own.signals.push_back(json::value(st.text(0)));
      own.categories.insert(st.text(1));
      own.at(st.int64(2));
    }
    st.reset();
  }

  int changed = 0;
  if (static_cast<int>(received.organisations.size()) >= rule.min_organisations) {
    upsert(db, AlertKind::bundle, subject, received, now_ms);
    ++changed;
  } else {
    changed += remove(db, AlertKind::bundle, subject);
  }
  if (!received.records.empty() && !own.signals.empty()) {
    Seen hit = received;
    hit.organisations.insert(self_org);
    hit.categories.insert(own.categories.begin(), own.categories.end());
    hit.signals = own.signals;
    hit.at(own.first);
    hit.at(own.last);
    upsert(db, AlertKind::hit, subject, hit, now_ms);
    ++changed;
  } else {
    changed += remove(db, AlertKind::hit, subject);
  }
  return changed;
}

}  // namespace signalnode::node::alerts
