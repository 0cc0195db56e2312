// What follows a shared record, on the four-partner federation: feedback back
// to the reporter, withdrawal and correction to every recipient (also one that
// is offline at the time), hits and bundle notices, retention of own signals,
// and the follow-up messages a receiver must refuse.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <vector>

#include "crypto/random.hpp"
#include "node/app/node_app.hpp"
#include "node/config/node_config.hpp"
#include "node/sharing/sharing.hpp"
#include "node/storage/sqlite.hpp"
#include "ldv_records.hpp"
#include "sharing_fixture.hpp"

namespace c = signalnode::crypto;
namespace w = signalnode::protocol::wire;
namespace json = boost::json;
using signalnode::testing::wait_until;

namespace {

const std::string kLabourSignal = R"({"category":"labour.underpaid_or_unpaid","observedOn":"2026-11-20",
  "municipality":"GM0358","severity":"high","persons":6,"summary":"Workers of Flex Uitzend BV earn 4 euro an hour",
  "subjects":[{"kind":"organisation","role":"temp_agency","kvk":"12345678","name":"Flex Uitzend BV"},
   {"kind":"address","postcode":"1431 AB","houseNumber":12}]})";

constexpr std::size_t kMunicipality = 0, kInspectorate = 1, kSnf = 2, kRiec = 3;

}  // namespace

class FollowUpTest : public signalnode::testing::SharingFixture {
 protected:
  json::value signal(const std::string& id) {
    auto r = api(kMunicipality, "GET", "/api/v1/signals/" + id, "officer");
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body);
  }
  json::object partner(const std::string& id, const std::string& org) {
    json::value doc = signal(id);
    for (const auto& p : doc.at("sharing").as_array()) {
      if (p.at("partner").as_string() == org) return p.as_object();
    }
    return {};
  }
  std::string follow_up_state(const std::string& id, const std::string& org) {
    auto p = partner(id, org);
    return p.contains("followUp") ? std::string(p.at("followUp").at("state").as_string()) : "";
  }
  // The inbox id at `node` of the record that came from `source`.
  std::string inbox_id_from(std::size_t node, const std::string& source) {
    for (const auto& item : inbox(node)) {
      if (item.at("source").at("org").as_string() == source) return std::string(item.at("id").as_string());
    }
    return {};
  }
  bool delivered_to_all(const std::string& id, std::initializer_list<const char*> orgs) {
    auto states = sharing_states(id);
    for (const char* o : orgs) {
      if (states[o] != "delivered") return false;
    }
    return true;
  }
  std::size_t events(std::size_t node, const std::string& name) {
    auto r = api(node, "GET", "/api/v1/audit/events?limit=500&name=" + name, "privacy_officer");
    EXPECT_EQ(r.status, 200) << r.body;
    json::value doc = json::parse(r.body);
    return signalnode::testing::one_per_operation(doc.at("items").as_array()).size();  // events, not LDV records
  }
  // The latest moment any message about signal `id` to `org` was due to
  // leave the municipality (cancelled ones keep theirs).
  std::int64_t due_at(const std::string& id, const std::string& org) {
    signalnode::node::storage::Database db(signalnode::node::config::NodePaths{nodes_[kMunicipality].dir}.database(),
                                           signalnode::node::storage::Database::Mode::read_only);
    auto st = db.prepare("SELECT max(next_attempt_at_ms) FROM outbox WHERE signal_id = ? AND recipient = ?");
    st.bind(1, std::string_view(id)).bind(2, std::string_view(org));
    EXPECT_TRUE(st.step() && !st.is_null(0)) << "nothing for " << org << " in the outbox";
    return st.is_null(0) ? 0 : st.int64(0);
  }
  // The inspectorate's inbox once a delivery pass to it has run that would
  // have carried every message about the withdrawn signal `id`, had they not
  // been cancelled. The barrier is a second labour signal (7 persons, where
  // kLabourSignal has 6), which the rule also sends to the inspectorate,
  // submitted after those messages fell due: the outbox sends the longest
  // due first, so no pass takes the barrier and leaves them behind. Waiting
  // for the barrier to arrive replaces a sleep that only hoped a pass had run.
  json::array inspectorate_inbox_after_a_pass(const std::string& id) {
    const std::int64_t due = due_at(id, "nla");
    auto now_ms = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
    // As long as their own backoff, which is known, not guessed.
    const int until_due = static_cast<int>(std::max<std::int64_t>(due - now_ms(), 0));
    EXPECT_TRUE(wait_until([&] { return now_ms() > due; }, until_due + 1000));
    std::string barrier = kLabourSignal;
    barrier.replace(barrier.find("\"persons\":6"), 11, "\"persons\":7");
    submit(kMunicipality, barrier);
    EXPECT_TRUE(wait_until([&] {
      for (const auto& item : inbox(kInspectorate)) {
        const auto* persons = item.as_object().if_contains("persons");
        if (persons && persons->as_int64() == 7) return true;
      }
      return false;
    })) << "the barrier never reached the inspectorate";
    return inbox(kInspectorate);
  }
  w::Record message(w::RecordKind kind, const std::string& refers_to, std::size_t sender_node) {
    w::Record r;
    r.record_id = c::random_hex_id(16);
    r.kind = kind;
    r.refers_to = refers_to;
    r.category = "labour.debt_bondage";
    r.rule_id = "labour-to-inspectorate";
    r.policy_hash = apps_[sender_node]->federation()->policy()->sha256();
    return r;
  }
};

