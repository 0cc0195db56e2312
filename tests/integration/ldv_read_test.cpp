// The Logboek Dataverwerkingen read API (BRIEF 3.13, Logius' read extension)
// and the register of processing activities, as a privacy officer uses them:
// by processing activity, by trace, by data subject, following an exchange
// from the municipality to the RIEC across two nodes; and refusals that are
// problem documents, Dutch first, on record, revealing nothing.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <set>
#include <string>

#include "node/net/https_client.hpp"
#include "sharing_fixture.hpp"
#include "tests/support/test_federation.hpp"

namespace json = boost::json;
using signalnode::node::http::HttpResponse;
using signalnode::testing::wait_until;

namespace {

constexpr std::size_t kMunicipality = 0, kRiec = 3;

const std::string kSignal = R"({"category":"labour.underpaid_or_unpaid","observedOn":"2026-11-20",
  "municipality":"GM0358","severity":"high","persons":6,
  "subjects":[{"kind":"organisation","role":"temp_agency","kvk":"12345678"},
   {"kind":"address","postcode":"1431 AB","houseNumber":12}]})";

std::string str(const json::value& v) { return std::string(v.as_string()); }

}  // namespace

class LdvReadTest : public signalnode::testing::SharingFixture {
 protected:
  // A read as the read extension's client makes it, on the API of `port`.
  HttpResponse read_at(std::uint16_t port, const std::string& token, const std::string& body,
                       const std::string& language = {}) {
    signalnode::node::net::ClientOptions options;
    options.trust_anchors_pem = signalnode::node::net::read_text_file(dir_ / "ca" / "ca.crt");
    signalnode::node::net::HttpsClient client("127.0.0.1", port, std::move(options));
    std::vector<std::pair<std::string, std::string>> headers = {{"Authorization", "Bearer " + token},
                                                                {"Content-Type", "application/json"}};
    if (!language.empty()) headers.emplace_back("Accept-Language", language);
    return client.request("POST", "/api/v1/ldv/processing-activities", body, headers);
  }
  HttpResponse read(std::size_t node, const std::string& body, const std::string& role = "privacy_officer",
                    const std::string& language = {}) {
    return read_at(nodes_[node].api_port, nodes_[node].tokens.at(role), body, language);
  }
  json::array records(const HttpResponse& r) {
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body).at("processingActivities").as_array();
  }
  // The register's current entry of a covenant rule.
  json::object register_entry(std::size_t node, const std::string& rule) {
    auto r = api(node, "GET", "/api/v1/processing-register", "privacy_officer");
    EXPECT_EQ(r.status, 200) << r.body;
    const json::value doc = json::parse(r.body);
    for (const auto& e : doc.at("items").as_array()) {
      const auto& o = e.as_object();
      if (o.contains("rule") && o.at("rule") == rule.c_str() && o.at("current").as_bool()) return o;
    }
    ADD_FAILURE() << "no current entry for " << rule << ": " << r.body;
    return {};
  }
  std::string delivered_signal() {
    std::string id = submit(kMunicipality, kSignal);
    EXPECT_TRUE(wait_until([&] { return sharing_states(id)["riec-amsterdam"] == "delivered"; }));
    return id;
  }
};

