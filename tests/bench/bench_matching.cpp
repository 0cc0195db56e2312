// Matching at scale (issues 7 and 19): a node holding N received subject
// pseudonyms (N = 10k, 100k, 1M; a tenth as many own ones and alerts)
// receives records; each record's subjects are matched (bundle and hit)
// through the indexes, inside the receiving transaction. Beside it, in the
// same run and on the same database, the bound: the same inserts and index
// lookups through bare SQLite calls (prepared once, no JSON, no wrapper), so
// docs/benchmarks.md can give the node's rate as a ratio of what SQLite
// itself allows here. And the alert list query on the alerts.
#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <random>

#include "crypto/keyed_hash.hpp"
#include "crypto/random.hpp"
#include "node/alerts/matching.hpp"
#include "node/storage/schema.hpp"
#include "node/storage/store.hpp"
#include "tests/bench/bare_sqlite.hpp"
#include "tests/bench/bench_ids.hpp"

namespace fs = std::filesystem;
using namespace signalnode;
using namespace signalnode::node;

namespace {

constexpr std::int64_t kNow = 1'764'000'000'000;
constexpr int kRecordsPerBatch = 500;  // a full batch, as deliver() sends them
const char* const kSenders[] = {"gemeente-aalsmeer", "nla", "snf"};

using Pseudonym = std::array<std::uint8_t, 64>;

Pseudonym pseudonym_of(std::uint64_t n) { return bench::synthetic_pseudonym(n, 1); }

struct World {
  fs::path dir;
  std::unique_ptr<storage::Store> store;
  crypto::SubKey match_key;
  alerts::Matcher matcher{"riec-amsterdam", {}};
  int stored = 0;    // received subject pseudonyms
  int distinct = 0;  // so many subjects appear in several records
  std::uint64_t next_record = 0;
  std::int64_t clock = kNow;  // advances 1 ms per record, as arrivals do