TEST_F(FollowUpTest, FeedbackTravelsBackToTheReporterSignedAndAuditedOnBothSides) {
  std::string id = submit(kMunicipality, kLabourSignal);
  ASSERT_TRUE(wait_until([&] { return delivered_to_all(id, {"nla", "riec-amsterdam"}); }));
  std::string at_riec = inbox_id_from(kRiec, "gemeente-aalsmeer");
  std::string at_nla = inbox_id_from(kInspectorate, "gemeente-aalsmeer");
  ASSERT_FALSE(at_riec.empty());
  ASSERT_FALSE(at_nla.empty());

  // all-to-riec allows no note: refused, naming the field, nothing sent.
  auto refused = api(kRiec, "POST", "/api/v1/inbox/" + at_riec + "/feedback", "analyst",
                     R"({"status":"investigation_started","note":"we know this agency"})");
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("\"name\":\"note\""), std::string::npos) << refused.body;
  auto bad_status = api(kRiec, "POST", "/api/v1/inbox/" + at_riec + "/feedback", "analyst", R"({"status":"solved"})");
  EXPECT_EQ(bad_status.status, 400);
  EXPECT_NE(bad_status.body.find("\"name\":\"status\""), std::string::npos) << bad_status.body;
  EXPECT_EQ(api(kRiec, "POST", "/api/v1/inbox/" + at_riec + "/feedback", "officer", R"({"status":"assessed"})").status, 403);

  auto ok = api(kRiec, "POST", "/api/v1/inbox/" + at_riec + "/feedback", "analyst",
                R"({"status":"investigation_started","reason":"already_known"})");
  EXPECT_EQ(ok.status, 202) << ok.body;
  // labour-to-inspectorate allows a short note.
  auto noted = api(kInspectorate, "POST", "/api/v1/inbox/" + at_nla + "/feedback", "analyst",
                   R"({"status":"inspection_planned","note":"inspection week 49"})");
  EXPECT_EQ(noted.status, 202) << noted.body;

  ASSERT_TRUE(wait_until([&] { return signal(id).at("feedback").as_array().size() == 2; }));
  json::value doc = signal(id);
  std::map<std::string, json::object> by_partner;
  for (const auto& f : doc.at("feedback").as_array()) by_partner[std::string(f.at("partner").as_string())] = f.as_object();
  EXPECT_EQ(by_partner["riec-amsterdam"].at("status"), "investigation_started");
  EXPECT_EQ(by_partner["riec-amsterdam"].at("reason"), "already_known");
  EXPECT_FALSE(by_partner["riec-amsterdam"].contains("note"));
  EXPECT_EQ(by_partner["nla"].at("status"), "inspection_planned");
  EXPECT_EQ(by_partner["nla"].at("note"), "inspection week 49");
  EXPECT_TRUE(wait_until([&] { return events(kRiec, "feedback.sent") == 1; }));
  EXPECT_EQ(events(kMunicipality, "feedback.received"), 2u);
  // The analyst's inbox shows what was sent.
  for (const auto& item : inbox(kRiec)) {
    if (item.at("id").as_string() == at_riec) {
      EXPECT_EQ(item.at("feedback").at("status"), "investigation_started");
    }
  }

  // Feedback on a record the node never received: 404, audited, nothing queued.
  auto unknown = api(kRiec, "POST", "/api/v1/inbox/" + c::random_hex_id(16) + "/feedback", "analyst",
                     R"({"status":"assessed"})");
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_EQ(events(kRiec, "feedback.rejected"), 1u);

  // The officer's list shows the same at a glance.
  json::value list = json::parse(api(kMunicipality, "GET", "/api/v1/signals", "officer").body);
  const auto& row = list.at("items").as_array().at(0);
  EXPECT_EQ(row.at("id").as_string(), id);
  EXPECT_EQ(row.at("feedback").as_int64(), 2);
  std::map<std::string, std::string> states;
  for (const auto& p : row.at("sharing").as_array()) states[std::string(p.at("partner").as_string())] = std::string(p.at("state").as_string());
  EXPECT_EQ(states, sharing_states(id));
}