TEST_F(LdvReadTest, APrivacyOfficerFollowsARecordFromTheMunicipalityToTheRiec) {
  delivered_signal();
  // 1. By processing activity: the covenant rule under which the RIEC receives.
  const auto rule = register_entry(kMunicipality, "all-to-riec");
  ASSERT_FALSE(rule.empty());
  EXPECT_FALSE(str(rule.at("legalBasis")).empty());
  EXPECT_FALSE(str(rule.at("purpose")).empty());
  EXPECT_FALSE(rule.at("recipients").as_array().empty());
  EXPECT_GT(rule.at("retentionDays").as_int64(), 0);
  auto by_activity = records(read(kMunicipality, R"({"processingActivityId":")" + str(rule.at("uri")) + R"("})"));
  const json::object* sent = nullptr;
  for (const auto& r : by_activity) {
    const auto& o = r.as_object();
    EXPECT_EQ(o.at("attributes").at("dpl.core.processing_activity_id"), rule.at("uri"));
    if (o.at("name") == "record.sent" && o.at("attributes").at("partner") == "riec-amsterdam") sent = &o;
  }
  ASSERT_NE(sent, nullptr) << json::serialize(by_activity);
  // The read extension's ProcessingActivity.
  for (const char* field : {"traceId", "spanId", "status", "name", "startTime", "endTime", "resource", "attributes"}) {
    EXPECT_TRUE(sent->contains(field)) << field;
  }
  EXPECT_EQ(sent->at("status"), "Ok");
  EXPECT_EQ(str(sent->at("traceId")).size(), 32u);
  EXPECT_EQ(str(sent->at("attributes").at("dpl.core.data_subject_id")).size(), 128u);

  // 2. The pointer to the partner whose operation continues the chain.
  const std::string next = str(sent->at("attributes").at("dpl.read.externalReadAPI_id"));
  const std::string riec_api =
      "https://127.0.0.1:" + std::to_string(nodes_[kRiec].api_port) + "/api/v1/ldv/processing-activities";
  ASSERT_EQ(next, riec_api);

  // 3. At the RIEC (its own privacy officer), the same trace: the receipt
  // of the same exchange, pointing back at the municipality's operation.
  const std::string trace = str(sent->at("traceId"));
  auto there = records(read_at(nodes_[kRiec].api_port, nodes_[kRiec].tokens.at("privacy_officer"),
                               R"({"traceId":")" + trace + R"("})"));
  ASSERT_FALSE(there.empty());
  std::set<std::string> subjects_there;
  for (const auto& r : there) {
    const auto& o = r.as_object();
    EXPECT_EQ(o.at("traceId"), trace.c_str());
    EXPECT_EQ(o.at("name"), "record.received");
    EXPECT_EQ(o.at("foreignOperation").at("entity"), ("urn:oin:" + nodes_[kMunicipality].oin).c_str());
    EXPECT_EQ(o.at("foreignOperation").at("spanId"), sent->at("parentSpanId")) << "the municipality's call";
    EXPECT_EQ(o.at("parentSpanId"), sent->at("foreignOperation").at("spanId")) << "the RIEC's operation";
    EXPECT_EQ(o.at("attributes").at("dpl.core.processing_activity_id"), rule.at("uri")) << "one activity on both sides";
    EXPECT_FALSE(o.at("attributes").as_object().contains("dpl.read.externalReadAPI_id")) << "the chain ends here";
    subjects_there.insert(str(o.at("attributes").at("dpl.core.data_subject_id")));
  }
  EXPECT_EQ(subjects_there.size(), there.size()) << "one record per data subject";

  // 4. By trace at the municipality: the same exchange from its side.
  auto here = records(read(kMunicipality, R"({"traceId":")" + trace + R"("})"));
  EXPECT_EQ(here.size(), there.size()) << "both sides log one record per subject of the record";
  // A UUID form of the trace id is the same trace.
  const std::string uuid = trace.substr(0, 8) + "-" + trace.substr(8, 4) + "-" + trace.substr(12, 4) + "-" +
                           trace.substr(16, 4) + "-" + trace.substr(20);
  EXPECT_EQ(records(read(kMunicipality, R"({"traceId":")" + uuid + R"("})")).size(), here.size());

  // Each read is itself on record, in the caller's trace when it sends one.
  auto performed = api(kMunicipality, "GET", "/api/v1/audit/events?name=ldv.read_performed", "privacy_officer");
  EXPECT_EQ(json::parse(performed.body).at("items").as_array().size(), 3u) << performed.body;
}

