// Typed states: every enum's SQL spelling round-trips; the schema's CHECK
// constraints accept exactly the enums' values; the migration that added them
// keeps every row (with its rowid), every index and every foreign key of a
// database that held rows of every state; and a value no enum knows, read
// back, is an error naming the column and the value.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "crypto/random.hpp"
#include "node/alerts/alert_kind.hpp"
#include "node/cases/cases.hpp"
#include "node/sharing/feedback_state.hpp"
#include "node/sharing/outbox_state.hpp"
#include "node/signals/signal_json.hpp"
#include "node/signals/signal_repository.hpp"
#include "node/signals/signal_state.hpp"
#include "node/storage/schema.hpp"
#include "node/storage/sql_enum.hpp"
#include "node/storage/store.hpp"
#include "tests/support/temp_dir.hpp"

namespace st = signalnode::node::storage;
namespace sh = signalnode::node::sharing;
namespace sg = signalnode::node::signals;
namespace al = signalnode::node::alerts;
namespace wire = signalnode::protocol::wire;
namespace c = signalnode::crypto;

namespace {

using AllEnums = std::tuple<sh::OutboxState, wire::RecordKind, sh::FeedbackKind, sh::FeedbackStatus, sg::SignalStatus,
                            sg::ShareState, al::AlertKind, signalnode::node::cases::CaseStatus>;

template <typename E>
void expect_round_trip() {
  std::size_t n = 0;
  for (E e : st::SqlValues<E>::all) {
    ++n;
    const std::string_view text = st::to_sql(e);
    SCOPED_TRACE(std::string(st::SqlValues<E>::column) + " " + std::string(text));
    ASSERT_FALSE(text.empty());
    auto back = st::from_sql<E>(text);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, e);
    EXPECT_EQ(st::read_sql<E>(text), e);
    EXPECT_EQ(st::sql_literal(e), "'" + std::string(text) + "'");
  }
  EXPECT_GT(n, 1u);
  EXPECT_FALSE(st::from_sql<E>("").has_value());
  EXPECT_FALSE(st::from_sql<E>("Queued").has_value());
  EXPECT_FALSE(st::from_sql<E>("no_such_value").has_value());
  try {
    (void)st::read_sql<E>("no_such_value");
    ADD_FAILURE() << "read_sql accepted an unknown value";
  } catch (const st::UnknownValue& e) {
    EXPECT_NE(std::string(e.what()).find(st::SqlValues<E>::column), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'no_such_value'"), std::string::npos) << e.what();
  }
}

// --- a database one step before the typed-states migration ---------------

// The schema version the typed-states migration produces: the first whose
// outbox carries a CHECK on state. Found rather than written down, so the test
// still names the right step when migrations are merged in another order.
int typed_states_version(const std::filesystem::path& scratch) {
  const auto& all = st::node_migrations();
  st::Database db(scratch, st::Database::Mode::read_write);
  for (std::size_t i = 0; i < all.size(); ++i) {
    st::migrate(db, std::vector<st::Migration>(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(i) + 1));
    auto q = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'outbox'");
    if (q.step() && q.text(0).find("CHECK (state IN") != std::string::npos) return static_cast<int>(i) + 1;
  }
  return 0;
}

void migrate_to(st::Database& db, int version) {
  const auto& all = st::node_migrations();
  st::migrate(db, std::vector<st::Migration>(all.begin(), all.begin() + version));
}

std::string id_of(const char* prefix, int n) {
  std::string digits = std::to_string(n);
  std::string id = prefix;
  return id + std::string(32 - id.size() - digits.size(), '0') + digits;
}

std::vector<std::uint8_t> bytes(int n, std::size_t size) { return std::vector<std::uint8_t>(size, static_cast<std::uint8_t>(n)); }

// Rows of every state, kind and status, with children under every parent, as
// the code before the migration wrote them; some outbox rows deleted so the
// rowids have gaps a plain copy would close.
void fill_every_state(st::Database& db) {
  int n = 0;
  std::vector<std::string> signal_ids;
  for (sg::SignalStatus status : st::SqlValues<sg::SignalStatus>::all) {
    for (sg::ShareState share : st::SqlValues<sg::ShareState>::all) {
      const std::string id = id_of("5", ++n);
      signal_ids.push_back(id);
      db.prepare(
            "INSERT INTO signals (id, category, observed_on, municipality, severity, persons, status, created_at_ms, "
            "submitted_by, key_id, sealed, share_state, revision, withdrawn_at_ms) "
            "VALUES (?, 'labour.underpaid_or_unpaid', '2026-11-20', 'GM0363', 'high', 3, ?, ?, 'tok', 1, ?, ?, ?, ?)")
          .bind(1, std::string_view(id))
          .bind(2, st::to_sql(status))
          .bind(3, std::int64_t{1000} + n)
          .bind_blob(4, bytes(n, 40))
          .bind(5, st::to_sql(share))
          .bind(6, std::int64_t{n % 2})
          .bind(7, status == sg::SignalStatus::withdrawn ? std::optional<std::int64_t>(5000 + n) : std::nullopt)
          .run();
      db.prepare("INSERT INTO signal_subjects (signal_id, position, kind, role, id_kinds) VALUES (?, 0, 'person', NULL, 'bsn')")
          .bind(1, std::string_view(id))
          .run();
      // Links have a pseudonym domain from v12 on.
      const bool domains = db.prepare("SELECT 1 FROM pragma_table_info('signal_identifiers') WHERE name = 'domain'").step();
      db.prepare(domains ? "INSERT INTO signal_identifiers (signal_id, domain, position, id_kind, lookup_key) "
                           "VALUES (?, '', 0, 'bsn', ?)"
                         : "INSERT INTO signal_identifiers (signal_id, position, id_kind, lookup_key) VALUES (?, 0, 'bsn', ?)")
          .bind(1, std::string_view(id))
          .bind_blob(2, bytes(n, 32))
          .run();
      db.prepare("INSERT INTO sharing_decisions (signal_id, recipient, rule_id, reason) VALUES (?, 'inspectorate', 'r1', 'granted')")
          .bind(1, std::string_view(id))
          .run();
    }
  }
  // Every outbox state for every kind, about a signal or a received record.
  for (wire::RecordKind kind : st::SqlValues<wire::RecordKind>::all) {
    // The kinds of the typed-states migration; request kinds came with v13.
    if (wire::is_request_kind(kind)) continue;
    for (sh::OutboxState state : st::SqlValues<sh::OutboxState>::all) {
      ++n;
      const bool own = kind != wire::RecordKind::feedback && kind != wire::RecordKind::bundle_notice;
      db.prepare(
            "INSERT INTO outbox (record_id, kind, signal_id, inbox_id, refers_to, recipient, rule_id, record, state, "
            "created_at_ms, attempts, next_attempt_at_ms, last_error, delivered_at_ms, reason, batch_id) "
            "VALUES (?,?,?,?,?, 'inspectorate', 'r1', ?, ?, ?, ?, ?, ?, ?, ?, ?)")
          .bind(1, std::string_view(id_of("0b", n)))
          .bind(2, st::to_sql(kind))
          .bind(3, own ? std::optional<std::string>(signal_ids[static_cast<std::size_t>(n) % signal_ids.size()])
                       : std::nullopt)
          .bind(4, own ? std::nullopt : std::optional<std::string>(id_of("1b", 1)))
          .bind(5, kind == wire::RecordKind::shared_signal ? std::nullopt : std::optional<std::string>(id_of("0b", 1)))
          .bind_blob(6, bytes(n, 24))
          .bind(7, st::to_sql(state))
          .bind(8, std::int64_t{2000} + n)
          .bind(9, std::int64_t{n % 3})
          .bind(10, std::int64_t{3000} + n)
          .bind(11, n % 3 ? std::optional<std::string>("partner answered HTTP 503") : std::nullopt)
          .bind(12, state == sh::OutboxState::delivered ? std::optional<std::int64_t>(4000 + n) : std::nullopt)
          .bind(13, state == sh::OutboxState::rejected ? std::optional<std::string>("refused") : std::nullopt)
          .bind(14, std::optional<std::string>(id_of("ba", n)))
          .run();
    }
  }
  db.exec("DELETE FROM outbox WHERE rowid % 3 = 0");
  // Received records: without feedback and with every feedback status.
  std::vector<std::optional<std::string>> statuses{std::nullopt};
  for (sh::FeedbackStatus s : st::SqlValues<sh::FeedbackStatus>::all) {
    if (s == sh::FeedbackStatus::withheld) continue;  // came with v15, after the typed-states step
    statuses.emplace_back(std::string(st::to_sql(s)));
  }
  int inbox_n = 0;
  for (const auto& status : statuses) {
    const std::string id = id_of("1b", ++inbox_n);
    db.prepare(
          "INSERT INTO inbox (id, sender, sender_role, record_id, category, observed_week, municipality, severity, "
          "persons, rule_id, policy_sha256, received_at_ms, expires_at_ms, feedback_status, feedback_reason, "
          "feedback_at_ms) VALUES (?, 'municipality', 'municipality', ?, 'labour.underpaid_or_unpaid', '2026-W47', "
          "'', 'high', NULL, 'r1', 'abcd', ?, ?, ?, ?, ?)")
        .bind(1, std::string_view(id))
        .bind(2, std::string_view(id_of("ec", inbox_n)))
        .bind(3, std::int64_t{6000} + inbox_n)
        .bind(4, std::int64_t{9000} + inbox_n)
        .bind(5, status)
        .bind(6, status ? std::optional<std::string>("") : std::nullopt)
        .bind(7, status ? std::optional<std::int64_t>(7000 + inbox_n) : std::nullopt)
        .run();
    db.prepare("INSERT INTO inbox_subjects (inbox_id, position, kind, id_kind, pseudonym) VALUES (?, 0, 'person', 'bsn', ?)")
        .bind(1, std::string_view(id))
        .bind_blob(2, bytes(inbox_n, 64))
        .run();
  }
  // Feedback with every status, and a bundle notice (status '' as the
  // receiver stores it).
  int fb = 0;
  for (const auto& status : statuses) {
    const bool notice = !status;
    ++fb;
    db.prepare(
          "INSERT INTO signal_feedback (message_id, signal_id, partner, record_id, kind, status, reason, note, "
          "organisations, categories, received_at_ms) VALUES (?, ?, 'inspectorate', ?, ?, ?, '', '', ?, ?, ?)")
        .bind(1, std::string_view(id_of("fb", fb)))
        .bind(2, std::string_view(signal_ids[static_cast<std::size_t>(fb) % signal_ids.size()]))
        .bind(3, std::string_view(id_of("0b", 1)))
        .bind(4, st::to_sql(notice ? sh::FeedbackKind::bundle_notice : sh::FeedbackKind::feedback))
        .bind(5, std::string_view(status ? *status : ""))
        .bind(6, notice ? std::optional<std::int64_t>(3) : std::nullopt)
        .bind(7, std::string_view(notice ? "[\"labour.underpaid_or_unpaid\"]" : "[]"))
        .bind(8, std::int64_t{8000} + fb)
        .run();
  }
  int alert = 0;
  for (al::AlertKind kind : st::SqlValues<al::AlertKind>::all) {
    db.prepare(
          "INSERT INTO alerts (id, kind, id_kind, pseudonym, organisations, categories, records, first_seen_ms, "
          "last_seen_ms, updated_at_ms, signals) VALUES (?, ?, 'bsn', ?, '[\"a\",\"b\"]', '[\"c\"]', '[\"r\"]', 1, 2, 3, ?)")
        .bind(1, std::string_view(id_of("a1", ++alert)))
        .bind(2, st::to_sql(kind))
        .bind_blob(3, bytes(1, 64))
        .bind(4, std::string_view(kind == al::AlertKind::hit ? "[\"s\"]" : "[]"))
        .run();
  }
}

// --- comparing two databases ---------------------------------------------

std::string cell(sqlite3_stmt* st, int i) {
  switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL: return "NULL";
    case SQLITE_INTEGER: return "i:" + std::to_string(sqlite3_column_int64(st, i));
    case SQLITE_BLOB: {
      const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(st, i));
      std::string hex = "x:";
      for (int k = 0; k < sqlite3_column_bytes(st, i); ++k) hex += "0123456789abcdef"[p[k] >> 4], hex += "0123456789abcdef"[p[k] & 15];
      return hex;
    }
    default: return "t:" + std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, i)));
  }
}