  explicit World(int pseudonyms)
      : dir(fs::temp_directory_path() / ("sn-bench-match-" + crypto::random_hex_id(6))),
        stored(pseudonyms),
        distinct(pseudonyms / 10 * 7) {
    crypto::init();
    fs::create_directories(dir);
    store = std::make_unique<storage::Store>(dir / "node.db", storage::node_migrations());
    crypto::fill_random(std::span<std::uint8_t>(match_key.data(), match_key.size()));
    const int records = pseudonyms / 4, own = pseudonyms / 10;
    for (int chunk = 0; chunk < records; chunk += 10'000) {
      store->write([&](storage::Database& db) {
        auto inbox = db.cached(
            "INSERT INTO inbox (id, sender, sender_role, record_id, category, rule_id, policy_sha256, received_at_ms, "
            "expires_at_ms) VALUES (?, ?, 'municipality', ?, 'housing.overcrowding', 'r', '', ?, ?)");
        auto subject = db.cached(
            "INSERT INTO inbox_subjects (inbox_id, position, kind, id_kind, pseudonym, sender, received_at_ms) "
            "VALUES (?,?, 'address', 'address', ?, ?, ?)");
        for (int i = chunk; i < std::min(records, chunk + 10'000); ++i) {
          const std::int64_t at = kNow - 100 * 86'400'000LL + i * 1000LL;
          std::string id = bench::record_id(at);
          inbox.reset();
          inbox.bind(1, std::string_view(id)).bind(2, std::string_view(kSenders[i % 3])).bind(3, std::string_view(id))
              .bind(4, at).bind(5, kNow + 86'400'000LL * 365).run();
          for (int k = 0; k < 4; ++k) {
            subject.reset();
            subject.bind(1, std::string_view(id)).bind(2, static_cast<std::int64_t>(k))
                .bind_blob(3, pseudonym_of(static_cast<std::uint64_t>((i * 4 + k) % distinct)))
                .bind(4, std::string_view(kSenders[i % 3])).bind(5, at).run();
          }
        }
      });
    }
    store->write([&](storage::Database& db) {
      db.exec("INSERT INTO signals (id, category, observed_on, severity, created_at_ms, submitted_by, key_id, sealed) "
              "VALUES ('own', 'labour.debt_bondage', '2026-11-20', 'high', 1, 'bench', 1, x'00')");
      auto own_row = db.cached(
          "INSERT INTO pseudonyms (lookup_key, id_kind, key_epoch, pseudonym, computed_at_ms, match_key) VALUES (?, 'kvk', 1, x'00', 1, ?)");
      auto link = db.cached(
          "INSERT INTO signal_identifiers (signal_id, domain, position, id_kind, lookup_key) VALUES ('own', '', ?, 'kvk', ?)");
      for (int i = 0; i < own; ++i) {
        auto lookup = pseudonym_of(10'000'000 + static_cast<std::uint64_t>(i));
        std::span<const std::uint8_t> key(lookup.data(), 32);
        own_row.reset();
        own_row.bind_blob(1, key).bind_blob(2, crypto::keyed_hash(match_key, pseudonym_of(static_cast<std::uint64_t>(i)))).run();
        link.reset();
        link.bind(1, static_cast<std::int64_t>(i)).bind_blob(2, key).run();
      }
      auto alert = db.cached(
          "INSERT INTO alerts (id, kind, id_kind, pseudonym, organisations, categories, records, first_seen_ms, "
          "last_seen_ms, updated_at_ms) VALUES (?, 'bundle', 'address', ?, '[\"nla\",\"snf\"]', '[\"housing.overcrowding\"]', "
          "'[]', ?, ?, ?)");
      for (int i = 0; i < own; ++i) {
        alert.reset();
        alert.bind(1, std::string_view(bench::alert_id(kNow - i)))
            .bind_blob(2, pseudonym_of(50'000'000 + static_cast<std::uint64_t>(i)))
            .bind(3, kNow).bind(4, kNow).bind(5, kNow - i).run();
      }
    });
    store->checkpoint_now();  // the setup's WAL is not the benchmark's to copy
  }
  ~World() {
    store.reset();
    fs::remove_all(dir);
  }

  // The subjects of the next record: two already known (received before or
  // own), two never seen.
  Pseudonym subject(std::mt19937_64& rng, int k) const {
    std::uint64_t n = k < 2 ? rng() % static_cast<std::uint64_t>(distinct)
                            : 100'000'000 + next_record * 4 + static_cast<std::uint64_t>(k);
    return pseudonym_of(n);
  }
};

World& world(int pseudonyms) {
  static std::map<int, std::unique_ptr<World>> worlds;
  auto it = worlds.find(pseudonyms);
  if (it == worlds.end()) {
    worlds.clear();  // one world on disk at a time
    it = worlds.emplace(pseudonyms, std::make_unique<World>(pseudonyms)).first;
  }
  return *it->second;
}

using bench::bind_blob;
using bench::bind_text;

void text(sqlite3_stmt* st, int i, std::string_view v) { bind_text(st, i, v); }
void blob(sqlite3_stmt* st, int i, std::span<const std::uint8_t> v) { bind_blob(st, i, v); }
void done(sqlite3_stmt* st) { bench::run(st); }

}  // namespace

// One receiving transaction of 500 records (a full batch) with 4 subjects
// each, stored and matched by the node's code (alerts::Matcher).
static void BM_MatchReceivedRecords(benchmark::State& state) {
  World& w = world(static_cast<int>(state.range(0)));
  std::mt19937_64 rng(42);
  for (auto _ : state) {
    w.store->write([&](storage::Database& db) {
      auto inbox = db.cached(
          "INSERT INTO inbox (id, sender, sender_role, record_id, category, rule_id, policy_sha256, received_at_ms, "
          "expires_at_ms) VALUES (?, 'nla', 'labour_inspectorate', ?, 'labour.debt_bondage', 'r', '', ?, ?)");
      auto subject = db.cached(
          "INSERT INTO inbox_subjects (inbox_id, position, kind, id_kind, pseudonym, sender, received_at_ms) "
          "VALUES (?,?, 'organisation', 'kvk', ?, 'nla', ?)");
      for (int r = 0; r < kRecordsPerBatch; ++r) {
        const std::int64_t now = ++w.clock;
        std::string id = bench::record_id(now);
        inbox.reset();
        inbox.bind(1, std::string_view(id)).bind(2, std::string_view(id)).bind(3, now).bind(4, now + 86'400'000).run();
        for (int k = 0; k < 4; ++k) {
          alerts::Subject s;
          s.id_kind = "kvk";
          s.pseudonym = w.subject(rng, k);
          s.match_key = crypto::keyed_hash(w.match_key, s.pseudonym);
          subject.reset();
          subject.bind(1, std::string_view(id)).bind(2, static_cast<std::int64_t>(k)).bind_blob(3, s.pseudonym).bind(4, now).run();
          w.matcher.refresh(db, s, now);
        }
        ++w.next_record;
      }
    });
  }
  state.SetItemsProcessed(state.iterations() * kRecordsPerBatch);
  state.counters["stored_pseudonyms"] = w.stored;
}

// The bound: the same rows inserted and the same index lookups (senders by
// skipping through inbox_subjects(pseudonym, sender, received_at_ms), the
// first and newest rows per sender, own signals by match key, the alert read
// and upserted or deleted, a notice per alert) with bare sqlite3 calls, one
// durable transaction per 500 records, on the same database in the same run.
static void BM_MatchBareSqliteBound(benchmark::State& state) {
  World& w = world(static_cast<int>(state.range(0)));
  std::mt19937_64 rng(43);
  bench::BareSqlite b(w.dir / "node.db");
  auto* inbox = b.prepare(
      "INSERT INTO inbox (id, sender, sender_role, record_id, category, rule_id, policy_sha256, received_at_ms, "
      "expires_at_ms) VALUES (?, 'nla', 'labour_inspectorate', ?, 'labour.debt_bondage', 'r', '', ?, ?)");
  auto* subject = b.prepare(
      "INSERT INTO inbox_subjects (inbox_id, position, kind, id_kind, pseudonym, sender, received_at_ms) "
      "VALUES (?,?, 'organisation', 'kvk', ?, 'nla', ?)");
  auto* next_sender = b.prepare("SELECT sender FROM inbox_subjects WHERE pseudonym = ? AND sender > ? ORDER BY sender LIMIT 1");
  auto* first_of = b.prepare(
      "SELECT min(received_at_ms) FROM inbox_subjects WHERE pseudonym = ? AND sender = ? AND received_at_ms >= ?");
  auto* newest_of = b.prepare(
      "SELECT s.inbox_id, s.received_at_ms, i.category FROM inbox_subjects s JOIN inbox i ON i.id = s.inbox_id "
      "WHERE s.pseudonym = ? AND s.sender = ? AND s.received_at_ms >= ? ORDER BY s.received_at_ms DESC LIMIT 50");
  auto* own = b.prepare(
      "SELECT DISTINCT s.id, s.category, s.created_at_ms FROM pseudonyms p JOIN signal_identifiers si ON si.lookup_key = "
      "p.lookup_key JOIN signals s ON s.id = si.signal_id WHERE p.match_key = ? AND s.status = 'active' ORDER BY s.created_at_ms");
  auto* before = b.prepare("SELECT id, records, signals FROM alerts WHERE pseudonym = ? AND kind = ?");
  auto* upsert = b.prepare(
      "INSERT INTO alerts (id, kind, id_kind, pseudonym, organisations, categories, records, signals, first_seen_ms, "
      "last_seen_ms, updated_at_ms) VALUES (?,?,'kvk',?,?,?,?,?,?,?,?) ON CONFLICT(pseudonym, kind) DO UPDATE SET "
      "organisations = excluded.organisations, categories = excluded.categories, records = excluded.records, "
      "signals = excluded.signals, first_seen_ms = excluded.first_seen_ms, last_seen_ms = excluded.last_seen_ms, "
      "updated_at_ms = excluded.updated_at_ms");
  auto* remove = b.prepare("DELETE FROM alerts WHERE pseudonym = ? AND kind = ?");
  auto* notice = b.prepare("INSERT INTO notices (topic, username, role, item, created_at_ms) VALUES ('alert', NULL, 'analyst', ?, ?)");
  const std::int64_t since_offset = 180 * 86'400'000LL;

  auto alert = [&](const char* kind, const Pseudonym& p, bool keep, const std::string& records, std::int64_t now) {
    if (!keep) {
      blob(remove, 1, p);
      text(remove, 2, kind);
      done(remove);
      return;
    }
    blob(before, 1, p);
    text(before, 2, kind);
    std::string id = sqlite3_step(before) == SQLITE_ROW ? reinterpret_cast<const char*>(sqlite3_column_text(before, 0))
                                                        : bench::ordered_id(now);
    sqlite3_reset(before);
    text(upsert, 1, id);
    text(upsert, 2, kind);
    blob(upsert, 3, p);
    text(upsert, 4, "[\"nla\",\"snf\"]");
    text(upsert, 5, "[\"labour.debt_bondage\"]");
    text(upsert, 6, records);
    text(upsert, 7, "[]");
    sqlite3_bind_int64(upsert, 8, now);
    sqlite3_bind_int64(upsert, 9, now);
    sqlite3_bind_int64(upsert, 10, now);
    done(upsert);
    text(notice, 1, id);
    sqlite3_bind_int64(notice, 2, now);
    done(notice);
  };

  for (auto _ : state) {
    b.exec("BEGIN IMMEDIATE");
    for (int r = 0; r < kRecordsPerBatch; ++r) {
      const std::int64_t now = ++w.clock;
      std::string id = bench::ordered_id(now);
      text(inbox, 1, id);
      text(inbox, 2, id);
      sqlite3_bind_int64(inbox, 3, now);
      sqlite3_bind_int64(inbox, 4, now + 86'400'000);
      done(inbox);
      for (int k = 0; k < 4; ++k) {
        Pseudonym p = w.subject(rng, k);
        auto mk = crypto::keyed_hash(w.match_key, p);
        text(subject, 1, id);
        sqlite3_bind_int64(subject, 2, k);
        blob(subject, 3, p);
        sqlite3_bind_int64(subject, 4, now);
        done(subject);
        // Received: distinct senders, the first and newest rows of each.
        std::string sender, records = "[";
        int organisations = 0;
        for (;;) {
          blob(next_sender, 1, p);
          text(next_sender, 2, sender);
          if (sqlite3_step(next_sender) != SQLITE_ROW) {
            sqlite3_reset(next_sender);
            break;
          }
          sender = reinterpret_cast<const char*>(sqlite3_column_text(next_sender, 0));
          sqlite3_reset(next_sender);
          blob(first_of, 1, p);
          text(first_of, 2, sender);
          sqlite3_bind_int64(first_of, 3, now - since_offset);
          if (sqlite3_step(first_of) == SQLITE_ROW && sqlite3_column_type(first_of, 0) != SQLITE_NULL) ++organisations;
          sqlite3_reset(first_of);
          blob(newest_of, 1, p);
          text(newest_of, 2, sender);
          sqlite3_bind_int64(newest_of, 3, now - since_offset);
          while (sqlite3_step(newest_of) == SQLITE_ROW) {
            records += '"';
            records += reinterpret_cast<const char*>(sqlite3_column_text(newest_of, 0));
            records += "\",";
          }
          sqlite3_reset(newest_of);
        }
        if (records.back() == ',') records.pop_back();
        records += ']';
        // Own signals by match key.
        bool own_hit = false;
        blob(own, 1, mk);
        while (sqlite3_step(own) == SQLITE_ROW) own_hit = true;
        sqlite3_reset(own);
        alert("bundle", p, organisations >= 2, records, now);
        alert("hit", p, own_hit, records, now);
      }
      ++w.next_record;
    }
    if (sqlite3_exec(b.db(), "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
      state.SkipWithError(sqlite3_errmsg(b.db()));
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * kRecordsPerBatch);
  state.counters["stored_pseudonyms"] = w.stored;
}
// Node and bound side by side at each size (families run in this order, and
// each size's world is built once for both).
BENCHMARK(BM_MatchReceivedRecords)->Arg(10'000)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3);
BENCHMARK(BM_MatchBareSqliteBound)->Arg(10'000)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3);
BENCHMARK(BM_MatchReceivedRecords)->Arg(100'000)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3);
BENCHMARK(BM_MatchBareSqliteBound)->Arg(100'000)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3);
BENCHMARK(BM_MatchReceivedRecords)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3);
BENCHMARK(BM_MatchBareSqliteBound)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3);

// GET /api/v1/alerts: the newest 50 of 100,000+ alerts, all kinds and hits only.
static void BM_AlertQuery(benchmark::State& state) {
  World& w = world(1'000'000);
  const bool hits_only = state.range(0) == 1;
  for (auto _ : state) {
    auto n = w.store->read([&](storage::Database& db) {
      auto st = db.cached(
          "SELECT id, kind, id_kind, pseudonym, organisations, categories, records, first_seen_ms, last_seen_ms, "
          "updated_at_ms, signals FROM alerts WHERE (?2 IS NULL OR kind = ?2) ORDER BY updated_at_ms DESC, id DESC LIMIT ?1");
      st.bind(1, std::int64_t{50});
      st.bind(2, hits_only ? std::optional<std::string>("hit") : std::nullopt);
      int rows = 0;
      while (st.step()) ++rows;
      st.reset();
      return rows;
    });
    benchmark::DoNotOptimize(n);
  }
}
BENCHMARK(BM_AlertQuery)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
