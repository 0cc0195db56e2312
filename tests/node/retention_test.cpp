// Retention after issue 19: records past their retention are found through
// the index on expires_at_ms (never by reading the inbox), deleted in short
// write jobs each counted in the audit log, and the alerts they were part of
// are refreshed.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "crypto/random.hpp"
#include "node/alerts/matching.hpp"
#include "node/sharing/sharing.hpp"
#include "node/storage/schema.hpp"
#include "tests/support/temp_dir.hpp"

namespace st = signalnode::node::storage;
namespace sh = signalnode::node::sharing;
namespace c = signalnode::crypto;
using signalnode::node::alerts::Subject;

namespace {

constexpr std::int64_t kNow = 1'800'000'000'000;

std::array<std::uint8_t, 64> pseudonym(std::uint64_t n) {
  std::array<std::uint8_t, 64> p{};
  std::mt19937_64 g(n + 11);
  for (std::size_t i = 0; i < p.size(); i += 8) {
    auto v = g();
    std::memcpy(p.data() + i, &v, 8);
  }
  return p;
}

class RetentionTest : public ::testing::Test {
 protected:
  RetentionTest() {
    c::init();
    store_ = std::make_unique<st::Store>(dir_ / "node.db", st::node_migrations());
    pseudo_ = std::make_unique<signalnode::node::pseudonyms::Pseudonymiser>(*store_, key_, [] { return kNow; },
                                                                             "00000001002220647000");
    sharing_ = std::make_unique<sh::Sharing>(*store_, *pseudo_, [] { return kNow; });
  }
  ~RetentionTest() override {
    sharing_.reset();
    pseudo_.reset();
    store_.reset();
  }

  // One received record about subjects n .. n + 3 from `sender`.
  void receive(st::Database& db, const std::string& sender, std::uint64_t n, std::int64_t expires) {
    const std::string id = c::time_ordered_hex_id(kNow - 1000);
    db.cached("INSERT INTO inbox (id, sender, sender_role, record_id, category, rule_id, policy_sha256, received_at_ms, "
              "expires_at_ms) VALUES (?, ?, 'municipality', ?, 'housing.overcrowding', 'r', '', ?, ?)")
        .bind(1, std::string_view(id)).bind(2, std::string_view(sender)).bind(3, std::string_view(id))
        .bind(4, kNow - 1000).bind(5, expires).run();
    for (std::uint64_t k = 0; k < 4; ++k) {
      db.cached("INSERT INTO inbox_subjects (inbox_id, position, kind, id_kind, pseudonym, sender, received_at_ms) "
                "VALUES (?, ?, 'organisation', 'kvk', ?, ?, ?)")
          .bind(1, std::string_view(id)).bind(2, static_cast<std::int64_t>(k)).bind_blob(3, pseudonym(n + k))
          .bind(4, std::string_view(sender)).bind(5, kNow - 1000).run();
    }
  }

  std::int64_t query(const std::string& sql) {
    return store_->read([&](st::Database& db) {
      auto s = db.prepare(sql);
      return s.step() ? s.int64(0) : std::int64_t{0};
    });
  }

  signalnode::testing::TempDir dir_{"sn-retention-"};
  c::AeadKey key_ = c::generate_aead_key();
  std::unique_ptr<st::Store> store_;
  std::unique_ptr<signalnode::node::pseudonyms::Pseudonymiser> pseudo_;
  std::unique_ptr<sh::Sharing> sharing_;
};

}  // namespace

TEST_F(RetentionTest, ExpiredRecordsGoByIndexInShortJobsEachCounted) {
  constexpr int kExpired = 1300, kKept = 200;
  store_->write([&](st::Database& db) {
    for (int i = 0; i < kExpired; ++i) receive(db, "nla", 10 * static_cast<std::uint64_t>(i), kNow - 1);
    for (int i = 0; i < kKept; ++i) receive(db, "snf", 1'000'000 + 10 * static_cast<std::uint64_t>(i), kNow + 86'400'000);
  });
  // Found through the index, whatever the inbox holds.
  auto plan = store_->read([](st::Database& db) {
    std::string all;
    auto s = db.prepare("EXPLAIN QUERY PLAN SELECT id FROM inbox WHERE expires_at_ms <= 1 ORDER BY expires_at_ms LIMIT 10");
    while (s.step()) all += s.text(3) + "\n";
    return all;
  });
  EXPECT_NE(plan.find("inbox_by_expiry"), std::string::npos) << plan;

  const auto commits_before = store_->commits();
  EXPECT_EQ(sharing_->retention.expire_received(), kExpired);
  EXPECT_EQ(query("SELECT count(*) FROM inbox"), kKept);
  EXPECT_EQ(query("SELECT count(*) FROM inbox_subjects"), 4 * kKept);
  // More than one job (at most RetentionPace::kMaxRows records each), each
  // counted in the log as it committed; together they count every record.
  const auto events = query("SELECT count(*) FROM audit_events WHERE name = 'record.expired'");
  EXPECT_GE(events, (kExpired + 499) / 500);
  EXPECT_GE(store_->commits() - commits_before, static_cast<std::uint64_t>(events));
  EXPECT_EQ(query("SELECT sum(json_extract(CAST(leaf AS TEXT), '$.attributes.count')) FROM audit_events "
                  "WHERE name = 'record.expired'"),
            kExpired);
  EXPECT_EQ(sharing_->retention.expire_received(), 0) << "nothing left to expire";
}

TEST_F(RetentionTest, AnExpiredRecordLeavesTheBundleItMadeUp) {
  // Two organisations about the same subjects make a bundle; when one's
  // record expires the bundle is no longer one.
  signalnode::node::alerts::Matcher matcher{"riec", {}};
  store_->write([&](st::Database& db) {
    receive(db, "nla", 500, kNow - 1);
    receive(db, "snf", 500, kNow + 86'400'000);
    Subject s;
    s.id_kind = "kvk";
    s.pseudonym = pseudonym(500);
    s.match_key = pseudo_->match_key(s.pseudonym);
    matcher.refresh(db, s, kNow);
  });
  EXPECT_EQ(query("SELECT count(*) FROM alerts WHERE kind = 'bundle'"), 1);
  EXPECT_EQ(sharing_->retention.expire_received(), 1);
  EXPECT_EQ(query("SELECT count(*) FROM alerts WHERE kind = 'bundle'"), 0);
}

TEST(RetentionPaceTest, TakesWhatFitsTheBudget) {
  sh::RetentionPace pace;
  EXPECT_GT(pace.rows(), 0u);
  pace.took(100, std::chrono::milliseconds(100));  // 1 ms a row: 10 fit
  EXPECT_EQ(pace.rows(), 10u);
  pace.took(10, std::chrono::microseconds(10));  // fast: capped
  EXPECT_EQ(pace.rows(), sh::RetentionPace::kMaxRows);
  pace.took(1, std::chrono::seconds(1));  // slow: one at a time, never none
  EXPECT_EQ(pace.rows(), 1u);
}