// Every row of a query, as text, sorted.
std::vector<std::string> rows(st::Database& db, const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db.handle(), sql.c_str(), -1, &st, nullptr) != SQLITE_OK) return {"cannot prepare: " + sql};
  std::vector<std::string> out;
  while (sqlite3_step(st) == SQLITE_ROW) {
    std::string row;
    for (int i = 0; i < sqlite3_column_count(st); ++i) row += (i ? " | " : "") + cell(st, i);
    out.push_back(std::move(row));
  }
  sqlite3_finalize(st);
  std::sort(out.begin(), out.end());
  return out;
}

bool has_rowid(st::Database& db, const std::string& table) {
  sqlite3_stmt* st = nullptr;
  bool ok = sqlite3_prepare_v2(db.handle(), ("SELECT rowid FROM \"" + table + "\"").c_str(), -1, &st, nullptr) == SQLITE_OK;
  sqlite3_finalize(st);
  return ok;
}

// Everything a rebuild must keep: each table's rows (with rowids), columns,
// foreign keys and indexes, and the SQL of every index and trigger.
std::map<std::string, std::vector<std::string>> snapshot(st::Database& db) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& row : rows(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")) {
    const std::string table = row.substr(2);  // "t:" prefix
    const std::string q = "\"" + table + "\"";
    out["rows " + table] = rows(db, has_rowid(db, table) ? "SELECT rowid, * FROM " + q : "SELECT * FROM " + q);
    out["columns " + table] = rows(db, "PRAGMA table_xinfo(" + q + ")");
    out["foreign keys " + table] = rows(db, "PRAGMA foreign_key_list(" + q + ")");
    out["indexes " + table] = rows(db, "PRAGMA index_list(" + q + ")");
  }
  out["index and trigger sql"] =
      rows(db, "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type IN ('index', 'trigger')");
  return out;
}