TEST_F(FollowUpTest, AWithdrawalReachesEveryRecipientAlsoOneOfflineAtTheTime) {
  std::string id = submit(kMunicipality, kLabourSignal);
  ASSERT_TRUE(wait_until([&] { return delivered_to_all(id, {"nla", "riec-amsterdam"}); }));
  ASSERT_EQ(inbox(kRiec).size(), 1u);
  apps_[kInspectorate].reset();  // the inspectorate is offline when the officer withdraws

  auto r = api(kMunicipality, "DELETE", "/api/v1/signals/" + id, "officer");
  EXPECT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(api(kMunicipality, "DELETE", "/api/v1/signals/" + id, "officer").status, 409);
  json::value doc = signal(id);
  EXPECT_EQ(doc.at("status"), "withdrawn");
  EXPECT_TRUE(doc.at("subjects").as_array().empty()) << "the content is erased here";
  EXPECT_TRUE(doc.at("summary").as_string().empty());

  ASSERT_TRUE(wait_until([&] { return follow_up_state(id, "riec-amsterdam") == "applied"; }));
  EXPECT_TRUE(inbox(kRiec).empty()) << "the RIEC applied the withdrawal";
  EXPECT_TRUE(wait_until([&] { return follow_up_state(id, "nla") == "failing"; })) << follow_up_state(id, "nla");

  start(kInspectorate);  // back: it applies the withdrawal it missed
  ASSERT_TRUE(wait_until([&] { return follow_up_state(id, "nla") == "applied"; }, 20000)) << follow_up_state(id, "nla");
  EXPECT_TRUE(inbox(kInspectorate).empty());
  EXPECT_EQ(events(kMunicipality, "record.withdrawn"), 2u) << "one per partner, on its signed receipt";
  EXPECT_EQ(events(kMunicipality, "signal.withdrawn"), 1u);
  EXPECT_EQ(events(kRiec, "record.withdrawn"), 1u);
  EXPECT_EQ(events(kInspectorate, "record.withdrawn"), 1u);
  EXPECT_EQ(api(kMunicipality, "PUT", "/api/v1/signals/" + id, "officer", kLabourSignal).status, 409)
      << "a withdrawn signal cannot be corrected";
}

TEST_F(FollowUpTest, AWithdrawalBeforeDeliveryCancelsTheWaitingRecord) {
  apps_[kInspectorate].reset();
  std::string id = submit(kMunicipality, kLabourSignal);
  ASSERT_TRUE(wait_until([&] { return sharing_states(id)["nla"] == "failing"; }));
  EXPECT_EQ(api(kMunicipality, "DELETE", "/api/v1/signals/" + id, "officer").status, 202);
  // At once if it waited in the queue; after the attempt if it was in flight.
  ASSERT_TRUE(wait_until([&] { return sharing_states(id)["nla"] == "cancelled"; }));
  start(kInspectorate);
  ASSERT_TRUE(wait_until([&] { return follow_up_state(id, "riec-amsterdam") == "applied"; }));
  auto items = inspectorate_inbox_after_a_pass(id);
  ASSERT_EQ(items.size(), 1u) << "the cancelled record never left: the barrier is all that arrived";
  EXPECT_EQ(items[0].at("persons").as_int64(), 7);
}

