#include "node/signals/signal_repository.hpp"

#include "crypto/random.hpp"

#include <map>
#include <memory>
#include <stdexcept>

#include "node/signals/signal_json.hpp"

namespace signalnode::node::signals {

namespace {
// Binds a ciphertext to its row: a sealed blob copied onto another signal's row
// fails to open.
std::string associated_data(const std::string& id) { return "signalnode/signal/v1/" + id; }

std::string join_id_kinds(const Subject& s) {
  std::string out;
  for (const auto& id : s.identifiers) {
    if (!out.empty()) out += ',';
    out += protocol::to_string(id.kind);
  }
  return out;
}
}  // namespace

SignalRepository::SignalRepository(storage::Store& store, const crypto::AeadKey& data_key, int key_id)
    : store_(store), key_(data_key), key_id_(key_id) {}

namespace {
struct SubjectRow {
  std::string kind, role, id_kinds;
};

// What a write job needs of a signal, prepared on the caller's thread: the
// sealed payload and the unsealed columns (no personal data).
struct Prepared {
  std::shared_ptr<crypto::Bytes> sealed;
  std::shared_ptr<std::vector<SubjectRow>> subjects;
  std::shared_ptr<Signal> meta;
  std::shared_ptr<std::vector<pseudonyms::PreparedIdentifier>> ids;
};

Prepared prepare(const Signal& signal, std::vector<pseudonyms::PreparedIdentifier> identifiers, const crypto::AeadKey& key) {
  std::string payload = sealed_payload(signal);
  Prepared p;
  p.sealed = std::make_shared<crypto::Bytes>(
      crypto::seal(key, crypto::as_bytes(payload), crypto::as_bytes(associated_data(signal.id))));
  crypto::wipe(payload.data(), payload.size());
  p.subjects = std::make_shared<std::vector<SubjectRow>>();
  for (const auto& s : signal.subjects) p.subjects->push_back({s.kind, s.role, join_id_kinds(s)});
  p.meta = std::make_shared<Signal>();
  p.meta->id = signal.id;
  p.meta->category = signal.category;
  p.meta->observed_on = signal.observed_on;
  p.meta->municipality = signal.municipality;
  p.meta->severity = signal.severity;
  p.meta->persons = signal.persons;
  p.meta->status = signal.status;
  p.meta->created_at_ms = signal.created_at_ms;
  p.meta->submitted_by = signal.submitted_by;
  p.ids = std::make_shared<std::vector<pseudonyms::PreparedIdentifier>>(std::move(identifiers));
  return p;
}

// The subjects' rows, and the identifiers' links and pseudonym queue entries.
void write_subjects(storage::Database& db, const Prepared& p) {
  auto insert_subject =
      db.cached("INSERT INTO signal_subjects (signal_id, position, kind, role, id_kinds) VALUES (?,?,?,?,?)");
  for (std::size_t i = 0; i < p.subjects->size(); ++i) {
    const SubjectRow& row = (*p.subjects)[i];
    insert_subject.reset();
    insert_subject.bind(1, std::string_view(p.meta->id))
        .bind(2, static_cast<std::int64_t>(i))
        .bind(3, std::string_view(row.kind))
        .bind(4, row.role.empty() ? std::optional<std::string>() : std::optional<std::string>(row.role))
        .bind(5, std::string_view(row.id_kinds))
        .run();
  }
  pseudonyms::Pseudonymiser::write_rows(db, p.meta->id, *p.ids, p.meta->created_at_ms);
}
}  // namespace

storage::Store::WriteJob SignalRepository::insert_job(const Signal& signal,
                                                     std::vector<pseudonyms::PreparedIdentifier> identifiers) const {
  Prepared p = prepare(signal, std::move(identifiers), key_);
  int key_id = key_id_;
  return [p, key_id](storage::Database& db) {
    const Signal& meta = *p.meta;
    db.cached(
          "INSERT INTO signals (id, category, observed_on, municipality, severity, persons, status, "
          "created_at_ms, submitted_by, key_id, sealed) VALUES (?,?,?,?,?,?,?,?,?,?,?)")
        .bind(1, std::string_view(meta.id))
        .bind(2, std::string_view(meta.category))
        .bind(3, std::string_view(meta.observed_on))
        .bind(4, meta.municipality)
        .bind(5, std::string_view(meta.severity))
        .bind(6, meta.persons)
        .bind(7, to_sql(meta.status))
        .bind(8, meta.created_at_ms)
        .bind(9, std::string_view(meta.submitted_by))
        .bind(10, static_cast<std::int64_t>(key_id))
        .bind_blob(11, *p.sealed)
        .run();
    write_subjects(db, p);
  };
}

storage::Store::WriteJob SignalRepository::correct_job(const Signal& corrected,
                                                      std::vector<pseudonyms::PreparedIdentifier> identifiers) const {
  Prepared p = prepare(corrected, std::move(identifiers), key_);
  int key_id = key_id_;
  return [p, key_id](storage::Database& db) {
    const Signal& meta = *p.meta;
    static const std::string correct_sql =
        storage::sql("UPDATE signals SET category = ?, observed_on = ?, municipality = ?, severity = ?, persons = ?, "
                     "key_id = ?, sealed = ?, revision = revision + 1, share_state = ", ShareState::pending,
                     " WHERE id = ? AND status = ", SignalStatus::active);
    db.cached(correct_sql)
        .bind(1, std::string_view(meta.category))
        .bind(2, std::string_view(meta.observed_on))
        .bind(3, meta.municipality)
        .bind(4, std::string_view(meta.severity))
        .bind(5, meta.persons)
        .bind(6, static_cast<std::int64_t>(key_id))
        .bind_blob(7, *p.sealed)
        .bind(8, std::string_view(meta.id))
        .run();
    if (db.changes() == 0) throw NotCorrectable("no active signal with this id");
    db.cached("DELETE FROM signal_subjects WHERE signal_id = ?").bind(1, std::string_view(meta.id)).run();
    pseudonyms::Pseudonymiser::unlink(db, meta.id);
    write_subjects(db, p);
  };
}

std::vector<SignalSummary> SignalRepository::list(const ListQuery& query) const {
  return store_.read([&](storage::Database& db) {
    std::string sql =
        "SELECT s.id, s.category, s.observed_on, s.municipality, s.severity, s.persons, s.status, s.created_at_ms, "
        "(SELECT group_concat(kind, ',') FROM (SELECT kind FROM signal_subjects WHERE signal_id = s.id "
        "ORDER BY position)) FROM signals s WHERE 1=1";
    if (query.category) sql += " AND s.category = ?1";
    if (query.submitted_by) sql += " AND s.submitted_by = ?4";
    if (query.before_id) {
      sql += " AND (s.created_at_ms, s.id) < (SELECT created_at_ms, id FROM signals WHERE id = ?2)";
    }
    sql += " ORDER BY s.created_at_ms DESC, s.id DESC LIMIT ?3";
    auto st = db.cached(sql);
    if (query.category) st.bind(1, std::string_view(*query.category));
    if (query.before_id) st.bind(2, std::string_view(*query.before_id));
    st.bind(3, static_cast<std::int64_t>(query.limit));
    if (query.submitted_by) st.bind(4, std::string_view(*query.submitted_by));
    std::vector<SignalSummary> out;
    while (st.step()) {
      SignalSummary s;
      s.id = st.text(0);
      s.category = st.text(1);
      s.observed_on = st.text(2);
      if (!st.is_null(3)) s.municipality = st.text(3);
      s.severity = st.text(4);
      if (!st.is_null(5)) s.persons = st.int64(5);
      s.status = read_sql<SignalStatus>(st.text(6));
      s.created_at_ms = st.int64(7);
      std::string kinds = st.text(8);
      for (std::size_t pos = 0; !kinds.empty() && pos != std::string::npos;) {
        auto comma = kinds.find(',', pos);
        s.subject_kinds.push_back(kinds.substr(pos, comma == std::string::npos ? comma : comma - pos));
        pos = comma == std::string::npos ? comma : comma + 1;
      }
      out.push_back(std::move(s));
    }
    st.reset();
    return out;
  });
}

void SignalRepository::prove_key() const {
  static constexpr std::string_view kAd = "signalnode-data-key-check";
  const auto sample = store_.read([](storage::Database& db) -> std::optional<crypto::Bytes> {
    auto st = db.cached("SELECT sample FROM data_key_check WHERE id = 1");
    std::optional<crypto::Bytes> out;
    if (st.step()) out = st.blob(0);
    st.reset();
    return out;
  });
  const std::string wrong =
      "the data key (keys/data.key) does not open this database's sealed data: it is not the key the data was sealed "
      "under. Restore the right key file; the node does not start with this one";
  if (sample) {
    if (!crypto::open(key_, *sample, crypto::as_bytes(kAd))) throw WrongDataKey(wrong);
    return;
  }
  const auto newest = store_.read([](storage::Database& db) -> std::optional<std::string> {
    auto st = db.cached("SELECT id FROM signals WHERE status != 'withdrawn' ORDER BY created_at_ms DESC LIMIT 1");
    std::optional<std::string> out;
    if (st.step()) out = st.text(0);
    st.reset();
    return out;
  });
  if (newest) {
    try {
      (void)get(*newest);
    } catch (const std::runtime_error&) {
      throw WrongDataKey(wrong);
    }
  }
  crypto::Bytes random(32);
  crypto::fill_random(random);
  auto sealed = crypto::seal(key_, random, crypto::as_bytes(kAd));
  store_.write([&](storage::Database& db) {
    db.cached("INSERT OR IGNORE INTO data_key_check (id, sample) VALUES (1, ?)").bind_blob(1, sealed).run();
  });
}

std::optional<Signal> SignalRepository::get(const std::string& id) const {
  return store_.read([&](storage::Database& db) -> std::optional<Signal> {
    auto st = db.cached(
        "SELECT id, category, observed_on, municipality, severity, persons, status, created_at_ms, submitted_by, "
        "key_id, sealed FROM signals WHERE id = ?");
    st.bind(1, std::string_view(id));
    if (!st.step()) return std::nullopt;
    Signal s;
    s.id = st.text(0);
    s.category = st.text(1);
    s.observed_on = st.text(2);
    if (!st.is_null(3)) s.municipality = st.text(3);
    s.severity = st.text(4);
    if (!st.is_null(5)) s.persons = st.int64(5);
    s.status = read_sql<SignalStatus>(st.text(6));
    s.created_at_ms = st.int64(7);
    s.submitted_by = st.text(8);
    auto sealed = st.blob(10);
    st.reset();
    if (s.status == SignalStatus::withdrawn) return s;  // erased: category and dates are all that is left
    auto plain = crypto::open(key_, sealed, crypto::as_bytes(associated_data(s.id)));
    if (!plain) throw std::runtime_error("signal " + s.id + " does not decrypt under the data key");
    bool ok = false;
    try {
      ok = open_payload(plain->chars(), s);
    } catch (const std::exception&) {
      ok = false;
    }
    if (!ok) throw std::runtime_error("signal " + s.id + " has a malformed sealed payload");
    return s;
  });
}

std::int64_t SignalRepository::count() const {
  return store_.read([](storage::Database& db) {
    auto st = db.cached("SELECT count(*) FROM signals");
    return st.scalar();
  });
}

bool SignalRepository::awaiting_decision(const std::string& id) const {
  static const std::string sql_text = storage::sql("SELECT 1 FROM signals WHERE id = ? AND status = ",
                                                   SignalStatus::active, " AND share_state = ", ShareState::pending);
  return store_.read([&](storage::Database& db) {
    auto st = db.cached(sql_text);
    st.bind(1, std::string_view(id));
    const bool pending = st.step();
    st.reset();
    return pending;
  });
}

std::vector<CategoryCount> SignalRepository::count_by_category() const {
  return store_.read([](storage::Database& db) {
    std::vector<CategoryCount> categories;
    auto cat = db.cached("SELECT category, count(*) FROM signals GROUP BY category ORDER BY count(*) DESC, category");
    while (cat.step()) categories.push_back({cat.text(0), cat.int64(1)});
    cat.reset();
    return categories;
  });
}

std::optional<StatusAndCategory> SignalRepository::status_of(storage::Database& db, const std::string& id) {
  auto st = db.cached("SELECT status, category FROM signals WHERE id = ?");
  st.bind(1, std::string_view(id));
  std::optional<StatusAndCategory> out;
  if (st.step()) out = StatusAndCategory{read_sql<SignalStatus>(st.text(0)), st.text(1)};
  st.reset();
  return out;
}

std::optional<std::string> SignalRepository::author_of(storage::Database& db, const std::string& id) {
  auto st = db.cached("SELECT submitted_by FROM signals WHERE id = ?");
  st.bind(1, std::string_view(id));
  if (!st.step()) return std::nullopt;
  return st.text(0);
}

void SignalRepository::erase_content(storage::Database& db, const std::string& id, std::int64_t now_ms) {
  static const std::string erase_sql =
      storage::sql("UPDATE signals SET status = ", SignalStatus::withdrawn, ", withdrawn_at_ms = ?, sealed = zeroblob(0), "
                   "share_state = ", ShareState::decided, " WHERE id = ?");
  db.cached(erase_sql)
      .bind(1, now_ms)
      .bind(2, std::string_view(id))
      .run();
  pseudonyms::Pseudonymiser::forget_links(db, id);
  db.cached("DELETE FROM signal_subjects WHERE signal_id = ?").bind(1, std::string_view(id)).run();
}

void SignalRepository::mark_decided(storage::Database& db, const std::string& id) {
  static const std::string decided_sql =
      storage::sql("UPDATE signals SET share_state = ", ShareState::decided, " WHERE id = ?");
  db.cached(decided_sql).bind(1, std::string_view(id)).run();
}

void SignalRepository::share_again(storage::Database& db, const std::vector<std::string>& ids) {
  static const std::string again_sql = storage::sql("UPDATE signals SET share_state = ", ShareState::pending,
                                                    " WHERE id = ? AND status = ", SignalStatus::active);
  auto st = db.cached(again_sql);
  for (const auto& id : ids) {
    st.reset();
    st.bind(1, std::string_view(id)).run();
  }
}

std::vector<std::string> SignalRepository::with_legacy_links(storage::Database& db) {
  std::vector<std::string> ids;
  auto st = db.cached("SELECT DISTINCT signal_id FROM signal_identifiers WHERE domain = ''");
  while (st.step()) ids.push_back(st.text(0));
  st.reset();
  return ids;
}

namespace {
// A row of (id, category, observed_on, municipality, severity, persons,
// created_at_ms): the facts the covenant decides on, identifiers apart.
ReadySignal facts_row(storage::Cursor& st) {
  ReadySignal r;
  r.id = st.text(0);
  r.facts.category = st.text(1);
  r.facts.observed_on = st.text(2);
  if (!st.is_null(3)) r.facts.municipality = st.text(3);
  r.facts.severity = st.text(4);
  if (!st.is_null(5)) r.facts.persons = st.int64(5);
  r.created_at_ms = st.int64(6);
  return r;
}
}  // namespace

std::vector<ReadySignal> SignalRepository::ready_to_share(storage::Database& db,
                                                          const pseudonyms::Pseudonymiser& pseudonymiser,
                                                          std::size_t max_signals) {
  std::vector<ReadySignal> out;
  // The pending state spelt out, not bound: the partial index
  // signals_to_share serves only a query that names it.
  static const std::string ready_sql = storage::sql(
      "SELECT s.id, s.category, s.observed_on, s.municipality, s.severity, s.persons, s.created_at_ms FROM signals s "
      "WHERE s.share_state = ", ShareState::pending, " AND s.status = ", SignalStatus::active,
      // Every link, in every domain, has its pseudonym of the epoch in force.
      " AND NOT EXISTS (SELECT 1 FROM signal_identifiers si "
      "LEFT JOIN pseudonyms p ON p.lookup_key = si.lookup_key AND (?1 = 0 OR p.key_epoch = ?1) "
      "WHERE si.signal_id = s.id AND p.lookup_key IS NULL) "
      "ORDER BY s.created_at_ms LIMIT ?2");
  auto st = db.cached(ready_sql);
  st.bind(1, static_cast<std::int64_t>(pseudonymiser.epoch())).bind(2, static_cast<std::int64_t>(max_signals));
  while (st.step()) {
    out.push_back(facts_row(st));
  }
  st.reset();
  for (auto& r : out) fill_identifiers(db, pseudonymiser, r);
  return out;
}

void SignalRepository::fill_identifiers(storage::Database& db, const pseudonyms::Pseudonymiser& pseudonymiser,
                                        ReadySignal& r) {
  // Each identifier with its subject's kind, in position and kind order.
  auto kinds = db.cached("SELECT position, kind FROM signal_subjects WHERE signal_id = ?");
  std::map<std::int64_t, std::string> kind_at;
  kinds.bind(1, std::string_view(r.id));
  while (kinds.step()) kind_at[kinds.int64(0)] = kinds.text(1);
  kinds.reset();
  r.facts.identifiers.clear();
  for (const auto& link : pseudonymiser.links_of(db, r.id)) {
    auto kind = kind_at.find(link.position);
    if (kind == kind_at.end()) continue;  // an identifier belongs to a subject
    policies::SubjectIdentifier id{static_cast<std::size_t>(link.position), kind->second, link.id_kind, {}};
    auto p = pseudonymiser.cached_by_key(db, link.lookup_key);
    if (!p) throw std::runtime_error("pseudonym vanished for a ready signal");
    id.pseudonym = *p;
    r.facts.identifiers.push_back(std::move(id));
  }
}

std::vector<ReadySignal> SignalRepository::decided_after(storage::Database& db, std::int64_t after_ms,
                                                         const std::string& after_id, std::size_t max_signals) {
  static const std::string sql_text = storage::sql(
      "SELECT id, category, observed_on, municipality, severity, persons, created_at_ms FROM signals "
      "WHERE (created_at_ms, id) > (?1, ?2) AND status = ", SignalStatus::active, " AND share_state = ",
      ShareState::decided, " ORDER BY created_at_ms, id LIMIT ?3");
  std::vector<ReadySignal> out;
  auto st = db.cached(sql_text);
  st.bind(1, after_ms).bind(2, std::string_view(after_id)).bind(3, static_cast<std::int64_t>(max_signals));
  while (st.step()) {
    out.push_back(facts_row(st));
  }
  st.reset();
  return out;
}

std::optional<ReadySignal> SignalRepository::decided_one(storage::Database& db, const std::string& id) {
  static const std::string sql_text = storage::sql(
      "SELECT id, category, observed_on, municipality, severity, persons, created_at_ms FROM signals "
      "WHERE id = ? AND status = ", SignalStatus::active, " AND share_state = ", ShareState::decided);
  auto st = db.cached(sql_text);
  st.bind(1, std::string_view(id));
  std::optional<ReadySignal> out;
  if (st.step()) {
    out = facts_row(st);
  }
  st.reset();
  return out;
}

std::vector<std::string> SignalRepository::created_before(storage::Database& db, std::int64_t cutoff_ms,
                                                         std::size_t limit) {
  std::vector<std::string> ids;
  auto st = db.cached("SELECT id FROM signals WHERE created_at_ms < ? ORDER BY created_at_ms LIMIT ?");
  st.bind(1, cutoff_ms).bind(2, static_cast<std::int64_t>(limit));
  while (st.step()) ids.push_back(st.text(0));
  st.reset();
  return ids;
}

void SignalRepository::remove(storage::Database& db, const std::string& id) {
  // subjects, identifiers, decisions, outbox, feedback cascade
  db.cached("DELETE FROM signals WHERE id = ?").bind(1, std::string_view(id)).run();
}

std::vector<pseudonyms::PreparedIdentifier> prepare_identifiers(const Signal& signal,
                                                                const pseudonyms::Pseudonymiser& pseudonymiser) {
  std::vector<pseudonyms::PreparedIdentifier> out;
  for (std::size_t i = 0; i < signal.subjects.size(); ++i) {
    for (const auto& id : signal.subjects[i].identifiers) {
      out.push_back(pseudonymiser.prepare(static_cast<std::int64_t>(i), id));
    }
  }
  return out;
}

}  // namespace signalnode::node::signals
