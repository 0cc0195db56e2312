// Issue 22, routing by area (BRIEF 3.11): the national demo's two regions.
// A rule that routes by area sends a signal only to the recipients whose
// area holds its municipality; national recipients get it as before; a
// receiver refuses a record about a municipality outside its area, even
// from a partner with a valid key; the preview says, per partner, how the
// area decided.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <map>
#include <string>

#include "sharing_fixture.hpp"
#include "protocol/wire.hpp"

namespace json = boost::json;
namespace w = signalnode::protocol::wire;
using signalnode::testing::wait_until;

namespace {
// Node indexes of national_demo_partners().
constexpr std::size_t kAalsmeer = 0, kNla = 1, kSnf = 2, kRiecAmsterdam = 3, kWestland = 7, kRiecHaaglanden = 8;

const std::string kWestlandHousing = R"({"category":"housing.overcrowding","observedOn":"2026-11-20",
  "severity":"high","persons":9,"summary":"Negen mannen in een kas-woning",
  "subjects":[{"kind":"address","postcode":"2671 AB","houseNumber":3}]})";
}  // namespace

class AreaRoutingTest : public signalnode::testing::SharingFixture {
 protected:
  std::vector<signalnode::node::app::DemoNode> partners() const override {
    return signalnode::node::app::national_demo_partners();
  }
  std::map<std::string, std::string> states(std::size_t node, const std::string& id) {
    std::map<std::string, std::string> out;
    auto r = api(node, "GET", "/api/v1/signals/" + id, "officer");
    json::value doc = json::parse(r.body);
    for (const auto& p : doc.at("sharing").as_array()) {
      out[std::string(p.at("partner").as_string())] = std::string(p.at("state").as_string());
    }
    return out;
  }
  json::object preview_of(std::size_t node, const std::string& body, const std::string& org) {
    auto r = api(node, "POST", "/api/v1/signals/preview", "officer", body);
    EXPECT_EQ(r.status, 200) << r.body;
    json::value doc = json::parse(r.body);
    for (const auto& p : doc.at("partners").as_array()) {
      if (p.at("org").as_string() == org) return p.as_object();
    }
    ADD_FAILURE() << org << " is not in the preview: " << r.body;
    return {};
  }
};

TEST_F(AreaRoutingTest, AHousingSignalFromWestlandReachesItsOwnRegionsRiecAndNotTheOther) {
  ASSERT_EQ(nodes_[kWestland].org, "gemeente-westland");
  ASSERT_EQ(nodes_[kRiecHaaglanden].org, "riec-den-haag");

  // Before sending: the preview names the area decision for each RIEC.
  auto haaglanden = preview_of(kWestland, kWestlandHousing, "riec-den-haag");
  EXPECT_TRUE(haaglanden.at("shared").as_bool());
  EXPECT_EQ(haaglanden.at("area").at("decision").as_string(), "in-area");
  EXPECT_EQ(haaglanden.at("area").at("municipality").as_string(), "GM1783") << "the node's own municipality by default";
  EXPECT_EQ(haaglanden.at("area").at("municipalityName").as_string(), "Westland");
  auto amsterdam = preview_of(kWestland, kWestlandHousing, "riec-amsterdam");
  EXPECT_FALSE(amsterdam.at("shared").as_bool());
  EXPECT_EQ(amsterdam.at("area").at("decision").as_string(), "outside-area");
  EXPECT_NE(amsterdam.at("reason").as_string().find("GM1783 is outside the area of riec-amsterdam"), std::string::npos)
      << json::serialize(amsterdam);
  auto snf = preview_of(kWestland, kWestlandHousing, "snf");
  EXPECT_TRUE(snf.at("shared").as_bool()) << "SNF is national and its rule does not route by area";
  EXPECT_FALSE(snf.contains("area"));

  std::string id = submit(kWestland, kWestlandHousing);
  ASSERT_TRUE(wait_until([&] {
    auto s = states(kWestland, id);
    return s["riec-den-haag"] == "delivered" && s["snf"] == "delivered";
  })) << api(kWestland, "GET", "/api/v1/signals/" + id, "officer").body;
  EXPECT_EQ(states(kWestland, id)["riec-amsterdam"], "not_shared");
  auto received = inbox(kRiecHaaglanden);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received.at(0).at("municipality").as_string(), "GM1783");
  EXPECT_EQ(inbox(kSnf).size(), 1u);
  EXPECT_TRUE(inbox(kRiecAmsterdam).empty()) << "the other region's RIEC sees nothing of it";
}