// The node stopped while the record was in flight to an offline partner, and
// the officer withdrew it meanwhile: on recovery the record goes back to the
// queue and, since it never left, it and its withdrawal are cancelled.
TEST_F(FollowUpTest, ARecordWithdrawnWhileInFlightIsCancelledOnRecovery) {
  apps_[kInspectorate].reset();
  std::string id = submit(kMunicipality, kLabourSignal);
  ASSERT_TRUE(wait_until([&] { return sharing_states(id)["nla"] == "failing"; }));
  {
    signalnode::node::storage::Database db(signalnode::node::config::NodePaths{nodes_[kMunicipality].dir}.database(),
                                           signalnode::node::storage::Database::Mode::read_write);
    db.exec("UPDATE outbox SET state = 'sending' WHERE signal_id = '" + id + "' AND recipient = 'nla'");
  }
  EXPECT_EQ(api(kMunicipality, "DELETE", "/api/v1/signals/" + id, "officer").status, 202);
  apps_[kMunicipality]->sharing().outbox.recover();
  ASSERT_EQ(sharing_states(id)["nla"], "cancelled") << "at once, by the recovery itself";
  EXPECT_NE(partner(id, "nla").at("followUp").at("state"), "queued") << "no withdrawal left to send";
  start(kInspectorate);
  auto items = inspectorate_inbox_after_a_pass(id);
  ASSERT_EQ(items.size(), 1u) << "the record never left: the barrier is all that arrived";
  EXPECT_EQ(items[0].at("persons").as_int64(), 7);
}

TEST_F(FollowUpTest, ACorrectionReplacesTheRecordAtEveryRecipient) {
  std::string id = submit(kMunicipality, kLabourSignal);
  ASSERT_TRUE(wait_until([&] { return delivered_to_all(id, {"nla", "riec-amsterdam"}); }));
  std::string corrected = kLabourSignal;
  corrected.replace(corrected.find("\"persons\":6"), 11, "\"persons\":9");
  auto r = api(kMunicipality, "PUT", "/api/v1/signals/" + id, "officer", corrected);
  EXPECT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(wait_until([&] {
    return follow_up_state(id, "nla") == "applied" && follow_up_state(id, "riec-amsterdam") == "applied";
  }));
  auto items = inbox(kInspectorate);
  ASSERT_EQ(items.size(), 1u) << "corrected in place, not added";
  EXPECT_EQ(items[0].at("persons").as_int64(), 9);
  EXPECT_EQ(events(kInspectorate, "record.corrected"), 1u);
  EXPECT_EQ(events(kMunicipality, "signal.corrected"), 1u);

  // Corrected into a housing category: the inspectorate is no longer
  // entitled (withdrawal), SNF now is (a new record), the RIEC gets the correction.
  std::string housing = corrected;
  housing.replace(housing.find("labour.underpaid_or_unpaid"), 26, "housing.overcrowding");
  EXPECT_EQ(api(kMunicipality, "PUT", "/api/v1/signals/" + id, "officer", housing).status, 200);
  ASSERT_TRUE(wait_until([&] {
    auto nla = partner(id, "nla");
    return nla.contains("followUp") && nla.at("followUp").at("kind") == "withdrawal" &&
           nla.at("followUp").at("state") == "applied" && sharing_states(id)["snf"] == "delivered";
  }));
  EXPECT_TRUE(inbox(kInspectorate).empty());
  ASSERT_EQ(inbox(kSnf).size(), 1u);
  EXPECT_EQ(inbox(kSnf)[0].at("category"), "housing.overcrowding");
  ASSERT_TRUE(wait_until([&] { return inbox(kRiec).size() == 1 && inbox(kRiec)[0].at("category") == "housing.overcrowding"; }));
}

