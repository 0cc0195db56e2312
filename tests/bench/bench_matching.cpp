// Matching at scale (issue 7): a node holding 1,000,000 received subject
// pseudonyms and 100,000 own ones receives records; each record's subjects are
// matched (bundle and hit) through the indexes, inside the receiving
// transaction. Records matched/s, and the alert list query on 100,000 alerts.
#include <benchmark/benchmark.h>

#include <cstring>
#include <filesystem>
#include <memory>
#include <random>

#include "crypto/keyed_hash.hpp"
#include "crypto/random.hpp"
#include "node/alerts/matching.hpp"
#include "node/storage/schema.hpp"
#include "node/storage/store.hpp"

namespace fs = std::filesystem;
using namespace signalnode;
using namespace signalnode::node;

namespace {

constexpr int kReceivedPseudonyms = 1'000'000;
constexpr int kOwnPseudonyms = 100'000;
constexpr int kDistinct = 700'000;  // so many subjects appear in several records
constexpr std::int64_t kNow = 1'764'000'000'000;

using Pseudonym = std::array<std::uint8_t, 64>;

Pseudonym pseudonym_of(std::uint64_t n) {
  Pseudonym p{};
  std::mt19937_64 g(n * 0x9E3779B97F4A7C15ULL + 1);
  for (std::size_t i = 0; i < p.size(); i += 8) {
    std::uint64_t v = g();
    std::memcpy(p.data() + i, &v, 8);
  }
  return p;
}

struct World {
  fs::path dir;
  std::unique_ptr<storage::Store> store;
  crypto::SubKey match_key;
  alerts::Matcher matcher{"riec-amsterdam", {}};
  std::uint64_t next_record = 0;

