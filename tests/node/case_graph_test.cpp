// Cases under hostile input (issue 16): a partner that floods one subject
// with records, or chains many subjects together through its records, yields
// a bounded case graph that says it was cut; notes are bound to their case and
// place; references count up per year.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <regex>
#include <set>
#include <string>

#include "crypto/aead.hpp"
#include "crypto/random.hpp"
#include "node/alerts/matching.hpp"
#include "node/cases/cases.hpp"
#include "node/cases/component.hpp"
#include "node/pseudonyms/pseudonymiser.hpp"
#include "node/storage/schema.hpp"
#include "node/storage/store.hpp"
#include "tests/support/temp_dir.hpp"

namespace st = signalnode::node::storage;
namespace al = signalnode::node::alerts;
namespace cs = signalnode::node::cases;
namespace json = boost::json;

namespace {

constexpr std::int64_t kNow = 1'764'000'000'000;

class CaseGraphTest : public ::testing::Test {
 protected:
  void SetUp() override { signalnode::crypto::init(); }

  static al::Subject subject(int n) {
    al::Subject s;
    s.id_kind = n % 2 ? "kvk" : "address";
    s.pseudonym.fill(0);
    s.pseudonym[0] = static_cast<std::uint8_t>(n & 0xff);
    s.pseudonym[1] = static_cast<std::uint8_t>(n >> 8);
    s.pseudonym[63] = 0x5a;
    return s;
  }
  // One received record from `sender` naming `subjects`.
  static std::string receive(st::Database& db, const std::string& sender, const std::vector<al::Subject>& subjects,
                             std::int64_t at) {
    std::string id = signalnode::crypto::random_hex_id(16);
    db.cached("INSERT INTO inbox (id, sender, sender_role, record_id, category, rule_id, policy_sha256, "
              "received_at_ms, expires_at_ms) VALUES (?, ?, 'municipality', ?, 'housing.overcrowding', 'r', '', ?, ?)")
        .bind(1, std::string_view(id))
        .bind(2, std::string_view(sender))
        .bind(3, std::string_view(id))
        .bind(4, at)
        .bind(5, kNow + 86'400'000)
        .run();
    std::int64_t position = 0;
    for (const auto& s : subjects) {
      db.cached("INSERT INTO inbox_subjects (inbox_id, position, kind, id_kind, pseudonym, sender, received_at_ms) "
                "VALUES (?, ?, 'organisation', ?, ?, ?, ?)")
          .bind(1, std::string_view(id))
          .bind(2, position++)
          .bind(3, std::string_view(s.id_kind))
          .bind_blob(4, s.pseudonym)
          .bind(5, std::string_view(sender))
          .bind(6, at)
          .run();
    }
    return id;
  }
  std::string bundle_of(const al::Subject& s) {
    al::Subject keyed = s;
    keyed.match_key = pseudonymiser_.match_key(s.pseudonym);
    store_.write([&](st::Database& db) { al::Matcher{"riec", {}}.refresh(db, keyed, kNow); });
    return store_.read([&](st::Database& db) {
      auto q = db.cached("SELECT id FROM alerts WHERE pseudonym = ? AND kind = 'bundle'");
      q.bind_blob(1, s.pseudonym);
      return q.step() ? q.text(0) : std::string();
    });
  }
  cs::Cases cases() { return cs::Cases(store_, pseudonymiser_, [] { return kNow; }, "riec"); }

  signalnode::testing::TempDir dir_{"sn-cases-"};
  st::Store store_{dir_ / "node.db", st::node_migrations()};
  signalnode::crypto::AeadKey key_ = signalnode::crypto::generate_aead_key();
  signalnode::node::pseudonyms::Pseudonymiser pseudonymiser_{store_, key_, [] { return kNow; }, "00000001000000000001"};
};

}  // namespace

TEST_F(CaseGraphTest, AFloodOfRecordsAboutOneSubjectIsReadOnlyAsFarAsTheBound) {
  const auto x = subject(1), y = subject(2);
  store_.write([&](st::Database& db) {
    for (int i = 0; i < 500; ++i) receive(db, "flood", {x}, kNow - 1000 + i);
    receive(db, "gemeente", {x, y}, kNow - 2000);  // older than every flooded record
  });
  const std::string alert = bundle_of(x);
  ASSERT_FALSE(alert.empty());
  auto opened = cases().open(alert, "test");
  ASSERT_FALSE(opened.refused);
  auto doc = cases().get(opened.id, "test");
  ASSERT_TRUE(doc);
  const auto& graph = doc->at("graph").as_object();
  std::size_t flood = 0, gemeente = 0;
  for (const auto& r : graph.at("records").as_array()) {
    (r.at("source").at("org") == "flood" ? flood : gemeente) += 1;
  }
  // The alert lists the newest 50 per sender; the walk reads at most 10 more.
  EXPECT_LE(flood, static_cast<std::size_t>(al::kRecordsPerSender + cs::kRecordsPerSender));
  EXPECT_EQ(gemeente, 1u) << "the flood pushed the other partner's record out";
  EXPECT_EQ(graph.at("subjects").as_array().size(), 2u) << "the other partner's second subject is connected";
  EXPECT_TRUE(graph.at("truncated").as_bool());
}