TEST_F(AreaRoutingTest, TheInspectoratesFindingAtAnAalsmeerAddressGoesBackToAalsmeerOnly) {
  const std::string finding = R"({"category":"labour.underpaid_or_unpaid","observedOn":"2026-11-20",
    "municipality":"GM0358","severity":"medium","persons":4,
    "subjects":[{"kind":"address","postcode":"1431 AB","houseNumber":12}]})";
  std::string id = submit(kNla, finding);
  ASSERT_TRUE(wait_until([&] {
    auto s = states(kNla, id);
    return s["gemeente-aalsmeer"] == "delivered" && s["riec-amsterdam"] == "delivered";
  })) << api(kNla, "GET", "/api/v1/signals/" + id, "officer").body;
  auto s = states(kNla, id);
  EXPECT_EQ(s["gemeente-westland"], "not_shared");
  EXPECT_EQ(s["riec-den-haag"], "not_shared");
  EXPECT_EQ(inbox(kAalsmeer).size(), 1u);
  EXPECT_TRUE(inbox(kWestland).empty());
  EXPECT_TRUE(inbox(kRiecHaaglanden).empty());

  // The inspectorate serves the whole country and has no municipality of its
  // own: a finding that names none reaches no regional recipient, and the
  // preview says why.
  const std::string nowhere = R"({"category":"labour.underpaid_or_unpaid","observedOn":"2026-11-20",
    "subjects":[{"kind":"address","postcode":"1431 AB","houseNumber":12}]})";
  auto p = preview_of(kNla, nowhere, "riec-amsterdam");
  EXPECT_FALSE(p.at("shared").as_bool());
  EXPECT_EQ(p.at("area").at("decision").as_string(), "no-municipality");
}

TEST_F(AreaRoutingTest, ARecordAboutAnotherRegionIsRefusedByTheReceiverEvenWithAValidKey) {
  // The municipality of Aalsmeer, with its valid key, sends RIEC Haaglanden
  // a record about Aalsmeer under the rule that routes by area.
  w::Record r;
  r.record_id = signalnode::crypto::random_hex_id(16);
  r.category = "housing.overcrowding";
  r.observed_week = "2026-W47";
  r.municipality = "GM0358";
  r.severity = "high";
  r.persons = 9;
  w::SharedSubject subject{"address", "address", {}};
  subject.pseudonym.fill(0x22);
  r.subjects = {subject};
  r.rule_id = "all-to-riec";
  r.policy_hash = apps_[kAalsmeer]->federation()->policy()->sha256();
  r.expires_at_ms = 4'000'000'000'000;
  auto receipt = send(kAalsmeer, kRiecHaaglanden, {r});
  ASSERT_EQ(receipt.outcomes.size(), 1u);
  EXPECT_FALSE(receipt.outcomes[0].accepted);
  EXPECT_NE(receipt.outcomes[0].reason.find("GM0358 is outside the area of riec-den-haag"), std::string::npos)
      << receipt.outcomes[0].reason;
  EXPECT_TRUE(inbox(kRiecHaaglanden).empty());

  // The same record about Westland's region is accepted.
  r.record_id = signalnode::crypto::random_hex_id(16);
  r.municipality = "GM0518";  // 's-Gravenhage, in the den-haag region
  receipt = send(kAalsmeer, kRiecHaaglanden, {r});
  ASSERT_EQ(receipt.outcomes.size(), 1u);
  EXPECT_TRUE(receipt.outcomes[0].accepted) << receipt.outcomes[0].reason;
  EXPECT_EQ(inbox(kRiecHaaglanden).size(), 1u);
}