// --- CHECK constraints ------------------------------------------------------

bool is_check_failure(const std::function<void()>& insert) {
  try {
    insert();
  } catch (const st::SqliteError& e) {
    return (e.code() & 0xff) == SQLITE_CONSTRAINT && std::string(e.what()).find("CHECK constraint failed") != std::string::npos;
  }
  return false;
}

class TypedStatesTest : public ::testing::Test {
 protected:
  void SetUp() override { c::init(); }
  signalnode::testing::TempDir dir_{"sn-states-"};
};

}  // namespace

TEST(TypedStates, EveryValueRoundTripsThroughItsSqlSpelling) {
  std::apply([](auto... e) { (expect_round_trip<decltype(e)>(), ...); }, AllEnums{});
  EXPECT_EQ(st::to_sql(sh::OutboxState::voided), "void");
  EXPECT_EQ(st::sql_list(sh::OutboxState::queued, sh::OutboxState::sending), "('queued', 'sending')");
  EXPECT_EQ(st::sql("state = ", sh::OutboxState::queued, " AND kind = ", wire::RecordKind::bundle_notice),
            "state = 'queued' AND kind = 'bundle_notice'");
}

TEST_F(TypedStatesTest, MigrationKeepsRowsOfEveryStateAndTheirChildren) {
  const int version = typed_states_version(dir_ / "scratch.db");
  ASSERT_GT(version, 1) << "no migration adds the CHECK on outbox.state";
  st::Database db(dir_ / "node.db", st::Database::Mode::read_write);
  migrate_to(db, version - 1);
  {
    st::Transaction tx(db);
    fill_every_state(db);
    tx.commit();
  }
  auto before = snapshot(db);
  ASSERT_EQ(before["rows outbox"].size(), 20u);  // 30 written, every third deleted
  ASSERT_EQ(before["rows signal_subjects"].size(), 4u);
  ASSERT_EQ(before["rows inbox_subjects"].size(), 8u);

  migrate_to(db, version);
  ASSERT_EQ(st::schema_version(db), version);
  auto after = snapshot(db);
  EXPECT_EQ(after.size(), before.size());
  for (const auto& [what, content] : before) EXPECT_EQ(after[what], content) << what;
  EXPECT_TRUE(rows(db, "PRAGMA foreign_key_check").empty());
  EXPECT_EQ(rows(db, "PRAGMA foreign_keys"), std::vector<std::string>{"i:1"}) << "foreign keys are on again";

  // The rebuilt parents still cascade to their children.
  const std::string signal = id_of("5", 1);
  db.prepare("DELETE FROM signals WHERE id = ?").bind(1, std::string_view(signal)).run();
  for (const char* child : {"signal_subjects", "signal_identifiers", "sharing_decisions", "outbox", "signal_feedback"}) {
    auto left = db.prepare(std::string("SELECT count(*) FROM ") + child + " WHERE signal_id = ?");
    left.bind(1, std::string_view(signal));
    ASSERT_TRUE(left.step());
    EXPECT_EQ(left.int64(0), 0) << child;
  }
  db.exec("DELETE FROM inbox");
  EXPECT_EQ(rows(db, "SELECT count(*) FROM inbox_subjects"), std::vector<std::string>{"i:0"});
}

