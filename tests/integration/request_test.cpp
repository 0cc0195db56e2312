// From a match to action (issue 16, BRIEF 3.9) on the four-partner federation:
// a RIEC analyst asks the municipality, the source of a record, for the
// company behind it and for contact; the officer decides; what is disclosed
// reaches the requester signed, sealed at rest, under one trace in both logs.
// And every request or answer a partner must refuse.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <fstream>
#include <iterator>

#include "crypto/random.hpp"
#include "node/config/node_config.hpp"
#include "node/sharing/sharing.hpp"
#include "sharing_fixture.hpp"

namespace c = signalnode::crypto;
namespace w = signalnode::protocol::wire;
namespace json = boost::json;
using signalnode::testing::wait_until;

namespace {

// A KvK number that passes the check and is used nowhere else in the tests,
// so finding it in a file means this flow put it there.
const std::string kKvk = "31415926";
const std::string kLabourSignal = R"({"category":"labour.underpaid_or_unpaid","observedOn":"2026-11-20",
  "municipality":"GM0358","severity":"high","persons":6,"summary":"Workers earn 4 euro an hour",
  "subjects":[{"kind":"organisation","role":"temp_agency","kvk":")" + kKvk + R"(","name":"Flex Uitzend BV"},
   {"kind":"address","postcode":"1431 AB","houseNumber":12}]})";

constexpr std::size_t kMunicipality = 0, kInspectorate = 1, kRiec = 3;

std::string details_body(const std::string& record, const std::string& kinds = R"(["kvk"])") {
  return R"({"type":"details","recordId":")" + record + R"(","kinds":)" + kinds +
         R"(,"purpose":"Vaststellen welk uitzendbureau achter de signalen zit","reference":"RIEC-2026-017"})";
}
std::string contact_body(const std::string& record) {
  return R"({"type":"contact","recordId":")" + record +
         R"(","purpose":"Afstemmen wie het onderzoek naar dit adres leidt","reference":"RIEC-2026-017",)"
         R"("contact":{"name":"Ahmed El Amrani","phone":"020 555 0199","email":"a.elamrani@riec.demo.invalid"}})";
}

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

class RequestTest : public signalnode::testing::SharingFixture {
 protected:
  std::string inbox_id_from(std::size_t node, const std::string& source) {
    for (const auto& item : inbox(node)) {
      if (item.at("source").at("org").as_string() == source) return std::string(item.at("id").as_string());
    }
    return {};
  }
  // A labour signal at the municipality, received by the RIEC and the
  // inspectorate; the RIEC's inbox id of it.
  std::string shared_signal() {
    signal_id_ = submit(kMunicipality, kLabourSignal);
    EXPECT_TRUE(wait_until([&] {
      auto s = sharing_states(signal_id_);
      return s["riec-amsterdam"] == "delivered" && s["nla"] == "delivered";
    }));
    return inbox_id_from(kRiec, "gemeente-aalsmeer");
  }
  json::value request_at(std::size_t node, const std::string& id, const std::string& role = "analyst") {
    auto r = api(node, "GET", "/api/v1/requests/" + id, role);
    if (r.status != 200) return json::value(nullptr);
    return json::parse(r.body);
  }
  std::string state_at(std::size_t node, const std::string& id, const std::string& role = "analyst") {
    json::value v = request_at(node, id, role);
    return v.is_object() ? std::string(v.at("state").as_string()) : "";
  }
  json::array incoming(std::size_t node, const std::string& role = "officer") {
    auto r = api(node, "GET", "/api/v1/requests?direction=incoming", role);
    EXPECT_EQ(r.status, 200) << r.body;
    json::value doc = json::parse(r.body);
    return doc.at("items").as_array();
  }
  json::array events(std::size_t node, const std::string& name) {
    auto r = api(node, "GET", "/api/v1/audit/events?limit=500&name=" + name, "privacy_officer");
    EXPECT_EQ(r.status, 200) << r.body;
    json::value doc = json::parse(r.body);
    return doc.at("items").as_array();
  }
  std::string ask(const std::string& body, int expected = 202) {
    auto r = api(kRiec, "POST", "/api/v1/requests", "analyst", body);
    EXPECT_EQ(r.status, expected) << r.body;
    if (r.status != 202) return r.body;
    return std::string(json::parse(r.body).at("id").as_string());
  }
  w::Record answer(const std::string& request_id, std::size_t from, std::vector<w::Disclosed> disclosed) {
    w::Record a;
    a.record_id = c::random_hex_id(16);
    a.kind = w::RecordKind::request_answer;
    a.refers_to = request_id;
    a.category = "labour.underpaid_or_unpaid";
    a.rule_id = "all-to-riec";
    a.policy_hash = apps_[from]->federation()->policy()->sha256();
    a.status = "approved";
    a.request.decided_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch()).count();
    a.request.disclosed = std::move(disclosed);
    return a;
  }
  std::string signal_id_;
};

