// Reminders and deadlines (issue 17) on the four-partner federation: a record
// under a rule with a feedback period shows as overdue to its recipient and
// as "no answer yet" to its source once the period has passed without an
// answer (an acknowledgement, `received`, is none); feedback deliberately
// withheld with a coded reason is an answer and reaches the source as such;
// withheld without its reason, or its reason with another status, is refused
// by the API and, from a partner, in the receipt.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>

#include "node/app/node_app.hpp"
#include "node/sharing/sharing.hpp"
#include "node/signals/signal_json.hpp"
#include "sharing_fixture.hpp"

namespace c = signalnode::crypto;
namespace w = signalnode::protocol::wire;
namespace json = boost::json;
using signalnode::testing::wait_until;

namespace {

const std::string kLabourSignal = R"({"category":"labour.underpaid_or_unpaid","observedOn":"2026-11-20",
  "municipality":"GM0358","severity":"high","persons":6,
  "subjects":[{"kind":"organisation","role":"temp_agency","kvk":"12345678"}]})";

constexpr std::size_t kMunicipality = 0, kInspectorate = 1, kRiec = 3;
constexpr std::int64_t kDayMs = 86'400'000;

// "2026-11-20T12:34:56.789Z" as milliseconds since the epoch.
std::int64_t epoch_ms_of(std::string_view iso) {
  std::tm tm{};
  int ms = 0;
  std::string text(iso);
  if (std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                  &tm.tm_sec, &ms) != 7) {
    return -1;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000 + ms;
}

}  // namespace

class FeedbackPeriodTest : public signalnode::testing::SharingFixture {
 protected:
  // Every node runs on one settable clock (the real time plus `offset_`), so
  // tests move time forward without waiting and without restarting again.
  void SetUp() override {
    SharingFixture::SetUp();
    for (std::size_t i = 0; i < apps_.size(); ++i) {
      apps_[i].reset();
      auto offset = offset_;
      apps_[i] = std::make_unique<signalnode::node::app::NodeApp>(signalnode::node::app::NodeOptions{
          nodes_[i].dir, std::nullopt, [offset] {
            return std::chrono::system_clock::now() + std::chrono::milliseconds(offset->load());
          }});
      apps_[i]->start();
    }
  }
  void advance_days(int days) { offset_->fetch_add(days * kDayMs); }
  std::int64_t now_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
               .count() +
           offset_->load();
  }

  json::object signal(const std::string& id) {
    auto r = api(kMunicipality, "GET", "/api/v1/signals/" + id, "officer");
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body).as_object();
  }
  json::object partner(const std::string& id, const std::string& org) {
    json::object doc = signal(id);
    for (const auto& p : doc.at("sharing").as_array()) {
      if (p.at("partner").as_string() == org) return p.as_object();
    }
    return {};
  }
  json::object inbox_item(std::size_t node, const std::string& source) {
    for (const auto& item : inbox(node)) {
      if (item.at("source").at("org").as_string() == source) return item.as_object();
    }
    return {};
  }
  signalnode::node::http::HttpResponse feedback(std::size_t node, const std::string& inbox_id, const std::string& body) {
    return api(node, "POST", "/api/v1/inbox/" + inbox_id + "/feedback", "analyst", body, "nl");
  }
  std::int64_t overdue_at(std::size_t node) {
    return apps_[node]->sharing().inbox.count_overdue(*apps_[node]->federation()->policy(), now_ms());
  }
  std::map<std::string, int> no_answer_at_municipality() {
    return apps_[kMunicipality]->sharing().outbox.no_answer_by_author(
        *apps_[kMunicipality]->federation()->policy(), now_ms());
  }

  std::shared_ptr<std::atomic<std::int64_t>> offset_ = std::make_shared<std::atomic<std::int64_t>>(0);
};