  World() : dir(fs::temp_directory_path() / ("sn-bench-match-" + crypto::random_hex_id(6))) {
    crypto::init();
    fs::create_directories(dir);
    store = std::make_unique<storage::Store>(dir / "node.db", storage::node_migrations());
    crypto::fill_random(std::span<std::uint8_t>(match_key.data(), match_key.size()));
    const char* senders[] = {"gemeente-aalsmeer", "nla", "snf"};
    store->write([&](storage::Database& db) {
      auto inbox = db.cached(
          "INSERT INTO inbox (id, sender, sender_role, record_id, category, rule_id, policy_sha256, received_at_ms, "
          "expires_at_ms) VALUES (?, ?, 'municipality', ?, 'housing.overcrowding', 'r', '', ?, ?)");
      auto subject = db.cached("INSERT INTO inbox_subjects (inbox_id, position, kind, id_kind, pseudonym) VALUES (?,?, 'address', 'address', ?)");
      for (int i = 0; i < kReceivedPseudonyms / 4; ++i) {
        std::string id = crypto::random_hex_id(16);
        inbox.reset();
        inbox.bind(1, std::string_view(id)).bind(2, std::string_view(senders[i % 3])).bind(3, std::string_view(id))
            .bind(4, kNow - (i % 1000) * 60'000).bind(5, kNow + 86'400'000LL * 365).run();
        for (int k = 0; k < 4; ++k) {
          subject.reset();
          subject.bind(1, std::string_view(id)).bind(2, static_cast<std::int64_t>(k))
              .bind_blob(3, pseudonym_of(static_cast<std::uint64_t>((i * 4 + k) % kDistinct))).run();
        }
      }
      db.exec("INSERT INTO signals (id, category, observed_on, severity, created_at_ms, submitted_by, key_id, sealed) "
              "VALUES ('own', 'labour.debt_bondage', '2026-11-20', 'high', 1, 'bench', 1, x'00')");
      auto own = db.cached(
          "INSERT INTO pseudonyms (lookup_key, id_kind, key_epoch, pseudonym, computed_at_ms, match_key) VALUES (?, 'kvk', 1, x'00', 1, ?)");
      auto link = db.cached("INSERT INTO signal_identifiers (signal_id, position, id_kind, lookup_key) VALUES ('own', ?, 'kvk', ?)");
      for (int i = 0; i < kOwnPseudonyms; ++i) {
        auto lookup = pseudonym_of(10'000'000 + static_cast<std::uint64_t>(i));
        std::span<const std::uint8_t> key(lookup.data(), 32);
        own.reset();
        own.bind_blob(1, key).bind_blob(2, crypto::keyed_hash(match_key, pseudonym_of(static_cast<std::uint64_t>(i)))).run();
        link.reset();
        link.bind(1, static_cast<std::int64_t>(i)).bind_blob(2, key).run();
      }
      auto alert = db.cached(
          "INSERT INTO alerts (id, kind, id_kind, pseudonym, organisations, categories, records, first_seen_ms, "
          "last_seen_ms, updated_at_ms) VALUES (?, 'bundle', 'address', ?, '[\"nla\",\"snf\"]', '[\"housing.overcrowding\"]', "
          "'[]', ?, ?, ?)");
      for (int i = 0; i < 100'000; ++i) {
        alert.reset();
        alert.bind(1, std::string_view(crypto::random_hex_id(16))).bind_blob(2, pseudonym_of(50'000'000 + static_cast<std::uint64_t>(i)))
            .bind(3, kNow).bind(4, kNow).bind(5, kNow - i).run();
      }
    });
  }
  ~World() {
    store.reset();
    fs::remove_all(dir);
  }
};

World& world() {
  static World w;
  return w;
}

}  // namespace

// One receiving transaction of 500 records (a full batch) with 4 subjects each: half the
// subjects already known (received before or own), stored and matched.
static void BM_MatchReceivedRecords(benchmark::State& state) {
  World& w = world();
  std::mt19937_64 rng(42);
  constexpr int kRecords = 500;  // a full batch, as deliver() sends them
  for (auto _ : state) {
    w.store->write([&](storage::Database& db) {
      auto inbox = db.cached(
          "INSERT INTO inbox (id, sender, sender_role, record_id, category, rule_id, policy_sha256, received_at_ms, "
          "expires_at_ms) VALUES (?, 'nla', 'labour_inspectorate', ?, 'labour.debt_bondage', 'r', '', ?, ?)");
      auto subject = db.cached("INSERT INTO inbox_subjects (inbox_id, position, kind, id_kind, pseudonym) VALUES (?,?, 'organisation', 'kvk', ?)");
      for (int r = 0; r < kRecords; ++r) {
        std::string id = crypto::random_hex_id(16);
        inbox.reset();
        inbox.bind(1, std::string_view(id)).bind(2, std::string_view(id)).bind(3, kNow).bind(4, kNow + 86'400'000).run();
        for (int k = 0; k < 4; ++k) {
          // known: a received subject or an own one; new: never seen
          std::uint64_t n = k < 2 ? rng() % kDistinct : 100'000'000 + w.next_record * 4 + static_cast<std::uint64_t>(k);
          alerts::Subject s;
          s.id_kind = "kvk";
          s.pseudonym = pseudonym_of(n);
          s.match_key = crypto::keyed_hash(w.match_key, s.pseudonym);
          subject.reset();
          subject.bind(1, std::string_view(id)).bind(2, static_cast<std::int64_t>(k)).bind_blob(3, s.pseudonym).run();
          w.matcher.refresh(db, s, kNow);
        }
        ++w.next_record;
      }
    });
  }
  state.SetItemsProcessed(state.iterations() * kRecords);
  state.counters["stored_pseudonyms"] = kReceivedPseudonyms + kOwnPseudonyms;
}
BENCHMARK(BM_MatchReceivedRecords)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3);

// GET /api/v1/alerts: the newest 50 of 100,000+ alerts, all kinds and hits only.
static void BM_AlertQuery(benchmark::State& state) {
  World& w = world();
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