TEST_F(TypedStatesTest, ChecksAcceptExactlyTheEnumsValues) {
  st::Database db(dir_ / "node.db", st::Database::Mode::read_write);
  st::migrate(db, st::node_migrations());
  int n = 0;
  auto signal = [&](std::string_view status, std::string_view share) {
    ++n;
    db.prepare(
          "INSERT INTO signals (id, category, observed_on, severity, status, created_at_ms, submitted_by, key_id, sealed, "
          "share_state) VALUES (?, 'c', '2026-11-20', 'high', ?, 1, 'tok', 1, x'00', ?)")
        .bind(1, std::string_view(id_of("5", n)))
        .bind(2, status)
        .bind(3, share)
        .run();
  };
  auto outbox = [&](std::string_view kind, std::string_view state) {
    ++n;
    db.prepare(
          "INSERT INTO outbox (record_id, kind, recipient, rule_id, record, state, created_at_ms, next_attempt_at_ms) "
          "VALUES (?, ?, 'p', 'r', x'00', ?, 1, 1)")
        .bind(1, std::string_view(id_of("0b", n)))
        .bind(2, kind)
        .bind(3, state)
        .run();
  };
  // Withheld feedback carries one of its withholding reasons (v15).
  auto reason_for = [](const std::optional<std::string>& status) {
    return status == "withheld" ? std::optional<std::string>("investigation_interest") : std::nullopt;
  };
  auto inbox = [&](std::optional<std::string> status) {
    ++n;
    db.prepare(
          "INSERT INTO inbox (id, sender, sender_role, record_id, category, rule_id, policy_sha256, received_at_ms, "
          "expires_at_ms, feedback_status, feedback_reason) VALUES (?, 's', 'r', ?, 'c', 'r', 'h', 1, 2, ?, ?)")
        .bind(1, std::string_view(id_of("1b", n)))
        .bind(2, std::string_view(id_of("ec", n)))
        .bind(3, status)
        .bind(4, reason_for(status))
        .run();
  };
  auto feedback = [&](std::string_view kind, std::optional<std::string> status) {
    ++n;
    db.prepare(
          "INSERT INTO signal_feedback (message_id, signal_id, partner, record_id, kind, status, reason, received_at_ms) "
          "VALUES (?, ?, 'p', 'r', ?, ?, ?, 1)")
        .bind(1, std::string_view(id_of("fb", n)))
        .bind(2, std::string_view(id_of("5", 1)))
        .bind(3, kind)
        .bind(4, status)
        .bind(5, reason_for(status))
        .run();
  };
  auto alert = [&](std::string_view kind) {
    ++n;
    db.prepare(
          "INSERT INTO alerts (id, kind, id_kind, pseudonym, organisations, categories, records, first_seen_ms, "
          "last_seen_ms, updated_at_ms) VALUES (?, ?, 'bsn', ?, '[]', '[]', '[]', 1, 1, 1)")
        .bind(1, std::string_view(id_of("a1", n)))
        .bind(2, kind)
        .bind_blob(3, bytes(n, 64))
        .run();
  };

  // Every enumerator is accepted ...
  for (auto status : st::SqlValues<sg::SignalStatus>::all) {
    for (auto share : st::SqlValues<sg::ShareState>::all) EXPECT_NO_THROW(signal(st::to_sql(status), st::to_sql(share)));
  }
  for (auto kind : st::SqlValues<wire::RecordKind>::all) {
    for (auto state : st::SqlValues<sh::OutboxState>::all) EXPECT_NO_THROW(outbox(st::to_sql(kind), st::to_sql(state)));
  }
  EXPECT_NO_THROW(inbox(std::nullopt));
  for (auto s : st::SqlValues<sh::FeedbackStatus>::all) {
    EXPECT_NO_THROW(inbox(std::string(st::to_sql(s))));
    EXPECT_NO_THROW(feedback(st::to_sql(sh::FeedbackKind::feedback), std::string(st::to_sql(s))));
  }
  EXPECT_NO_THROW(feedback(st::to_sql(sh::FeedbackKind::bundle_notice), std::string()));
  EXPECT_NO_THROW(feedback(st::to_sql(sh::FeedbackKind::bundle_notice), std::nullopt));
  for (auto kind : st::SqlValues<al::AlertKind>::all) EXPECT_NO_THROW(alert(st::to_sql(kind)));

  // ... and anything else fails with a CHECK constraint error.
  EXPECT_TRUE(is_check_failure([&] { signal("lost", "pending"); }));
  EXPECT_TRUE(is_check_failure([&] { signal("Active", "pending"); }));
  EXPECT_TRUE(is_check_failure([&] { signal("active", "shared"); }));
  EXPECT_TRUE(is_check_failure([&] { outbox("shared_signal", "set_aside"); }));
  EXPECT_TRUE(is_check_failure([&] { outbox("shared_signal", "voided"); }));
  EXPECT_TRUE(is_check_failure([&] { outbox("receipt", "queued"); }));
  EXPECT_TRUE(is_check_failure([&] { inbox(std::string("done")); }));
  EXPECT_TRUE(is_check_failure([&] { inbox(std::string()); }));
  EXPECT_TRUE(is_check_failure([&] { feedback("withdrawal", std::nullopt); }));
  EXPECT_TRUE(is_check_failure([&] { feedback("feedback", std::string("done")); }));
  EXPECT_TRUE(is_check_failure([&] { feedback("feedback", std::nullopt); }));
  EXPECT_TRUE(is_check_failure([&] { feedback("bundle_notice", std::string("assessed")); }));
  EXPECT_TRUE(is_check_failure([&] { alert("match"); }));
  // Withheld feedback exactly with a withholding reason (v15), in both tables.
  auto inbox_with = [&](std::string_view status, std::optional<std::string> reason) {
    ++n;
    db.prepare(
          "INSERT INTO inbox (id, sender, sender_role, record_id, category, rule_id, policy_sha256, received_at_ms, "
          "expires_at_ms, feedback_status, feedback_reason) VALUES (?, 's', 'r', ?, 'c', 'r', 'h', 1, 2, ?, ?)")
        .bind(1, std::string_view(id_of("1b", n)))
        .bind(2, std::string_view(id_of("ec", n)))
        .bind(3, status)
        .bind(4, reason)
        .run();
  };
  auto feedback_with = [&](std::string_view status, std::optional<std::string> reason) {
    ++n;
    db.prepare(
          "INSERT INTO signal_feedback (message_id, signal_id, partner, record_id, kind, status, reason, received_at_ms) "
          "VALUES (?, ?, 'p', 'r', 'feedback', ?, ?, 1)")
        .bind(1, std::string_view(id_of("fb", n)))
        .bind(2, std::string_view(id_of("5", 1)))
        .bind(3, status)
        .bind(4, reason)
        .run();
  };
  for (const char* reason : {"investigation_interest", "legal_restriction", "source_protection"}) {
    EXPECT_NO_THROW(inbox_with("withheld", std::string(reason)));
    EXPECT_NO_THROW(feedback_with("withheld", std::string(reason)));
    EXPECT_TRUE(is_check_failure([&] { inbox_with("assessed", std::string(reason)); })) << reason;
    EXPECT_TRUE(is_check_failure([&] { feedback_with("assessed", std::string(reason)); })) << reason;
  }
  for (const std::optional<std::string>& reason :
       {std::optional<std::string>(), std::optional<std::string>(""), std::optional<std::string>("no_capacity")}) {
    EXPECT_TRUE(is_check_failure([&] { inbox_with("withheld", reason); })) << reason.value_or("NULL");
    EXPECT_TRUE(is_check_failure([&] { feedback_with("withheld", reason); })) << reason.value_or("NULL");
  }
  EXPECT_NO_THROW(inbox_with("assessed", std::string("no_capacity")));
  // An update is held to the same values.
  EXPECT_TRUE(is_check_failure([&] { db.exec("UPDATE outbox SET state = 'sent'"); }));
  EXPECT_TRUE(is_check_failure([&] { db.exec("UPDATE signals SET share_state = 'done'"); }));
}