TEST_F(FeedbackPeriodTest, PastThePeriodTheRecipientIsOverdueAndTheSourceHasNoAnswerUntilWithheldFeedbackArrives) {
  std::string id = submit(kMunicipality, kLabourSignal);
  ASSERT_TRUE(wait_until([&] {
    auto states = sharing_states(id);
    return states["nla"] == "delivered" && states["riec-amsterdam"] == "delivered";
  }));

  // Within the period: a due date (30 days, labour-to-inspectorate), not overdue.
  json::object item = inbox_item(kInspectorate, "gemeente-aalsmeer");
  ASSERT_FALSE(item.empty());
  const std::string at_nla(item.at("id").as_string());
  EXPECT_EQ(item.at("overdue"), json::value(false));
  const std::int64_t received = epoch_ms_of(item.at("receivedAt").as_string());
  EXPECT_EQ(item.at("feedbackDueAt").as_string(), signalnode::node::signals::iso8601_utc(received + 30 * kDayMs));
  json::object nla = partner(id, "nla");
  ASSERT_TRUE(nla.contains("feedbackDueAt")) << json::serialize(nla);
  EXPECT_EQ(nla.at("noAnswerYet"), json::value(false));
  EXPECT_EQ(overdue_at(kInspectorate), 0);
  EXPECT_TRUE(no_answer_at_municipality().empty());

  // An acknowledgement is no answer.
  ASSERT_EQ(feedback(kInspectorate, at_nla, R"({"status":"received"})").status, 202);
  ASSERT_TRUE(wait_until([&] { return signal(id).at("feedback").as_array().size() == 1; }));

  advance_days(31);
  item = inbox_item(kInspectorate, "gemeente-aalsmeer");
  EXPECT_EQ(item.at("overdue"), json::value(true)) << json::serialize(item);
  EXPECT_EQ(overdue_at(kInspectorate), 1);
  nla = partner(id, "nla");
  EXPECT_EQ(nla.at("noAnswerYet"), json::value(true)) << json::serialize(nla);
  EXPECT_EQ(partner(id, "riec-amsterdam").at("noAnswerYet"), json::value(true));
  auto authors = no_answer_at_municipality();
  ASSERT_EQ(authors.size(), 1u);
  EXPECT_EQ(authors.begin()->second, 1) << "one signal, however many partners owe an answer";

  // The inspectorate withholds its feedback in the interest of an
  // investigation: an answer, which the source sees as such.
  ASSERT_EQ(feedback(kInspectorate, at_nla, R"({"status":"withheld","reason":"investigation_interest"})").status, 202);
  ASSERT_TRUE(wait_until([&] { return signal(id).at("feedback").as_array().size() == 2; }));
  json::object last = signal(id).at("feedback").as_array().at(1).as_object();
  EXPECT_EQ(last.at("partner").as_string(), "nla");
  EXPECT_EQ(last.at("status").as_string(), "withheld");
  EXPECT_EQ(last.at("reason").as_string(), "investigation_interest");
  EXPECT_EQ(partner(id, "nla").at("noAnswerYet"), json::value(false));
  EXPECT_EQ(inbox_item(kInspectorate, "gemeente-aalsmeer").at("overdue"), json::value(false));
  EXPECT_EQ(overdue_at(kInspectorate), 0);
  // A later acknowledgement does not undo the answer.
  ASSERT_EQ(feedback(kInspectorate, at_nla, R"({"status":"received"})").status, 202);
  EXPECT_EQ(inbox_item(kInspectorate, "gemeente-aalsmeer").at("overdue"), json::value(false));
  // The RIEC still owes its answer: the signal still counts, once.
  EXPECT_EQ(no_answer_at_municipality().begin()->second, 1);
  EXPECT_EQ(overdue_at(kRiec), 1);
  const std::string at_riec(inbox_item(kRiec, "gemeente-aalsmeer").at("id").as_string());
  ASSERT_EQ(feedback(kRiec, at_riec, R"({"status":"assessed"})").status, 202);
  EXPECT_TRUE(wait_until([&] { return no_answer_at_municipality().empty(); }));
  EXPECT_EQ(overdue_at(kRiec), 0);
}

TEST_F(FeedbackPeriodTest, WithheldNeedsItsReasonAndItsReasonsGoWithNoOtherStatusAtTheApiAndFromAPartner) {
  std::string id = submit(kMunicipality, kLabourSignal);
  ASSERT_TRUE(wait_until([&] { return sharing_states(id)["nla"] == "delivered"; }));
  const std::string at_nla(inbox_item(kInspectorate, "gemeente-aalsmeer").at("id").as_string());

  auto missing = feedback(kInspectorate, at_nla, R"({"status":"withheld"})");
  EXPECT_EQ(missing.status, 400) << missing.body;
  EXPECT_NE(missing.body.find("\"name\":\"reason\""), std::string::npos) << missing.body;
  EXPECT_NE(missing.body.find("belang van het onderzoek"), std::string::npos) << "Dutch first: " << missing.body;
  auto other = feedback(kInspectorate, at_nla, R"({"status":"withheld","reason":"no_capacity"})");
  EXPECT_EQ(other.status, 400) << other.body;
  EXPECT_NE(other.body.find("\"name\":\"reason\""), std::string::npos) << other.body;
  auto misplaced = feedback(kInspectorate, at_nla, R"({"status":"assessed","reason":"investigation_interest"})");
  EXPECT_EQ(misplaced.status, 400) << misplaced.body;
  EXPECT_NE(misplaced.body.find("\"name\":\"reason\""), std::string::npos) << misplaced.body;
  EXPECT_NE(misplaced.body.find("bewust niet teruggekoppeld"), std::string::npos) << "Dutch first: " << misplaced.body;

  // A partner that sends the same over federation is refused in the receipt.
  std::string record_id;
  {
    auto r = api(kInspectorate, "GET", "/api/v1/audit/events?name=record.received", "privacy_officer");
    json::value doc = json::parse(r.body);
    record_id = std::string(doc.at("items").as_array().at(0).at("event").at("attributes").at("recordId").as_string());
  }
  auto message = [&](const std::string& status, const std::string& reason) {
    w::Record r;
    r.record_id = c::random_hex_id(16);
    r.kind = w::RecordKind::feedback;
    r.refers_to = record_id;
    r.category = "labour.underpaid_or_unpaid";
    r.rule_id = "labour-to-inspectorate";
    r.policy_hash = apps_[kInspectorate]->federation()->policy()->sha256();
    r.status = status;
    r.reason = reason;
    return r;
  };
  auto receipt = send(kInspectorate, kMunicipality,
                      {message("withheld", ""), message("assessed", "investigation_interest"),
                       message("withheld", "source_protection")});
  ASSERT_EQ(receipt.outcomes.size(), 3u);
  EXPECT_FALSE(receipt.outcomes[0].accepted);
  EXPECT_EQ(receipt.outcomes[0].reason,
            "reason must say why feedback is withheld: investigation_interest, legal_restriction or source_protection");
  EXPECT_FALSE(receipt.outcomes[1].accepted);
  EXPECT_EQ(receipt.outcomes[1].reason, "reason is a reason for withheld feedback only (status withheld)");
  EXPECT_TRUE(receipt.outcomes[2].accepted) << receipt.outcomes[2].reason;
  json::array shown = signal(id).at("feedback").as_array();
  ASSERT_EQ(shown.size(), 1u) << "only the valid one reaches the officer";
  EXPECT_EQ(shown.at(0).at("reason").as_string(), "source_protection");
}