TEST_F(CaseGraphTest, AChainOfSubjectsStopsAtTheBounds) {
  // Records r_i name s_i and s_{i+1}: one long chain of 400 subjects.
  store_.write([&](st::Database& db) {
    for (int i = 0; i < 400; ++i) receive(db, i % 2 ? "a" : "b", {subject(i), subject(i + 1)}, kNow - 10'000 + i);
    receive(db, "c", {subject(0)}, kNow);
  });
  const std::string alert = bundle_of(subject(0));
  ASSERT_FALSE(alert.empty());
  auto graph = store_.read([&](st::Database& db) {
    auto a = al::Alerts::find(db, alert);
    return cs::connected(db, pseudonymiser_, "riec", {*a});
  });
  EXPECT_LE(graph.subjects.size(), cs::kMaxSubjects);
  EXPECT_LE(graph.records.size(), cs::kMaxRecords);
  EXPECT_EQ(graph.subjects.size(), cs::kMaxSubjects);
  EXPECT_TRUE(graph.truncated);
  // Breadth first: the subjects nearest the alert are the ones kept.
  std::set<std::vector<std::uint8_t>> kept;
  for (const auto& s : graph.subjects) kept.insert(s.pseudonym);
  for (int i = 0; i < 90; ++i) {
    auto s = subject(i);
    EXPECT_TRUE(kept.count(std::vector<std::uint8_t>(s.pseudonym.begin(), s.pseudonym.end()))) << i;
  }
  for (const auto& [record, subject_index] : graph.links) {
    EXPECT_LT(record, graph.records.size());
    EXPECT_LT(subject_index, graph.subjects.size());
  }
}

TEST_F(CaseGraphTest, ReferencesCountUpAndNotesAreBoundToTheirCaseAndPlace) {
  store_.write([&](st::Database& db) {
    receive(db, "a", {subject(1)}, kNow);
    receive(db, "b", {subject(1)}, kNow);
    receive(db, "a", {subject(2)}, kNow);
    receive(db, "b", {subject(2)}, kNow);
  });
  auto first = cases().open(bundle_of(subject(1)), "test");
  auto second = cases().open(bundle_of(subject(2)), "test");
  ASSERT_FALSE(first.refused);
  ASSERT_FALSE(second.refused);
  EXPECT_NE(first.id, second.id) << "two components, two cases";
  const std::string year = std::to_string(cs::local_year(kNow));
  EXPECT_EQ(first.reference, "ZAAK-" + year + "-0001");
  EXPECT_EQ(second.reference, "ZAAK-" + year + "-0002");
  auto unknown = cases().open(signalnode::crypto::random_hex_id(16), "test");
  ASSERT_TRUE(unknown.refused);
  EXPECT_EQ(unknown.refused->kind, cs::Refusal::Kind::not_found);

  ASSERT_FALSE(cases().add_note(first.id, "eerste", "test").refused);
  ASSERT_FALSE(cases().add_note(first.id, "tweede", "test").refused);
  ASSERT_FALSE(cases().add_note(second.id, "derde", "test").refused);
  EXPECT_TRUE(cases().add_note(first.id, std::string("a\0b", 3), "test").refused);
  EXPECT_TRUE(cases().add_note(first.id, "\xff\xfe", "test").refused);
  auto doc = cases().get(first.id, "test");
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->at("notes").as_array()[1].at("text"), "tweede");
  // A sealed note moved to another place or case does not open there.
  store_.write([&](st::Database& db) {
    db.exec("UPDATE case_notes SET note = (SELECT note FROM case_notes n WHERE n.case_id = case_notes.case_id AND "
            "n.position = 1) WHERE position = 2");
    db.cached("UPDATE case_notes SET note = (SELECT note FROM case_notes WHERE case_id = ? AND position = 1) "
              "WHERE case_id = ?")
        .bind(1, std::string_view(first.id))
        .bind(2, std::string_view(second.id))
        .run();
  });
  doc = cases().get(first.id, "test");
  EXPECT_EQ(doc->at("notes").as_array()[0].at("text"), "eerste");
  EXPECT_TRUE(doc->at("notes").as_array()[1].at("text").is_null());
  EXPECT_TRUE(cases().get(second.id, "test")->at("notes").as_array()[0].at("text").is_null());
}