TEST_F(FollowUpTest, FollowUpsFromTheWrongNodeOrForUnknownRecordsAreRefusedAuditedAndChangeNothing) {
  std::string id = submit(kMunicipality, kLabourSignal);
  ASSERT_TRUE(wait_until([&] { return delivered_to_all(id, {"nla"}); }));
  // The municipality's record id, as the inspectorate's record.received names it.
  std::string record_id;
  {
    auto r = api(kInspectorate, "GET", "/api/v1/audit/events?name=record.received", "privacy_officer");
    json::value doc = json::parse(r.body);
    record_id = std::string(doc.at("items").as_array().at(0).at("event").at("attributes").at("recordId").as_string());
  }

  // SNF, not the source, withdraws and corrects the municipality's record.
  auto from_snf = send(kSnf, kInspectorate, {message(w::RecordKind::withdrawal, record_id, kSnf)});
  ASSERT_EQ(from_snf.outcomes.size(), 1u);
  EXPECT_FALSE(from_snf.outcomes[0].accepted);
  EXPECT_NE(from_snf.outcomes[0].reason.find("not the source"), std::string::npos) << from_snf.outcomes[0].reason;
  auto correction = message(w::RecordKind::correction, record_id, kSnf);
  auto changed_source = send(kSnf, kInspectorate, {correction});
  EXPECT_FALSE(changed_source.outcomes[0].accepted);
  EXPECT_EQ(changed_source.outcomes[0].reason, "a correction cannot change the record's source");
  EXPECT_EQ(inbox(kInspectorate).size(), 1u) << "nothing changed";
  EXPECT_EQ(events(kInspectorate, "withdrawal.rejected"), 1u);
  EXPECT_EQ(events(kInspectorate, "correction.rejected"), 1u);

  // The source withdraws; the same batch replayed gets the first receipt and
  // changes nothing; a second withdrawal of the same record is refused.
  std::string raw;
  auto first = send(kMunicipality, kInspectorate, {message(w::RecordKind::withdrawal, record_id, kMunicipality)}, &raw);
  EXPECT_TRUE(first.outcomes[0].accepted) << first.outcomes[0].reason;
  EXPECT_TRUE(inbox(kInspectorate).empty());
  auto replayed = post_from(kMunicipality, kInspectorate, raw);
  EXPECT_EQ(replayed.received_at_ms, first.received_at_ms) << "the original receipt";
  EXPECT_EQ(events(kInspectorate, "batch.replayed"), 1u);
  auto again = send(kMunicipality, kInspectorate, {message(w::RecordKind::withdrawal, record_id, kMunicipality)});
  EXPECT_FALSE(again.outcomes[0].accepted);
  EXPECT_EQ(again.outcomes[0].reason, "the record was already withdrawn");
  // Someone else's correction of the withdrawn record is still not the source's.
  auto late = send(kSnf, kInspectorate, {message(w::RecordKind::correction, record_id, kSnf)});
  EXPECT_FALSE(late.outcomes[0].accepted);
  EXPECT_EQ(late.outcomes[0].reason, "a correction cannot change the record's source");
  EXPECT_EQ(events(kInspectorate, "record.withdrawn"), 1u);
  EXPECT_EQ(events(kInspectorate, "withdrawal.rejected"), 2u);
  EXPECT_EQ(events(kInspectorate, "correction.rejected"), 2u);

  // Feedback on a record the municipality never sent to the inspectorate.
  auto fb = message(w::RecordKind::feedback, c::random_hex_id(16), kInspectorate);
  fb.status = "assessed";
  auto stray = send(kInspectorate, kMunicipality, {fb});
  EXPECT_FALSE(stray.outcomes[0].accepted);
  EXPECT_NE(stray.outcomes[0].reason.find("never sent"), std::string::npos) << stray.outcomes[0].reason;
  EXPECT_EQ(events(kMunicipality, "feedback.rejected"), 1u);
  EXPECT_TRUE(signal(id).at("feedback").as_array().empty());
}