TEST_F(LdvReadTest, ByDataSubjectAPseudonymInTheNodesOwnDomain) {
  delivered_signal();
  ASSERT_TRUE(wait_until([&] { return !inbox(kRiec).empty(); }));
  std::string pseudonym;
  const json::array received = inbox(kRiec);
  for (const auto& s : received.at(0).at("subjects").as_array()) {
    if (s.at("idKind") == "kvk") pseudonym = str(s.at("pseudonym"));
  }
  ASSERT_EQ(pseudonym.size(), 128u);
  auto found = records(read(kRiec, R"({"dataSubjectId":")" + pseudonym + R"("})"));
  ASSERT_FALSE(found.empty());
  for (const auto& r : found) {
    EXPECT_EQ(r.at("attributes").at("dpl.core.data_subject_id"), pseudonym.c_str());
    EXPECT_EQ(r.at("attributes").at("dpl.core.data_subject_id_type"), "urn:signalnode:pseudonym");
  }
  EXPECT_EQ(found.front().at("name"), "record.received");
  // Under its LDV attribute name too, narrowed by time: only what came after,
  // which is the read just made (a processing about that subject too).
  const auto after = found.back().at("startTime").as_int64() + 1;
  auto later = records(read(kRiec, R"({"dpl.core.data_subject_id":")" + pseudonym + R"(","startTime":)" +
                                       std::to_string(after) + "}"));
  for (const auto& r : later) {
    EXPECT_GE(r.at("startTime").as_int64(), after);
    EXPECT_EQ(r.at("name"), "ldv.read_performed");
  }
  // A pseudonym nobody logged: nothing.
  EXPECT_TRUE(records(read(kRiec, R"({"dataSubjectId":")" + std::string(128, 'a') + R"("})")).empty());
}

