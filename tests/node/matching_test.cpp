// Matching under a flood (issue 14): a partner that sends hundreds of records
// about one subject neither makes the subject's refresh read them all nor
// pushes another partner's records out of the alert.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <functional>
#include <string>

#include <sqlite3.h>

#include "crypto/random.hpp"
#include "node/alerts/matching.hpp"
#include "node/storage/schema.hpp"
#include "node/storage/store.hpp"
#include "tests/support/temp_dir.hpp"

namespace st = signalnode::node::storage;
namespace al = signalnode::node::alerts;
namespace json = boost::json;

namespace {

constexpr std::int64_t kNow = 1'764'000'000'000;
constexpr std::int64_t kDay = 86'400'000;

class MatchingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    signalnode::crypto::init();
    subject_.id_kind = "address";
    subject_.pseudonym.fill(0x42);
  }
  // One received record about subject_, from `sender`, `age_days` ago.
  std::string receive(st::Database& db, const std::string& sender, std::int64_t age_days,
                      const std::string& category = "housing.overcrowding") {
    std::string id = signalnode::crypto::random_hex_id(16);
    db.cached("INSERT INTO inbox (id, sender, sender_role, record_id, category, rule_id, policy_sha256, "
              "received_at_ms, expires_at_ms) VALUES (?, ?, 'municipality', ?, ?, 'r', '', ?, ?)")
        .bind(1, std::string_view(id))
        .bind(2, std::string_view(sender))
        .bind(3, std::string_view(id))
        .bind(4, std::string_view(category))
        .bind(5, kNow - age_days * kDay)
        .bind(6, kNow + 365 * kDay)
        .run();
    db.cached("INSERT INTO inbox_subjects (inbox_id, position, kind, id_kind, pseudonym, sender, received_at_ms) "
              "SELECT id, 0, 'address', 'address', ?, sender, received_at_ms FROM inbox WHERE id = ?")
        .bind_blob(1, subject_.pseudonym)
        .bind(2, std::string_view(id))
        .run();
    return id;
  }
  json::object bundle_alert() {
    return store_.read([&](st::Database& db) {
      auto a = db.cached("SELECT organisations, records, first_seen_ms, categories FROM alerts WHERE pseudonym = ? AND kind = 'bundle'");
      a.bind_blob(1, subject_.pseudonym);
      json::object out;
      if (a.step()) {
        out["organisations"] = json::parse(a.text(0));
        out["records"] = json::parse(a.text(1));
        out["first"] = a.int64(2);
        out["categories"] = json::parse(a.text(3));
      }
      return out;
    });
  }

  signalnode::testing::TempDir dir_{"sn-matching-"};
  st::Store store_{dir_ / "node.db", st::node_migrations()};
  al::Subject subject_;
  al::Matcher matcher_{"riec-amsterdam", {2, 180}};
};

}  // namespace

TEST_F(MatchingTest, AFloodingPartnerCannotPushAnotherOrganisationOutOfTheAlert) {
  std::string snf_record, oldest_flood;
  store_.write([&](st::Database& db) {
    snf_record = receive(db, "snf", 30, "housing.unsafe");
    oldest_flood = receive(db, "gemeente-aalsmeer", 20);
    for (int i = 0; i < 600; ++i) receive(db, "gemeente-aalsmeer", 1);
    matcher_.refresh(db, subject_, kNow);
  });
  auto alert = bundle_alert();
  ASSERT_FALSE(alert.empty()) << "two organisations meet on the subject";
  EXPECT_EQ(json::serialize(alert.at("organisations")), R"(["gemeente-aalsmeer","snf"])");
  const auto& records = alert.at("records").as_array();
  EXPECT_EQ(records.size(), static_cast<std::size_t>(al::kRecordsPerSender) + 1)
      << "the newest records of the flooding partner, and the other partner's record";
  EXPECT_NE(std::find(records.begin(), records.end(), json::value(snf_record)), records.end());
  EXPECT_EQ(std::find(records.begin(), records.end(), json::value(oldest_flood)), records.end())
      << "the flooding partner's oldest record is beyond its share of the list";
  EXPECT_EQ(alert.at("first").as_int64(), kNow - 30 * kDay) << "first arrival counted over all records";
  EXPECT_EQ(json::serialize(alert.at("categories")), R"(["housing.overcrowding","housing.unsafe"])");
}

TEST_F(MatchingTest, RecordsOutsideTheWindowCountForNoOrganisation) {
  store_.write([&](st::Database& db) {
    receive(db, "snf", 200);  // beyond the 180-day window
    for (int i = 0; i < 3; ++i) receive(db, "gemeente-aalsmeer", 1);
    matcher_.refresh(db, subject_, kNow);
  });
  EXPECT_TRUE(bundle_alert().empty()) << "one organisation within the window is no bundle";
  store_.write([&](st::Database& db) {
    receive(db, "nla", 2);
    matcher_.refresh(db, subject_, kNow);
  });
  auto alert = bundle_alert();
  ASSERT_FALSE(alert.empty());
  EXPECT_EQ(json::serialize(alert.at("organisations")), R"(["gemeente-aalsmeer","nla"])");
  EXPECT_EQ(alert.at("records").as_array().size(), 4u);
}

// SQLite's virtual-machine instructions for one refresh, counted through its
// progress handler: a measure of work that does not depend on the machine.
int vm_instructions(st::Database& db, const std::function<void()>& run) {
  int hundreds = 0;
  sqlite3_progress_handler(db.handle(), 100, [](void* n) { ++*static_cast<int*>(n); return 0; }, &hundreds);
  run();
  sqlite3_progress_handler(db.handle(), 0, nullptr, nullptr);
  return hundreds * 100;
}

TEST_F(MatchingTest, ARefreshCostsTheSameAfterOneSenderSentHundredTimesMoreRecords) {
  int before = 0, after = 0;
  store_.write([&](st::Database& db) {
    receive(db, "snf", 3);
    for (int i = 0; i < 60; ++i) receive(db, "gemeente-aalsmeer", 2);
    before = vm_instructions(db, [&] { matcher_.refresh(db, subject_, kNow); });
    for (int i = 0; i < 6'000; ++i) receive(db, "gemeente-aalsmeer", 1);
    after = vm_instructions(db, [&] { matcher_.refresh(db, subject_, kNow); });
  });
  ASSERT_GT(before, 0);
  // Reading every row, as before issue 14, costs ~100x here.
  EXPECT_LT(after, before * 3 / 2) << "before " << before << ", after " << after << " VM instructions";
  EXPECT_EQ(bundle_alert().at("records").as_array().size(), static_cast<std::size_t>(al::kRecordsPerSender) + 1);
}