TEST_F(FollowUpTest, AReceivedRecordAboutASubjectOfAnOwnSignalIsAHit) {
  // The RIEC has its own signal about the agency; the municipality's record
  // about the same KvK number arrives: a hit linking both.
  std::string own = submit(kRiec, R"({"category":"company.phoenix_or_turbo_liquidation","observedOn":"2026-11-18",
    "subjects":[{"kind":"organisation","kvk":"12345678"}]})");
  ASSERT_TRUE(wait_until([&] {
    auto r = api(kRiec, "GET", "/api/v1/signals/" + own, "officer");
    return r.body.find("\"state\":\"not_shared\"") != std::string::npos || r.body.find("delivered") != std::string::npos;
  }));
  submit(kMunicipality, kLabourSignal);
  auto hits = [&] {
    auto r = api(kRiec, "GET", "/api/v1/alerts?kind=hit", "analyst");
    json::value doc = json::parse(r.body);
    return doc.at("items").as_array();
  };
  ASSERT_TRUE(wait_until([&] { return hits().size() == 1; }));
  auto hit = hits()[0];
  EXPECT_EQ(hit.at("subject").at("idKind"), "kvk");
  EXPECT_EQ(hit.at("signals").as_array().size(), 1u);
  EXPECT_EQ(hit.at("signals").as_array()[0].as_string(), own);
  EXPECT_EQ(hit.at("records").as_array().size(), 1u);
  auto orgs = hit.at("organisations").as_array();
  EXPECT_EQ(orgs.size(), 2u);

  // Withdrawing the own signal removes the hit.
  EXPECT_EQ(api(kRiec, "DELETE", "/api/v1/signals/" + own, "officer").status, 202);
  EXPECT_TRUE(wait_until([&] { return hits().empty(); }));
}

TEST_F(FollowUpTest, BundleNoticesTellTheSourcesOnlyWhatTheRuleGrants) {
  std::string a = submit(kMunicipality, kLabourSignal);
  std::string b = submit(kSnf, R"({"category":"housing.snf_norm_noncompliance","observedOn":"2026-11-21","municipality":"GM0358",
    "subjects":[{"kind":"organisation","kvk":"12345678"}]})");
  std::string alert;
  ASSERT_TRUE(wait_until([&] {
    auto r = api(kRiec, "GET", "/api/v1/alerts?kind=bundle", "analyst");
    json::value doc = json::parse(r.body);
    for (const auto& x : doc.at("items").as_array()) {
      if (x.at("subject").at("idKind") == "kvk") alert = std::string(x.at("id").as_string());
    }
    return !alert.empty();
  }));
  auto r = api(kRiec, "POST", "/api/v1/alerts/" + alert + "/notices", "analyst");
  EXPECT_EQ(r.status, 202) << r.body;
  json::value doc = json::parse(r.body);
  EXPECT_EQ(doc.at("queued").as_array().size(), 2u) << r.body;
  ASSERT_TRUE(wait_until([&] { return signal(a).at("bundleNotices").as_array().size() == 1; }));
  auto notice = signal(a).at("bundleNotices").as_array()[0];
  EXPECT_EQ(notice.at("partner"), "riec-amsterdam");
  EXPECT_EQ(notice.at("organisations").as_int64(), 2);
  EXPECT_FALSE(notice.as_object().contains("categories")) << "all-to-riec grants the count only";
  // Sending again for the same bundle size changes nothing.
  json::value again = json::parse(api(kRiec, "POST", "/api/v1/alerts/" + alert + "/notices", "analyst").body);
  EXPECT_FALSE(again.at("queued").as_array()[0].at("new").as_bool());
  EXPECT_TRUE(wait_until([&] { return events(kMunicipality, "notice.received") == 1; }));
  EXPECT_EQ(api(kRiec, "POST", "/api/v1/alerts/" + c::random_hex_id(16) + "/notices", "analyst").status, 404);
  (void)b;
}

TEST_F(FollowUpTest, OwnSignalsExpireByTheNodeSettingAndTheSpaceIsReclaimed) {
  std::string id = submit(kMunicipality, kLabourSignal);
  ASSERT_TRUE(wait_until([&] { return delivered_to_all(id, {"nla"}); }));
  // Restarted with a clock past the default 730 days of signals.retentionDays.
  apps_[kMunicipality].reset();
  auto later = [] { return std::chrono::system_clock::now() + std::chrono::hours(24 * 731); };
  apps_[kMunicipality] = std::make_unique<signalnode::node::app::NodeApp>(
      signalnode::node::app::NodeOptions{nodes_[kMunicipality].dir, std::nullopt, later});
  EXPECT_EQ(apps_[kMunicipality]->sharing().retention.expire_own(730), 1);
  apps_[kMunicipality]->start();
  EXPECT_EQ(api(kMunicipality, "GET", "/api/v1/signals/" + id, "officer").status, 404);
  auto list = json::parse(api(kMunicipality, "GET", "/api/v1/signals", "officer").body);
  EXPECT_TRUE(list.at("items").as_array().empty());
  auto expired = api(kMunicipality, "GET", "/api/v1/audit/events?name=signal.expired", "privacy_officer");
  EXPECT_NE(expired.body.find("\"count\":1"), std::string::npos) << expired.body;
  apps_[kMunicipality]->run_retention();  // the scheduled task, including the vacuum step, runs clean
}