TEST_F(LdvReadTest, BadQueriesAreProblemsNamingTheFieldDutchFirstOnRecordRevealingNothing) {
  delivered_signal();
  // None of the three keys.
  auto none = read(kMunicipality, R"({"startTime":0})", "privacy_officer", "nl");
  EXPECT_EQ(none.status, 400);
  EXPECT_EQ(none.content_type, "application/problem+json");
  auto doc = json::parse(none.body);
  std::set<std::string> named;
  for (const auto& p : doc.at("invalidParams").as_array()) named.insert(str(p.at("name")));
  EXPECT_EQ(named, (std::set<std::string>{"traceId", "processingActivityId", "dataSubjectId"}));
  EXPECT_NE(str(doc.at("detail")).find("vul minstens één zoeksleutel in"), std::string::npos) << none.body;
  EXPECT_EQ(str(doc.at("title")), "Niet alles is goed ingevuld");
  // A plain identifier (a BSN) where a pseudonym belongs: refused by name, never repeated.
  auto bsn = read(kMunicipality, R"({"dataSubjectId":"123456782"})", "privacy_officer", "nl");
  EXPECT_EQ(bsn.status, 400);
  auto bsn_doc = json::parse(bsn.body);
  EXPECT_EQ(bsn_doc.at("invalidParams").at(0).at("name"), "dataSubjectId");
  EXPECT_NE(str(bsn_doc.at("invalidParams").at(0).at("reason")).find("geen pseudoniem"), std::string::npos) << bsn.body;
  EXPECT_EQ(bsn.body.find("123456782"), std::string::npos);
  auto english = read(kMunicipality, R"({"dataSubjectId":"NL91 ABNA 0417 1643 00"})", "privacy_officer", "en");
  EXPECT_EQ(english.status, 400);
  EXPECT_NE(english.body.find("is a plain identifier"), std::string::npos) << english.body;
  // Other hostile bodies.
  EXPECT_EQ(read(kMunicipality, R"({"traceId":"zz"})").status, 400);
  EXPECT_EQ(read(kMunicipality, R"({"traceId":"00000000000000000000000000000000"})").status, 400);
  EXPECT_EQ(read(kMunicipality, R"({"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","sql":"1"})").status, 400);
  // A made-up key that is itself an identifier: refused, and not kept in the log (checked below).
  EXPECT_EQ(read(kMunicipality, R"({"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","123456782":"1"})").status, 400);
  EXPECT_EQ(read(kMunicipality, R"([1,2])").status, 400);
  EXPECT_EQ(read(kMunicipality, R"({"traceId":{"a":{"b":1}}})").status, 400);
  EXPECT_EQ(read(kMunicipality, "{\"traceId\":\"" + std::string(5000, 'a') + "\"}").status, 400);
  EXPECT_EQ(read(kMunicipality, R"({"processingActivityId":"https://elsewhere.example/x"})").status, 400);
  // Roles that may not read the log: a problem, nothing of the log.
  for (const char* role : {"analyst", "officer", "admin"}) {
    auto refused = read(kMunicipality, R"({"dataSubjectId":")" + std::string(128, 'b') + R"("})", role, "nl");
    EXPECT_EQ(refused.status, 403) << role;
    EXPECT_EQ(refused.content_type, "application/problem+json");
    EXPECT_EQ(refused.body.find("processingActivities"), std::string::npos);
    EXPECT_EQ(str(json::parse(refused.body).at("detail")), "uw rol mag dit niet");
  }
  // Each refusal is on record, naming the field and never the value.
  auto log = api(kMunicipality, "GET", "/api/v1/audit/events?limit=100&name=ldv.read_refused", "privacy_officer");
  auto items = json::parse(log.body).at("items").as_array();
  EXPECT_EQ(items.size(), 14u) << log.body;
  EXPECT_EQ(log.body.find("123456782"), std::string::npos);
  EXPECT_EQ(log.body.find("NL91"), std::string::npos);
  std::set<std::string> fields;
  for (const auto& i : items) {
    EXPECT_EQ(i.at("event").at("status"), "rejected");
    fields.insert(str(i.at("event").at("attributes").at("field")));
  }
  EXPECT_TRUE(fields.contains("dataSubjectId"));
  EXPECT_TRUE(fields.contains("role"));
}

TEST_F(LdvReadTest, TheRegisterListsEveryRuleAndTheNodesOwnActivitiesEachResolvable) {
  auto r = api(kMunicipality, "GET", "/api/v1/processing-register", "officer");
  ASSERT_EQ(r.status, 200) << r.body;
  auto items = json::parse(r.body).at("items").as_array();
  std::size_t rules = 0, own = 0;
  for (const auto& e : items) {
    const auto& o = e.as_object();
    const std::string id = str(o.at("id"));
    EXPECT_EQ(str(o.at("uri")), "urn:signalnode:processing-activity:" + id);
    (o.at("kind") == "covenant-rule" ? rules : own) += 1;
    auto one = api(kMunicipality, "GET", "/api/v1/processing-register/" + id, "officer");
    EXPECT_EQ(one.status, 200) << id;
    EXPECT_EQ(json::parse(one.body).at("id"), o.at("id"));
  }
  EXPECT_GE(rules, 3u);
  EXPECT_GE(own, 8u);
  EXPECT_EQ(api(kMunicipality, "GET", "/api/v1/processing-register/no-such.0000", "officer").status, 404);
  // Every record of the log names one of them.
  auto log = api(kMunicipality, "GET", "/api/v1/audit/events?limit=200", "privacy_officer");
  std::set<std::string> uris;
  for (const auto& e : items) uris.insert(str(e.at("uri")));
  const json::value log_doc = json::parse(log.body);
  for (const auto& i : log_doc.at("items").as_array()) {
    const auto& a = i.at("event").at("attributes").as_object();
    ASSERT_TRUE(a.contains("dpl.core.processing_activity_id")) << json::serialize(i);
    EXPECT_TRUE(uris.contains(str(a.at("dpl.core.processing_activity_id")))) << json::serialize(i);
  }
}

// W3C Trace Context accepted on the API: what a request logs is in the trace
// its caller sent (traceparent), as a child of the caller's span, also when
// the work runs on a lane (a log-in hashes on the slow lane); the read API
// finds it by that trace.
TEST_F(LdvReadTest, AnApiCallersTraceparentIsTheTraceOfWhatItsRequestLogs) {
  const std::string trace = "4bf92f3577b34da6a3ce929d0e0e4736", span = "00f067aa0ba902b7";
  const std::string traceparent = "00-" + trace + "-" + span + "-01";
  signalnode::node::net::ClientOptions options;
  options.trust_anchors_pem = signalnode::node::net::read_text_file(dir_ / "ca" / "ca.crt");
  signalnode::node::net::HttpsClient client("127.0.0.1", nodes_[kMunicipality].api_port, std::move(options));
  // A signed-in caller's trace: what its request logs (here the read itself) is a child of its span.
  auto asked = client.request("POST", "/api/v1/ldv/processing-activities", R"({"traceId":"0af7651916cd43dd8448eb211c80319c"})",
                              {{"Content-Type", "application/json"},
                               {"Authorization", "Bearer " + nodes_[kMunicipality].tokens.at("privacy_officer")},
                               {"traceparent", traceparent}});
  EXPECT_EQ(asked.status, 200) << asked.body;
  auto found = records(read(kMunicipality, R"({"traceId":")" + trace + R"("})"));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].at("name"), "ldv.read_performed");
  EXPECT_EQ(found[0].at("parentSpanId"), span.c_str());
  // Nobody's trace is taken from a caller who is not signed in: a failed
  // log-in cannot be written into a trace whose id its sender knows.
  auto login = client.request("POST", "/api/v1/session", R"({"username":"nobody.here","password":"not the password"})",
                              {{"Content-Type", "application/json"}, {"traceparent", traceparent}});
  EXPECT_EQ(login.status, 401) << login.body;
  EXPECT_EQ(records(read(kMunicipality, R"({"traceId":")" + trace + R"("})")).size(), 1u);
  // An invalid one (all-zero parent id) is ignored: the request starts a trace of its own.
  auto zero = client.request("POST", "/api/v1/ldv/processing-activities", R"({"traceId":"0af7651916cd43dd8448eb211c80319c"})",
                             {{"Content-Type", "application/json"},
                              {"Authorization", "Bearer " + nodes_[kMunicipality].tokens.at("privacy_officer")},
                              {"traceparent", "00-" + trace + "-0000000000000000-01"}});
  EXPECT_EQ(zero.status, 200);
  EXPECT_EQ(records(read(kMunicipality, R"({"traceId":")" + trace + R"("})")).size(), 1u);
}