// cases.status (v13) holds exactly the values of cases::CaseStatus.
TEST_F(TypedStatesTest, CaseStatusCheckAcceptsExactlyTheEnumsValues) {
  st::Database db(dir_ / "cases.db", st::Database::Mode::read_write);
  st::migrate(db, st::node_migrations());
  int n = 0;
  auto insert = [&](std::string_view status) {
    ++n;
    db.prepare("INSERT INTO cases (id, reference, status, opened_by, created_at_ms, updated_at_ms) VALUES (?, ?, ?, 'tok', 1, 1)")
        .bind(1, std::string_view(id_of("ca", n)))
        .bind(2, std::string_view("ZAAK-2026-" + std::to_string(n)))
        .bind(3, status)
        .run();
  };
  for (auto status : st::SqlValues<signalnode::node::cases::CaseStatus>::all) EXPECT_NO_THROW(insert(st::to_sql(status)));
  EXPECT_TRUE(is_check_failure([&] { insert("done"); }));
  EXPECT_TRUE(is_check_failure([&] { insert("Open"); }));
}

TEST_F(TypedStatesTest, AnUnknownValueReadBackNamesTheColumnAndTheValue) {
  c::AeadKey key = c::generate_aead_key();
  st::Store store(dir_ / "node.db", st::node_migrations());
  sg::SignalRepository repo(store, key);
  auto r = sg::parse_signal(R"({"category":"labour.underpaid_or_unpaid","observedOn":"2026-11-20",
      "subjects":[{"kind":"organisation","kvk":"12345678"}]})",
                            signalnode::policies::Taxonomy::builtin(),
                            std::chrono::sys_days{std::chrono::year{2026} / 11 / 24});
  ASSERT_TRUE(r.ok());
  sg::Signal s = r.value();
  s.id = id_of("5", 1);
  s.submitted_by = "tok";
  store.write(repo.insert_job(s));
  ASSERT_EQ(repo.list({10, std::nullopt, std::nullopt, std::nullopt}).at(0).status, sg::SignalStatus::active);
  // Only a damaged or foreign database holds such a value: the CHECK is
  // switched off to write it.
  store.write([](st::Database& db) {
    db.exec("PRAGMA ignore_check_constraints = ON");
    db.exec("UPDATE signals SET status = 'lost'");
    db.exec("PRAGMA ignore_check_constraints = OFF");
  });
  for (auto read : std::vector<std::function<void()>>{[&] { (void)repo.list({10, std::nullopt, std::nullopt, std::nullopt}); },
                                                      [&] { (void)repo.get(id_of("5", 1)); }}) {
    try {
      read();
      ADD_FAILURE() << "an unknown status was read back as some default";
    } catch (const st::UnknownValue& e) {
      EXPECT_STREQ(e.what(), "signals.status holds an unknown value 'lost'");
    }
  }
}