TEST_F(RequestTest, AnApprovedDetailsRequestDisclosesTheCompanyToTheRequesterUnderOneTrace) {
  const std::string record = shared_signal();
  ASSERT_FALSE(record.empty());
  const std::string id = ask(details_body(record));

  // At the source the officer sees who asks, why, and under which rule.
  ASSERT_TRUE(wait_until([&] { return incoming(kMunicipality).size() == 1; }));
  json::array waiting = incoming(kMunicipality);
  const json::object& req = waiting.at(0).as_object();
  EXPECT_EQ(req.at("id").as_string(), id);
  EXPECT_EQ(req.at("type"), "details");
  EXPECT_EQ(req.at("state"), "pending");
  EXPECT_EQ(req.at("partner"), "riec-amsterdam");
  EXPECT_EQ(req.at("purpose"), "Vaststellen welk uitzendbureau achter de signalen zit");
  EXPECT_EQ(req.at("reference"), "RIEC-2026-017");
  EXPECT_EQ(req.at("rule"), "all-to-riec");
  EXPECT_EQ(req.at("signalId").as_string(), signal_id_);
  EXPECT_EQ(req.at("decidedByRole"), "officer");
  EXPECT_EQ(req.at("kinds").as_array().size(), 1u);
  EXPECT_FALSE(req.at("legalGround").as_string().empty()) << "the rule's legal basis when none was named";

  // Only the deciding role sees the request and the requester's card.
  EXPECT_EQ(incoming(kMunicipality, "privacy_officer").size(), 0u);
  EXPECT_EQ(api(kMunicipality, "GET", "/api/v1/requests/" + id, "privacy_officer").status, 403);
  // The rule names the officer: the municipality's analyst may not decide.
  auto not_entitled = api(kMunicipality, "POST", "/api/v1/requests/" + id + "/decision", "analyst", R"({"decision":"approve"})");
  EXPECT_EQ(not_entitled.status, 403) << not_entitled.body;
  EXPECT_EQ(events(kMunicipality, "request.rejected").size(), 1u);
  // Before an approval the requester holds nothing.
  EXPECT_EQ(state_at(kRiec, id), "pending");
  EXPECT_FALSE(request_at(kRiec, id).as_object().contains("disclosed"));

  auto approved = api(kMunicipality, "POST", "/api/v1/requests/" + id + "/decision", "officer", R"({"decision":"approve"})");
  EXPECT_EQ(approved.status, 202) << approved.body;
  // Deciding twice: the first decision stands.
  EXPECT_EQ(api(kMunicipality, "POST", "/api/v1/requests/" + id + "/decision", "officer",
                R"({"decision":"refuse","reason":"not_proportionate"})").status, 409);

  ASSERT_TRUE(wait_until([&] { return state_at(kRiec, id) == "approved"; }));
  json::value got = request_at(kRiec, id);
  ASSERT_TRUE(got.as_object().contains("disclosed")) << json::serialize(got);
  const json::array& disclosed = got.at("disclosed").as_array();
  ASSERT_EQ(disclosed.size(), 1u);
  EXPECT_EQ(disclosed.at(0).at("idKind"), "kvk");
  EXPECT_EQ(disclosed.at(0).at("value").as_string(), kKvk);
  EXPECT_FALSE(got.at("answerExpiresAt").as_string().empty());
  // Checked against the record through the PA: the identity behind this record.
  EXPECT_TRUE(got.at("verified").as_bool()) << json::serialize(got);
  // Outgoing requests are the analysts': the privacy officer cannot read them.
  EXPECT_EQ(api(kRiec, "GET", "/api/v1/requests/" + id, "privacy_officer").status, 403);

  // Both logs, one trace: the request's id.
  auto traced = [&](std::size_t node, const std::string& name) {
    json::array found = events(node, name);
    for (const auto& e : found) {
      if (e.at("event").at("traceId").as_string() == id) return true;
    }
    return false;
  };
  EXPECT_TRUE(wait_until([&] { return traced(kRiec, "request.sent"); }));
  EXPECT_TRUE(traced(kMunicipality, "request.received"));
  EXPECT_TRUE(traced(kMunicipality, "request.decided"));
  EXPECT_TRUE(wait_until([&] { return traced(kMunicipality, "answer.sent"); }));
  EXPECT_TRUE(traced(kRiec, "answer.received"));
  EXPECT_TRUE(traced(kRiec, "disclosure.viewed"));
  // The log names the kinds, never the value.
  for (std::size_t node : {kMunicipality, kRiec}) {
    auto r = api(node, "GET", "/api/v1/audit/events?limit=500", "privacy_officer");
    EXPECT_EQ(r.body.find(kKvk), std::string::npos) << "node " << node;
  }

  // Canary: the KvK number is nowhere in plain on any node's disk.
  for (std::size_t node = 0; node < nodes_.size(); ++node) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(nodes_[node].dir)) {
      if (!entry.is_regular_file()) continue;
      EXPECT_EQ(read_all(entry.path()).find(kKvk), std::string::npos) << entry.path();
    }
  }
}