// On the federation listener a partner's traceparent becomes the foreign
// operation of what its call makes the node log: a PA share holder's
// oprf.evaluated names the municipality's call and the municipality.
TEST_F(LdvReadTest, APartnersCallIsAForeignOperationInWhatItMakesTheNodeLog) {
  delivered_signal();
  std::size_t seen = 0;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (!nodes_[i].pseudonymisation_authority) continue;
    auto r = api(i, "GET", "/api/v1/audit/events?limit=100&name=oprf.evaluated", "privacy_officer");
    ASSERT_EQ(r.status, 200) << r.body;
    const json::value doc = json::parse(r.body);
    for (const auto& item : doc.at("items").as_array()) {
      const auto& e = item.at("event").as_object();
      if (e.at("attributes").at("partner") != nodes_[kMunicipality].org.c_str()) continue;
      ++seen;
      ASSERT_TRUE(e.contains("foreignOperation")) << json::serialize(e);
      EXPECT_EQ(e.at("foreignOperation").at("entity"), ("urn:oin:" + nodes_[kMunicipality].oin).c_str());
      EXPECT_EQ(e.at("foreignOperation").at("traceId"), e.at("traceId"));
      EXPECT_EQ(e.at("parentSpanId").as_string().size(), 16u);
      EXPECT_NE(e.at("parentSpanId"), e.at("foreignOperation").at("spanId"));
    }
  }
  EXPECT_GT(seen, 0u) << "the share holders evaluated the municipality's batch";
}