// The step that lets feedback be withheld (v14 when written; found by what it
// does, so a renumbering at merge keeps the test on it): the first version
// whose inbox accepts 'withheld'.
int withheld_version(const std::filesystem::path& scratch) {
  const auto& all = st::node_migrations();
  st::Database db(scratch, st::Database::Mode::read_write);
  for (std::size_t i = 0; i < all.size(); ++i) {
    st::migrate(db, std::vector<st::Migration>(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(i) + 1));
    auto q = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'inbox'");
    if (q.step() && q.text(0).find("'withheld'") != std::string::npos) return static_cast<int>(i) + 1;
  }
  return 0;
}

// Issue 17: an old database (every state, status and kind, children under
// every parent) migrates to withheld feedback keeping every row with its
// rowid; records answered before count as answered from their feedback time,
// an acknowledgement (`received`) or no feedback as unanswered.
TEST_F(TypedStatesTest, WithheldFeedbackMigrationKeepsEveryRowAndKnowsWhatWasAnswered) {
  const int version = withheld_version(dir_ / "scratch.db");
  ASSERT_GT(version, 1) << "no migration lets the inbox hold withheld feedback";
  st::Database db(dir_ / "node.db", st::Database::Mode::read_write);
  migrate_to(db, version - 1);
  {
    st::Transaction tx(db);
    fill_every_state(db);
    tx.commit();
  }
  auto before = snapshot(db);
  ASSERT_EQ(before["rows inbox"].size(), 8u);
  ASSERT_EQ(before["rows signal_feedback"].size(), 8u);

  migrate_to(db, version);
  ASSERT_EQ(st::schema_version(db), version);
  auto after = snapshot(db);
  for (const auto& [what, content] : before) {
    // The inbox gains a column, the rebuilt tables and the outbox new indexes.
    if (what == "columns inbox" || what == "rows inbox" || what.starts_with("indexes ") ||
        what == "index and trigger sql" || what == "columns signal_feedback") {
      continue;
    }
    EXPECT_EQ(after[what], content) << what;
  }
  EXPECT_EQ(rows(db, "SELECT rowid, id, sender, sender_role, record_id, category, observed_week, municipality, severity, "
                     "persons, rule_id, policy_sha256, received_at_ms, expires_at_ms, feedback_status, feedback_reason, "
                     "feedback_at_ms FROM inbox"),
            before["rows inbox"]);
  EXPECT_EQ(rows(db, "SELECT rowid, * FROM signal_feedback"), before["rows signal_feedback"]);
  EXPECT_EQ(rows(db, "SELECT name FROM pragma_table_info('signal_feedback')").size(), 11u);
  // Answered: every status but `received`, from its feedback time.
  EXPECT_EQ(rows(db, "SELECT count(*) FROM inbox WHERE answered_at_ms IS NOT NULL"), std::vector<std::string>{"i:6"});
  EXPECT_EQ(rows(db, "SELECT count(*) FROM inbox WHERE answered_at_ms IS NOT NULL AND answered_at_ms <> feedback_at_ms"),
            std::vector<std::string>{"i:0"});
  EXPECT_EQ(rows(db, "SELECT coalesce(feedback_status, 'none') FROM inbox WHERE answered_at_ms IS NULL"),
            (std::vector<std::string>{"t:none", "t:received"}));
  for (const char* index : {"inbox_by_time", "inbox_by_record", "inbox_unanswered", "signal_feedback_by_signal",
                            "outbox_delivered_by_rule", "outbox_due", "outbox_by_signal"}) {
    EXPECT_EQ(rows(db, std::string("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = '") + index + "'"),
              std::vector<std::string>{"i:1"})
        << index;
  }
  EXPECT_TRUE(rows(db, "PRAGMA foreign_key_check").empty());
  EXPECT_EQ(rows(db, "PRAGMA foreign_keys"), std::vector<std::string>{"i:1"});

  // Withheld feedback now fits, with its reason.
  db.exec("UPDATE inbox SET feedback_status = 'withheld', feedback_reason = 'investigation_interest' WHERE rowid = 1");
  EXPECT_TRUE(is_check_failure([&] { db.exec("UPDATE inbox SET feedback_reason = '' WHERE rowid = 1"); }));
  // The rebuilt parents still cascade to their children.
  const std::string signal = id_of("5", 1);
  db.prepare("DELETE FROM signals WHERE id = ?").bind(1, std::string_view(signal)).run();
  EXPECT_EQ(rows(db, "SELECT count(*) FROM signal_feedback WHERE signal_id = '" + signal + "'"),
            std::vector<std::string>{"i:0"});
  db.exec("DELETE FROM inbox");
  EXPECT_EQ(rows(db, "SELECT count(*) FROM inbox_subjects"), std::vector<std::string>{"i:0"});
}

TEST_F(TypedStatesTest, AnUnknownStateStopsTheMigrationAndLeavesTheDatabaseAsItWas) {
  const int version = typed_states_version(dir_ / "scratch.db");
  ASSERT_GT(version, 1);
  st::Database db(dir_ / "node.db", st::Database::Mode::read_write);
  migrate_to(db, version - 1);
  fill_every_state(db);
  db.exec("UPDATE outbox SET state = 'sent' WHERE rowid = 1");  // no version wrote this
  auto before = snapshot(db);
  try {
    migrate_to(db, version);
    ADD_FAILURE() << "the migration accepted an unknown outbox state";
  } catch (const st::SqliteError& e) {
    EXPECT_NE(std::string(e.what()).find("CHECK constraint failed: state IN"), std::string::npos) << e.what();
  }
  EXPECT_EQ(st::schema_version(db), version - 1);
  EXPECT_EQ(snapshot(db), before);
  EXPECT_EQ(rows(db, "PRAGMA foreign_keys"), std::vector<std::string>{"i:1"});
}
