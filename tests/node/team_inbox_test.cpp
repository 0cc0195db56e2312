// Teams (issue 21): a covenant rule that addresses <org>/<team> brings its
// records to that team only; the inbox of anyone else at that organisation
// (another team, or no team) leaves them out, while records under rules for
// the whole organisation are seen by everyone there.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>

#include "node/sharing/inbox.hpp"
#include "node/storage/schema.hpp"
#include "node/storage/store.hpp"
#include "policies/policy.hpp"
#include "tests/support/temp_dir.hpp"

namespace pol = signalnode::policies;
namespace sh = signalnode::node::sharing;
namespace st = signalnode::node::storage;

namespace {

std::string rule(const std::string& id, const std::string& to, const std::string& categories) {
  return "[[rules]]\nid = \"" + id + "\"\nfrom = [\"role:municipality\"]\nto = " + to + "\ncategories = " + categories +
         "\npseudonyms = [\"address\"]\nfields = [\"week\"]\nlegal_basis = \"b\"\npurpose = \"p\"\nretention_days = 30\n"
         "status = \"active\"\nvalid_from = \"2026-01-01\"\n";
}

const std::vector<pol::Party> kPartners = {{"gemeente-x", "municipality"}, {"riec-a", "riec"}};
const pol::Party kRiec = kPartners[1];

class TeamInboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    policy_.emplace(pol::Policy::parse("version = 1\nname = \"t\"\n" +
                                     rule("housing-to-enforcement", "[\"riec-a/handhaving\"]", "[\"housing.*\"]") +
                                     rule("labour-to-riec", "[\"riec-a\"]", "[\"labour.*\"]") +
                                     rule("exploitation-to-two-teams", "[\"riec-a/handhaving\", \"riec-a/zorg\"]",
                                          "[\"recruitment.*\"]"),
                                 "p.toml", pol::Taxonomy::builtin(), kPartners));
    store_.write([](st::Database& db) {
      std::int64_t at = 1000;
      for (const auto& [id, rule_id] : std::vector<std::pair<std::string, std::string>>{
               {"00000000000000000000000000000001", "housing-to-enforcement"},
               {"00000000000000000000000000000002", "labour-to-riec"},
               {"00000000000000000000000000000003", "exploitation-to-two-teams"},
               {"00000000000000000000000000000004", "a-rule-the-covenant-no-longer-has"}}) {
        db.cached("INSERT INTO inbox (id, sender, sender_role, record_id, category, observed_week, municipality, "
                  "severity, persons, rule_id, policy_sha256, received_at_ms, expires_at_ms) "
                  "VALUES (?, 'gemeente-x', 'municipality', ?, 'housing.poor_maintenance', '', '', '', NULL, ?, '', ?, ?)")
            .bind(1, std::string_view(id))
            .bind(2, std::string_view(id))
            .bind(3, std::string_view(rule_id))
            .bind(4, at)
            .bind(5, at + 86'400'000)
            .run();
        ++at;
      }
    });
  }
  std::vector<std::string> seen_by(const std::string& team) {
    sh::InboxQuery q;
    q.hidden_rules = sh::team_hidden_rules(*policy_, kRiec, team);
    std::vector<std::string> rules;
    for (const auto& item : sh::Inbox(store_).list(q)) rules.push_back(item.rule_id);
    std::sort(rules.begin(), rules.end());
    return rules;
  }
  signalnode::testing::TempDir dir_{"sn-team-inbox-"};
  st::Store store_{dir_.path() / "node.db", st::node_migrations()};
  std::optional<pol::Policy> policy_;
};

}  // namespace

TEST_F(TeamInboxTest, ATeamSeesWhatIsAddressedToItOrToTheWholeOrganisation) {
  EXPECT_EQ(seen_by("handhaving"), (std::vector<std::string>{"a-rule-the-covenant-no-longer-has",
                                                              "exploitation-to-two-teams", "housing-to-enforcement",
                                                              "labour-to-riec"}));
  EXPECT_EQ(seen_by("zorg"), (std::vector<std::string>{"a-rule-the-covenant-no-longer-has", "exploitation-to-two-teams",
                                                        "labour-to-riec"}));
  EXPECT_EQ(seen_by("financien"), (std::vector<std::string>{"a-rule-the-covenant-no-longer-has", "labour-to-riec"}));
}

TEST_F(TeamInboxTest, PeopleWithoutATeamSeeOnlyWhatIsAddressedToTheWholeOrganisation) {
  EXPECT_EQ(seen_by(""), (std::vector<std::string>{"a-rule-the-covenant-no-longer-has", "labour-to-riec"}));
}