// Issue 14: a recipient with a valid key smuggles text or absurd values into
// feedback and bundle notices. Each is refused in the receipt with a reason
// naming the field and not repeating it; the reporter's signal shows none.
TEST_F(FollowUpTest, FeedbackAndNoticesWithSmuggledContentAreRefusedNamingTheField) {
  std::string id = submit(kMunicipality, kLabourSignal);
  ASSERT_TRUE(wait_until([&] { return delivered_to_all(id, {"nla"}); }));
  std::string record_id;
  {
    auto r = api(kInspectorate, "GET", "/api/v1/audit/events?name=record.received", "privacy_officer");
    json::value doc = json::parse(r.body);
    record_id = std::string(doc.at("items").as_array().at(0).at("event").at("attributes").at("recordId").as_string());
  }
  const std::string name = "Jan de Vries, geb. 1985-03-01, BSN 111222333";
  struct Attack {
    w::RecordKind kind;
    std::function<void(w::Record&)> change;
    const char* reason;
  };
  const std::vector<Attack> attacks = {
      {w::RecordKind::feedback, [&](w::Record& r) { r.status = name; }, "status is not a feedback status"},
      {w::RecordKind::feedback, [&](w::Record& r) { r.status = "assessed"; r.reason = name; },
       "reason is not a feedback reason code"},
      {w::RecordKind::feedback, [](w::Record& r) { r.status = "assessed"; r.note = "\xff\xfe Vries"; },
       "note is not UTF-8 of at most 500 bytes"},
      {w::RecordKind::feedback, [&](w::Record& r) { r.status = "assessed"; r.observed_week = name; },
       "a follow-up message carries no shared-record fields"},
      {w::RecordKind::feedback, [&](w::Record& r) { r.status = "assessed"; r.refers_to = name.substr(0, 32); },
       "refers_to is not 32 lowercase hex digits"},
      {w::RecordKind::bundle_notice, [](w::Record& r) { r.organisations = std::int64_t{1} << 62; },
       "organisations is not from 1 to 1000"},
      {w::RecordKind::bundle_notice, [](w::Record& r) { r.organisations = -5; }, "organisations is not from 1 to 1000"},
      {w::RecordKind::bundle_notice, [&](w::Record& r) { r.categories = {"labour.debt_bondage", name}; },
       "categories holds a category not of the taxonomy"},
      {w::RecordKind::bundle_notice, [](w::Record& r) { r.municipality = "KvK 12345678"; },
       "a follow-up message carries no shared-record fields"},
  };
  for (const auto& a : attacks) {
    w::Record m = message(a.kind, record_id, kInspectorate);
    a.change(m);
    auto receipt = send(kInspectorate, kMunicipality, {m});
    ASSERT_EQ(receipt.outcomes.size(), 1u);
    EXPECT_FALSE(receipt.outcomes[0].accepted);
    EXPECT_EQ(receipt.outcomes[0].reason, a.reason);
  }
  EXPECT_EQ(signal(id).at("feedback").as_array().size(), 0u) << "the reporter sees none of it";
  EXPECT_EQ(json::serialize(signal(id)).find("Vries"), std::string::npos);

  // Valid feedback with a note (labour-to-inspectorate allows one) is accepted.
  w::Record ok = message(w::RecordKind::feedback, record_id, kInspectorate);
  ok.status = "inspection_planned";
  ok.note = "Inspectie gepland.";
  auto receipt = send(kInspectorate, kMunicipality, {ok});
  ASSERT_EQ(receipt.outcomes.size(), 1u);
  EXPECT_TRUE(receipt.outcomes[0].accepted) << receipt.outcomes[0].reason;
  EXPECT_EQ(signal(id).at("feedback").as_array().size(), 1u);
}