TEST_F(RequestTest, AContactRequestIsAnsweredWithTheOfficersCardOrRefusedWithACodedReason) {
  const std::string record = shared_signal();
  const std::string id = ask(contact_body(record));
  ASSERT_TRUE(wait_until([&] { return incoming(kMunicipality).size() == 1; }));
  json::array waiting = incoming(kMunicipality);
  EXPECT_EQ(waiting.at(0).at("requester").at("name"), "Ahmed El Amrani");
  EXPECT_EQ(waiting.at(0).at("requester").at("organisation"), "RIEC Amsterdam-Amstelland");

  // Approving asks for the officer's own card; an API token has none, so the body gives it.
  auto no_card = api(kMunicipality, "POST", "/api/v1/requests/" + id + "/decision", "officer", R"({"decision":"approve"})");
  EXPECT_EQ(no_card.status, 400) << no_card.body;
  EXPECT_NE(no_card.body.find("\"name\":\"contact\""), std::string::npos) << no_card.body;
  auto ok = api(kMunicipality, "POST", "/api/v1/requests/" + id + "/decision", "officer",
                R"({"decision":"approve","contact":{"name":"Sanne de Vries","phone":"0297 387 575"}})");
  EXPECT_EQ(ok.status, 202) << ok.body;
  ASSERT_TRUE(wait_until([&] { return state_at(kRiec, id) == "approved"; }));
  json::value got = request_at(kRiec, id);
  EXPECT_EQ(got.at("contact").at("name"), "Sanne de Vries");
  EXPECT_EQ(got.at("contact").at("phone"), "0297 387 575");
  EXPECT_FALSE(got.at("contact").at("organisation").as_string().empty());

  // A refusal needs a coded reason, and the requester sees it.
  const std::string second = ask(details_body(record));
  ASSERT_TRUE(wait_until([&] { return incoming(kMunicipality).size() == 2; }));
  auto no_reason = api(kMunicipality, "POST", "/api/v1/requests/" + second + "/decision", "officer", R"({"decision":"refuse"})");
  EXPECT_EQ(no_reason.status, 400);
  EXPECT_NE(no_reason.body.find("\"name\":\"reason\""), std::string::npos) << no_reason.body;
  EXPECT_EQ(api(kMunicipality, "POST", "/api/v1/requests/" + second + "/decision", "officer",
                R"({"decision":"refuse","reason":"investigation_interest"})").status, 202);
  ASSERT_TRUE(wait_until([&] { return state_at(kRiec, second) == "refused"; }));
  json::value refused = request_at(kRiec, second);
  EXPECT_EQ(refused.at("reason"), "investigation_interest");
  EXPECT_FALSE(refused.as_object().contains("disclosed"));
}

TEST_F(RequestTest, RequestsOutsideWhatTheRuleGrantsAreRefusedAndNothingIsSent) {
  const std::string record = shared_signal();
  // The inspectorate's record came under labour-to-inspectorate, which
  // grants kvk only: an address is refused, naming the field.
  const std::string at_nla = inbox_id_from(kInspectorate, "gemeente-aalsmeer");
  auto address = api(kInspectorate, "POST", "/api/v1/requests", "analyst", details_body(at_nla, R"(["address"])"));
  EXPECT_EQ(address.status, 400) << address.body;
  EXPECT_NE(address.body.find("\"name\":\"kinds\""), std::string::npos) << address.body;
  // The inspectorate's address findings reach the municipality under a rule
  // that grants no disclosure at all.
  submit(kInspectorate, R"({"category":"labour.underpaid_or_unpaid","observedOn":"2026-11-20","municipality":"GM0358","severity":"high",
    "subjects":[{"kind":"address","postcode":"1431 AB","houseNumber":12}]})");
  ASSERT_TRUE(wait_until([&] { return !inbox_id_from(kMunicipality, "nla").empty(); }));
  auto none = api(kMunicipality, "POST", "/api/v1/requests", "analyst",
                  details_body(inbox_id_from(kMunicipality, "nla"), R"(["address"])"));
  EXPECT_EQ(none.status, 400) << none.body;
  EXPECT_NE(none.body.find("grants no disclosure"), std::string::npos) << none.body;
  // A kind the record does not hold.
  auto plate = api(kRiec, "POST", "/api/v1/requests", "analyst", details_body(record, R"(["plate"])"));
  EXPECT_EQ(plate.status, 400) << plate.body;
  // No purpose, too short a purpose, no reference.
  auto no_purpose = api(kRiec, "POST", "/api/v1/requests", "analyst",
                        R"({"type":"details","recordId":")" + record + R"(","kinds":["kvk"],"reference":"R-1"})");
  EXPECT_EQ(no_purpose.status, 400);
  EXPECT_NE(no_purpose.body.find("\"name\":\"purpose\""), std::string::npos) << no_purpose.body;
  auto no_reference = api(kRiec, "POST", "/api/v1/requests", "analyst",
                          R"({"type":"details","recordId":")" + record + R"(","kinds":["kvk"],"purpose":"Onderzoek naar uitbuiting"})");
  EXPECT_EQ(no_reference.status, 400);
  EXPECT_NE(no_reference.body.find("\"name\":\"reference\""), std::string::npos) << no_reference.body;
  // A record this node never received; the wrong role.
  EXPECT_EQ(api(kRiec, "POST", "/api/v1/requests", "analyst", details_body(c::random_hex_id(16))).status, 404);
  EXPECT_EQ(api(kRiec, "POST", "/api/v1/requests", "officer", details_body(record)).status, 403);
  // A contact request without a way to reach the requester.
  auto unreachable = api(kRiec, "POST", "/api/v1/requests", "analyst",
                         R"({"type":"contact","recordId":")" + record + R"(","purpose":"Afstemmen wie leidt","reference":"R-1"})");
  EXPECT_EQ(unreachable.status, 400) << unreachable.body;
  EXPECT_NE(unreachable.body.find("\"name\":\"contact\""), std::string::npos) << unreachable.body;
  // One pending request of a type per record.
  const std::string first = ask(details_body(record));
  ask(details_body(record), 409);
  // Nothing but the one request reached the source.
  ASSERT_TRUE(wait_until([&] { return incoming(kMunicipality).size() == 1; }));
  EXPECT_EQ(incoming(kMunicipality).at(0).at("id").as_string(), first);
  EXPECT_GE(events(kRiec, "request.rejected").size(), 5u);
}

TEST_F(RequestTest, ForgedReplayedAndOverreachingMessagesAreRefusedByContent) {
  const std::string record = shared_signal();
  const std::string id = ask(details_body(record));
  ASSERT_TRUE(wait_until([&] { return incoming(kMunicipality).size() == 1; }));

  // The inspectorate answers a request the RIEC sent to the municipality.
  auto foreign = send(kInspectorate, kRiec, {answer(id, kInspectorate, {{"kvk", "99999999"}})});
  ASSERT_EQ(foreign.outcomes.size(), 1u);
  EXPECT_FALSE(foreign.outcomes[0].accepted);
  EXPECT_NE(foreign.outcomes[0].reason.find("no request of this node to nla"), std::string::npos) << foreign.outcomes[0].reason;
  // The municipality discloses a kind that was not asked for, or a value that is not canonical.
  auto overreach = send(kMunicipality, kRiec, {answer(id, kMunicipality, {{"address", "1431AB|12||"}})});
  EXPECT_FALSE(overreach.outcomes.at(0).accepted);
  auto malformed = send(kMunicipality, kRiec, {answer(id, kMunicipality, {{"kvk", "1234"}})});
  EXPECT_FALSE(malformed.outcomes.at(0).accepted);
  EXPECT_EQ(state_at(kRiec, id), "pending");

  // A request about a record the inspectorate never received from the municipality.
  w::Record stray;
  stray.record_id = c::random_hex_id(16);
  stray.kind = w::RecordKind::details_request;
  stray.refers_to = c::random_hex_id(16);
  stray.category = "labour.underpaid_or_unpaid";
  stray.rule_id = "labour-to-inspectorate";
  stray.policy_hash = apps_[kInspectorate]->federation()->policy()->sha256();
  stray.request.purpose = "Wie zit hierachter, graag alles";
  stray.request.legal_ground = "none";
  stray.request.reference = "X";
  stray.request.kinds = {"kvk"};
  stray.request.deadline_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch()).count() + 86'400'000;
  auto receipt = send(kInspectorate, kMunicipality, {stray});
  EXPECT_FALSE(receipt.outcomes.at(0).accepted);
  EXPECT_NE(receipt.outcomes.at(0).reason.find("never sent to nla"), std::string::npos) << receipt.outcomes.at(0).reason;
  EXPECT_EQ(incoming(kMunicipality).size(), 1u);

  // The real answer, then the same request answered again: refused.
  EXPECT_EQ(api(kMunicipality, "POST", "/api/v1/requests/" + id + "/decision", "officer", R"({"decision":"approve"})").status, 202);
  ASSERT_TRUE(wait_until([&] { return state_at(kRiec, id) == "approved"; }));
  auto again = send(kMunicipality, kRiec, {answer(id, kMunicipality, {{"kvk", "99999999"}})});
  EXPECT_FALSE(again.outcomes.at(0).accepted);
  json::value got = request_at(kRiec, id);
  EXPECT_EQ(got.at("disclosed").at(0).at("value").as_string(), kKvk);
  EXPECT_GE(events(kRiec, "answer.rejected").size(), 1u);
  EXPECT_GE(events(kMunicipality, "request.rejected").size(), 1u);
}

TEST_F(RequestTest, UnansweredRequestsExpireOnBothSidesAndDisclosuresGoWithTheRetention) {
  const std::string record = shared_signal();
  const std::string id = ask(details_body(record));
  ASSERT_TRUE(wait_until([&] { return incoming(kMunicipality).size() == 1; }));
  const auto later = std::chrono::duration_cast<std::chrono::milliseconds>(
                         (std::chrono::system_clock::now() + std::chrono::days(15)).time_since_epoch()).count();
  EXPECT_EQ(apps_[kMunicipality]->sharing().requests.expire(later), 1u);
  EXPECT_EQ(apps_[kRiec]->sharing().requests.expire(later), 1u);
  EXPECT_EQ(state_at(kMunicipality, id, "officer"), "expired");
  EXPECT_EQ(state_at(kRiec, id), "expired");
  EXPECT_EQ(api(kMunicipality, "POST", "/api/v1/requests/" + id + "/decision", "officer", R"({"decision":"approve"})").status, 409);
  EXPECT_EQ(events(kMunicipality, "request.expired").size(), 1u);
  EXPECT_EQ(events(kRiec, "request.expired").size(), 1u);

  // An approved disclosure is deleted when the record's retention ends.
  const std::string second = ask(details_body(record));
  ASSERT_TRUE(wait_until([&] { return incoming(kMunicipality).size() == 2; }));
  EXPECT_EQ(api(kMunicipality, "POST", "/api/v1/requests/" + second + "/decision", "officer", R"({"decision":"approve"})").status, 202);
  ASSERT_TRUE(wait_until([&] { return state_at(kRiec, second) == "approved"; }));
  const auto past_retention = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  (std::chrono::system_clock::now() + std::chrono::days(731)).time_since_epoch()).count();
  EXPECT_GE(apps_[kRiec]->sharing().requests.expire(past_retention), 1u);
  json::value gone = request_at(kRiec, second);
  EXPECT_EQ(gone.at("state"), "approved");
  EXPECT_FALSE(gone.as_object().contains("disclosed"));
  EXPECT_FALSE(gone.at("answerHeld").as_bool());
  EXPECT_EQ(events(kRiec, "disclosure.deleted").size(), 1u);
}

TEST_F(RequestTest, WhenTheSourceWithdrawsTheRecordWhatItDisclosedGoesToo) {
  const std::string record = shared_signal();
  const std::string id = ask(details_body(record));
  ASSERT_TRUE(wait_until([&] { return incoming(kMunicipality).size() == 1; }));
  EXPECT_EQ(api(kMunicipality, "POST", "/api/v1/requests/" + id + "/decision", "officer", R"({"decision":"approve"})").status, 202);
  ASSERT_TRUE(wait_until([&] { return state_at(kRiec, id) == "approved"; }));
  EXPECT_EQ(api(kMunicipality, "DELETE", "/api/v1/signals/" + signal_id_, "officer").status, 202);
  ASSERT_TRUE(wait_until([&] { return !request_at(kRiec, id).at("answerHeld").as_bool(); }));
  json::value after = request_at(kRiec, id);
  EXPECT_FALSE(after.as_object().contains("disclosed"));
  EXPECT_EQ(events(kRiec, "disclosure.deleted").size(), 1u);
}

TEST_F(RequestTest, AWellFormedButWrongDisclosureIsShownAsNotMatchingTheRecord) {
  const std::string record = shared_signal();
  const std::string id = ask(details_body(record));
  ASSERT_TRUE(wait_until([&] { return incoming(kMunicipality).size() == 1; }));
  // The source (its key, its connection) discloses another company's number.
  auto wrong = send(kMunicipality, kRiec, {answer(id, kMunicipality, {{"kvk", "27182818"}})});
  ASSERT_TRUE(wrong.outcomes.at(0).accepted) << wrong.outcomes.at(0).reason;
  json::value got = request_at(kRiec, id);
  EXPECT_EQ(got.at("state"), "approved");
  EXPECT_FALSE(got.at("verified").as_bool()) << "a value that is not the record's subject is flagged";
}
